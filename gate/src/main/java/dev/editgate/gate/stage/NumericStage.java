package dev.editgate.gate.stage;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.numeric.HeadBlockNorms;
import dev.editgate.core.numeric.NonFinite;
import dev.editgate.core.numeric.NonFiniteScan;
import dev.editgate.core.numeric.Spectra;
import dev.editgate.core.numeric.Spectrum;
import dev.editgate.gate.GateSession;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import dev.editgate.reports.model.HeadNorms;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Numbers a head permutation must carry exactly: per-head block norms (edited head i has the norms of
 * original head π(i)), singular values and condition numbers of every head weight matrix (QKV and dense for GPT-NeoX), and no NaN
 * or Inf anywhere in the edited tensors. Original norms and spectra are computed once per run.
 */
public final class NumericStage implements Stage {
    /** Spectra agree to this relative error: a row/column permutation changes only the summation order of the Gram matrix. */
    static final double SPECTRUM_REL_TOL = 1e-9;
    /** Spectra cost a 768×768 eigendecomposition at pythia scale, so they are checked on a few permutations only. */
    static final int SPECTRUM_TRIES = 3;

    /** The original's norms and spectra, computed once in {@link #properties} and reused for the plots. */
    private HeadBlockNorms before;
    private final Map<String, Spectrum> spectraBefore = new LinkedHashMap<>();

    @Override
    public String name() { return "numeric"; }

    @Override
    public String purpose() { return "per-head norms, singular values and condition numbers are carried over, no NaN/Inf"; }

    @Override
    public String purpose(GateSession s) {
        if (s.isHeadPermutation()) return purpose();
        return s.kind().claimsNormsAndSpectra() ? "per-" + s.kind().blockNoun() + " norms, singular values and condition numbers are carried over, no NaN/Inf"
                : "no NaN/Inf (" + s.kind().name() + " claims no norm or spectrum invariant)";
    }

    @Override
    public List<GateProperty<?>> properties(GateSession s) {
        if (!s.isHeadPermutation()) return KindProperties.numeric(s, s.kind());
        Checkpoint original = s.original();
        int layer = s.layer();
        before = HeadBlockNorms.of(original, layer);
        spectraBefore.clear();
        for (String t : spectrumTensors(original, layer)) spectraBefore.put(t, Spectra.of(original.tensor(t)));
        Gen<Permutation> perms = Gens.headPermutations(s.heads(), s.original().config().numKeyValueHeads());
        return List.of(
                new GateProperty<Permutation>("per-head block norms are carried exactly",
                        "the Frobenius norm of every per-head block (q, k, v, biases, output projection) of edited head i equals that of original head π(i)",
                        perms, s.config().tries(),
                        p -> checkNorms(before, HeadBlockNorms.of(s.applyEdit(p), layer), p)),
                new GateProperty<Permutation>("no NaN or Inf in edited tensors",
                        "every tensor the edit may touch is finite",
                        perms, s.config().tries(),
                        p -> {
                            Checkpoint edited = s.applyEdit(p);
                            for (String t : BuiltInHeadPermutation.touchedTensors(original, layer)) {
                                NonFiniteScan scan = NonFinite.scan(edited.tensor(t));
                                if (scan.nanCount() + scan.infCount() > 0) {
                                    throw new AssertionError(t + ": " + scan.nanCount() + " NaN and " + scan.infCount()
                                            + " Inf values, the first at flat index " + scan.firstIndex());
                                }
                            }
                        }),
                new GateProperty<Permutation>("singular values and condition numbers are preserved",
                        "the spectra of " + spectrumTensors(original, layer) + " equal the original's (relative " + SPECTRUM_REL_TOL + ")",
                        perms, Math.min(SPECTRUM_TRIES, s.config().tries()),
                        p -> {
                            Checkpoint edited = s.applyEdit(p);
                            for (var e : spectraBefore.entrySet()) {
                                Spectrum after = Spectra.of(edited.tensor(e.getKey()));
                                if (!Spectra.sameSpectrum(e.getValue(), after, SPECTRUM_REL_TOL)) {
                                    throw new AssertionError(e.getKey() + ": singular values changed (condition number "
                                            + e.getValue().conditionNumber() + " -> " + after.conditionNumber() + ")");
                                }
                            }
                        }));
    }

