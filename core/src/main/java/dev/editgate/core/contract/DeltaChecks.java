package dev.editgate.core.contract;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.numeric.NonFinite;
import dev.editgate.core.numeric.NonFiniteScan;
import dev.editgate.core.numeric.Spectra;
import dev.editgate.core.numeric.Spectrum;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.core.structure.BitExactComparison;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The structural and numeric clauses of a contract, on the original and the edited checkpoint: which tensors changed
 * (against {@code tensors.allowed}), NaN/Inf in the changed tensors, the rank of each ΔW (singular values of
 * {@code edited - original} in double, counted above a dtype-aware threshold) and its relative size
 * {@code ‖ΔW‖_F / ‖W‖_F}.
 *
 * <p>Rank threshold: storing the edited weight rounds every element by at most half an ulp, a noise matrix of full
 * rank whose spectral norm is at most about {@code u·max|W'|·(√rows + √cols)} (u: unit roundoff of the stored dtype);
 * singular values above four times that count.
 */
public final class DeltaChecks {
    private DeltaChecks() {}

    /** Changed tensors, and whether each is allowed. */
    public static ClauseResult allowedTensors(Contract contract, Set<String> changed) {
        List<String> details = new ArrayList<>();
        List<String> outside = changed.stream().filter(n -> !contract.allows(n)).sorted().toList();
        for (String n : changed.stream().sorted().toList()) details.add((contract.allows(n) ? "allowed  " : "NOT ALLOWED  ") + n);
        if (changed.isEmpty()) return ClauseResult.passed(Clause.ALLOWED_TENSORS, "the edit changed no tensor", details);
        if (!outside.isEmpty()) {
            return ClauseResult.failed(Clause.ALLOWED_TENSORS, outside.size() + " changed tensor(s) outside tensors.allowed " + contract.allowedTensors()
                    + ": " + String.join(", ", outside), details);
        }
        return ClauseResult.passed(Clause.ALLOWED_TENSORS, changed.size() + " changed tensor(s), all allowed", details);
    }

    /** The names of the tensors whose bytes, dtype or shape differ. */
    public static Set<String> changed(Checkpoint original, Checkpoint edited) {
        return BitExactComparison.compare(original.tensors(), edited.tensors()).changedNames();
    }

    public static ClauseResult finite(Checkpoint edited, Set<String> changed) {
        List<String> bad = new ArrayList<>();
        for (String n : changed) {
            if (!edited.has(n) || !edited.tensor(n).dtype().isFloating()) continue;
            NonFiniteScan s = NonFinite.scan(edited.tensor(n));
            if (!s.isFinite()) bad.add(s.toString());
        }
        return bad.isEmpty() ? ClauseResult.passed(Clause.FINITE, "every changed tensor is finite", List.of())
                : ClauseResult.failed(Clause.FINITE, bad.size() + " changed tensor(s) hold NaN/Inf", bad);
    }

    /** One changed matrix's ΔW: rank (with its threshold and leading singular values) and relative size. */
    public record Delta(String tensor, int rank, double threshold, double[] leadingSingularValues, double relativeNorm) {
        @Override
        public String toString() {
            double[] s = leadingSingularValues;
            StringBuilder sv = new StringBuilder();
            for (int i = 0; i < Math.min(4, s.length); i++) sv.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", s[i]));
            return String.format(Locale.ROOT, "%s: rank %d (σ > %.2g; σ = %s%s), ‖ΔW‖/‖W‖ = %.4g", tensor, rank, threshold, sv,
                    s.length > 4 ? ", ..." : "", relativeNorm);
        }
    }

    /** ΔW of every changed floating tensor present in both (vectors as 1×n). */
    public static List<Delta> deltas(Checkpoint original, Checkpoint edited, Set<String> changed) {
        List<Delta> out = new ArrayList<>();
        for (String n : changed.stream().sorted().toList()) {
            if (!original.has(n) || !edited.has(n)) continue;
            Tensor a = original.tensor(n), b = edited.tensor(n);
            if (!a.dtype().isFloating() || !b.dtype().isFloating() || !Arrays.equals(a.shape(), b.shape())) continue;
            out.add(delta(a, b));
        }
        return out;
    }

    static Delta delta(Tensor original, Tensor edited) {
        double[] w = original.toDoubleArray();
        double[] w2 = edited.toDoubleArray();
        int rows = original.rank() == 2 ? original.dim(0) : 1;
        int cols = w.length / Math.max(rows, 1);
        double[] d = new double[w.length];
        double normW = 0, normD = 0, maxAbs = 0;
        for (int i = 0; i < w.length; i++) {
            d[i] = w2[i] - w[i];
            normW += w[i] * w[i];
            normD += d[i] * d[i];
            maxAbs = Math.max(maxAbs, Math.abs(w2[i]));
        }
        double rel = normW == 0 ? (normD == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(normD / normW);
        if (!Double.isFinite(normD)) return new Delta(original.name(), Math.min(rows, cols), 0, new double[0], Double.POSITIVE_INFINITY);
        double threshold = 4 * unitRoundoff(edited.dtype()) * maxAbs * (Math.sqrt(rows) + Math.sqrt(cols));
        Spectrum s = Spectra.of(d, rows, cols);
        double[] sv = s.singularValues();
        int rank = 0;
        for (double x : sv) if (x > threshold) rank++;
        return new Delta(original.name(), rank, threshold, Arrays.copyOf(sv, Math.min(sv.length, 8)), rel);
    }

    static double unitRoundoff(DType t) {
        return switch (t) {
            case F64 -> 0x1p-53;
            case F32 -> 0x1p-24;
            case F16 -> 0x1p-11;
            case BF16 -> 0x1p-8;
            default -> throw new IllegalArgumentException("no unit roundoff for " + t);
        };
    }

    public static ClauseResult rank(Contract contract, List<Delta> deltas) {
        if (contract.maxRank().isEmpty() && contract.maxRankFor().isEmpty()) return ClauseResult.skipped(Clause.RANK, "the contract sets no max-rank");
        List<String> details = new ArrayList<>();
        List<String> over = new ArrayList<>();
        for (Delta d : deltas) {
            OptionalInt bound = contract.rankBound(d.tensor());
            if (bound.isEmpty()) continue;
            details.add(d + " (bound " + bound.getAsInt() + ")");
            if (d.rank() > bound.getAsInt()) over.add(d.tensor() + " has rank " + d.rank() + " > " + bound.getAsInt());
        }
        return over.isEmpty() ? ClauseResult.passed(Clause.RANK, "every ΔW within its rank bound", details)
                : ClauseResult.failed(Clause.RANK, String.join("; ", over), details);
    }

    public static ClauseResult relativeNorm(Contract contract, List<Delta> deltas) {
        if (contract.maxRelativeNorm().isEmpty()) return ClauseResult.skipped(Clause.RELATIVE_NORM, "the contract sets no max-relative-norm");
        double bound = contract.maxRelativeNorm().getAsDouble();
        List<String> details = new ArrayList<>();
        List<String> over = new ArrayList<>();
        for (Delta d : deltas) {
            details.add(String.format(Locale.ROOT, "%s: ‖ΔW‖/‖W‖ = %.4g (bound %.4g)", d.tensor(), d.relativeNorm(), bound));
            if (!(d.relativeNorm() <= bound)) over.add(String.format(Locale.ROOT, "%s: ‖ΔW‖/‖W‖ = %.4g > %.4g", d.tensor(), d.relativeNorm(), bound));
        }
        return over.isEmpty() ? ClauseResult.passed(Clause.RELATIVE_NORM, "every ΔW within the relative size bound", details)
                : ClauseResult.failed(Clause.RELATIVE_NORM, String.join("; ", over), details);
    }
}
