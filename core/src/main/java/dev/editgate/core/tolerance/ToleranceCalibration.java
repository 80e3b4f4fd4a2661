package dev.editgate.core.tolerance;

import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Derives a tolerance from the unedited model: its own error in the dtype against float64 (GUIDE §3). */
public final class ToleranceCalibration {
    private ToleranceCalibration() {}

    public static CalibratedTolerance calibrate(TransformerForward float64Original, TransformerForward dtypeOriginal,
                                                int[][] prompts, TolerancePolicy policy) {
        if (float64Original.dtype() != ComputeDtype.FLOAT64) {
            throw new IllegalArgumentException("the reference must compute in fp64, got " + float64Original.dtype());
        }
        LogitError baseline = LogitComparison.compareAll(logitsByLength(float64Original, prompts),
                logitsByLength(dtypeOriginal, prompts), dtypeOriginal.dtype());
        return CalibratedTolerance.of(policy, dtypeOriginal.dtype(), baseline);
    }

    /**
     * The same from explicit batches: each element is one batch of equal-length prompts; batches may differ in
     * length. The baseline is the worst over all batches.
     */
    public static CalibratedTolerance calibrate(TransformerForward float64Original, TransformerForward dtypeOriginal,
                                                List<int[][]> batches, TolerancePolicy policy) {
        if (float64Original.dtype() != ComputeDtype.FLOAT64) {
            throw new IllegalArgumentException("the reference must compute in fp64, got " + float64Original.dtype());
        }
        if (batches.isEmpty()) throw new IllegalArgumentException("the prompt set is empty");
        List<Logits> ref = new ArrayList<>();
        List<Logits> cand = new ArrayList<>();
        for (int[][] batch : batches) {
            ref.add(float64Original.logits(batch));
            cand.add(dtypeOriginal.logits(batch));
        }
        return CalibratedTolerance.of(policy, dtypeOriginal.dtype(), LogitComparison.compareAll(ref, cand, dtypeOriginal.dtype()));
    }

    /** An edited model's error against float64 reference logits from {@link #logitsByLength} of the same prompts. */
    public static LogitError errorAgainst(List<Logits> float64Reference, TransformerForward candidate, int[][] prompts) {
        return LogitComparison.compareAll(float64Reference, logitsByLength(candidate, prompts), candidate.dtype());
    }

    /** Logits of {@code prompts}, one batch per distinct length (shortest first), prompts in input order within. */
    public static List<Logits> logitsByLength(TransformerForward model, int[][] prompts) {
        if (prompts.length == 0) throw new IllegalArgumentException("the prompt set is empty");
        Map<Integer, List<int[]>> byLength = new TreeMap<>();
        for (int[] p : prompts) byLength.computeIfAbsent(p.length, k -> new ArrayList<>()).add(p);
        List<Logits> out = new ArrayList<>();
        for (List<int[]> group : byLength.values()) out.add(model.logits(group.toArray(int[][]::new)));
        return out;
    }
}