    /** Plots for one representative permutation, the reversal (it moves every head when heads is even). */
    @Override
    public void collectPlots(GateSession s) {
        if (!s.isHeadPermutation()) return; // the norm bars and spectra plots are per head
        int layer = s.layer();
        Permutation p = reversal(s.heads());       // keeps KV groups together: group j <-> group kv-1-j, reversed inside
        Checkpoint edited;
        try {
            edited = s.applyEdit(p);
        } catch (RuntimeException | AssertionError e) {
            return;
        }
        HeadBlockNorms a = before;
        HeadBlockNorms b = HeadBlockNorms.of(edited, layer);
        // Bars pair edited head i with the original head it must carry, π(i): equal bars prove the norms moved intact.
        String[] labels = new String[s.heads()];
        for (int i = 0; i < labels.length; i++) labels[i] = "new " + i + " ← old " + p.apply(i);
        String prefix = "layer " + layer + " (π = " + p.toCycleString() + ") ";
        HeadBlockNorms expected = a.permuted(p);
        double[][] want = expected.all(), got = b.all();
        for (int part = 0; part < want.length; part++) {
            String label = a.labels().get(part);
            if (label.endsWith("bias")) continue;
            String[] rowLabels = want[part].length == labels.length ? labels : kvLabels(p, s.original().config().groupSize());
            s.addHeadNorms(new HeadNorms(prefix + label, rowLabels, want[part], got[part]));
        }
        for (String t : spectrumTensors(s.original(), layer)) {
            Spectrum original = spectraBefore.get(t);
            Spectrum after = Spectra.of(edited.tensor(t));
            s.addSpectrum(new dev.editgate.reports.model.Spectrum(t, original.singularValues(), after.singularValues(),
                    original.conditionNumber(), after.conditionNumber()));
        }
    }

    /** {@code out[i] = values[π(i)]}: the original norms in the order the edited heads should have them. */
    static double[] permuted(double[] values, Permutation p) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) out[i] = values[p.apply(i)];
        return out;
    }

    static Permutation reversal(int n) {
        int[] image = new int[n];
        for (int i = 0; i < n; i++) image[i] = n - 1 - i;
        return Permutation.of(image);
    }

    /** Bar labels for KV heads: new KV head j carries old KV head σ(j). */
    private static String[] kvLabels(Permutation p, int groupSize) {
        Permutation sigma = dev.editgate.core.edit.GroupedHeads.kvPermutation(p, groupSize);
        String[] out = new String[sigma.size()];
        for (int j = 0; j < out.length; j++) out[j] = "new KV " + j + " ← old " + sigma.apply(j);
        return out;
    }

    /** The weight matrices whose spectra a head permutation preserves: every 2-D tensor of the head view. */
    private static List<String> spectrumTensors(Checkpoint ck, int layer) {
        return BuiltInHeadPermutation.touchedTensors(ck, layer).stream().filter(t -> ck.tensor(t).rank() == 2).toList();
    }

    private static void checkNorms(HeadBlockNorms before, HeadBlockNorms after, Permutation p) {
        double[][] want = before.permuted(p).all(), got = after.all();
        for (int part = 0; part < want.length; part++) {
            for (int i = 0; i < want[part].length; i++) {
                if (Double.compare(got[part][i], want[part][i]) != 0) {
                    throw new AssertionError(before.labels().get(part) + " block of head " + i + " has norm " + got[part][i]
                            + ", expected " + want[part][i] + " (the original block π moves there)");
                }
            }
        }
    }
}
