package dev.editgate.reports;

import dev.editgate.reports.model.Counterexample;
import dev.editgate.reports.model.Environment;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.HeadNorms;
import dev.editgate.reports.model.Heatmap;
import dev.editgate.reports.model.LogitErrors;
import dev.editgate.reports.model.Plots;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.RunInfo;
import dev.editgate.reports.model.Spectrum;
import dev.editgate.reports.model.StageReport;
import dev.editgate.reports.model.Table;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Realistic reports of pythia-160m shape (12 heads, layer 6) for tests and for looking at the renderings. */
final class SampleReports {

    static final int HEADS = 12;
    static final long SEED = 8_675_309L;
    static final String DIAGNOSIS =
            "QKV rows were permuted as if laid out [3, heads, head_dim]; GPT-NeoX stores [heads, 3, head_dim]";

    private SampleReports() {}

    /** A passing run: all four stages passed, full plot data. */
    static GateReport passing() {
        Random rnd = new Random(1);
        List<StageReport> stages = List.of(
                new StageReport("structural", StageReport.Status.PASSED, "", Duration.ofMillis(1_840), List.of(
                        prop("qkv_row_blocks_move_with_heads", "QKV weight and bias row blocks of 3*head_dim follow π", 200, 410),
                        prop("dense_column_blocks_move_with_heads", "dense.weight column blocks of head_dim follow π", 200, 380),
                        prop("other_tensors_untouched", "every tensor outside attention is byte-identical", 200, 1_050))),
                new StageReport("numeric", StageReport.Status.PASSED, "", Duration.ofMillis(21_300), List.of(
                        prop("block_norms_permute", "edited block norm i equals original block norm π(i)", 200, 2_900),
                        prop("spectra_invariant", "singular values of QKV and dense unchanged", 50, 18_400))),
                new StageReport("functional", StageReport.Status.PASSED, "", Duration.ofMillis(95_700), List.of(
                        prop("logits_within_dtype_error", "edited logits stay within the derived fp16 tolerance of the fp64 original", 100, 95_700))),
                new StageReport("behavioural", StageReport.Status.PASSED, "", Duration.ofMillis(12_400), List.of(
                        prop("probe_answers_unchanged", "greedy answers to the probe prompts do not change", 20, 12_400))));
        Plots plots = new Plots(logitErrors(rnd, 1.0), headNorms(rnd, identityPlus(new int[] {3, 7, 1})),
                spectra(rnd), probeTables(), List.of(heatmap(rnd)));
        return new GateReport(GateReport.SCHEMA_VERSION, Instant.parse("2026-11-24T14:02:11Z"), Duration.ofMillis(131_240),
                GateReport.Verdict.PASS, run(), environment(), stages, plots, reproduce());
    }

    /** A failing run: the structural stage catches the [3, heads, head_dim] layout bug; later stages skipped. */
    static GateReport failing() {
        Random rnd = new Random(2);
        int[] original = {3, 0, 1, 2, 5, 4, 6, 7, 8, 11, 9, 10};
        int[] shrunk = identityPlus(new int[] {0, 1, 2});
        Counterexample c = new Counterexample(shrunk, "(0 1 2)", original, Format.cycles(original), 17);
        PropertyReport failed = new PropertyReport("qkv_row_blocks_move_with_heads",
                "QKV weight and bias row blocks of 3*head_dim follow π", PropertyReport.Status.FAILED, 3,
                Duration.ofMillis(212), SEED, c,
                "gpt_neox.layers.6.attention.query_key_value.weight: edited rows 0..191 (head 0) should equal original rows 192..383 (head 1);\n"
                        + "row 64 (head 0, k, dim 0) holds original row 832 (head 4, q, dim 0); max |diff| 2.93",
                DIAGNOSIS, Map.of("moved heads = 3", 1L, "moved heads = 5", 1L, "moved heads = 9", 1L));
        List<StageReport> stages = List.of(
                new StageReport("structural", StageReport.Status.FAILED, "qkv_row_blocks_move_with_heads failed", Duration.ofMillis(640), List.of(
                        failed,
                        prop("dense_column_blocks_move_with_heads", "dense.weight column blocks of head_dim follow π", 200, 380),
                        prop("other_tensors_untouched", "every tensor outside attention is byte-identical", 200, 1_050))),
                skipped("numeric"), skipped("functional"), skipped("behavioural"));
        Plots plots = new Plots(null, headNorms(rnd, null), List.of(), List.of(), List.of());
        return new GateReport(GateReport.SCHEMA_VERSION, Instant.parse("2026-11-24T14:07:45Z"), Duration.ofMillis(2_910),
                GateReport.Verdict.FAIL, run(), environment(), stages, plots, reproduce());
    }

    private static StageReport skipped(String name) {
        return new StageReport(name, StageReport.Status.SKIPPED, "skipped because stage structural failed", Duration.ZERO, List.of());
    }

    private static PropertyReport prop(String name, String description, int tries, long ms) {
        return new PropertyReport(name, description, PropertyReport.Status.PASSED, tries, Duration.ofMillis(ms), SEED, null, "", "",
                Map.of("moved heads = 2", (long) tries / 4, "moved heads = 12", (long) tries / 3, "identity", 1L));
    }

    private static RunInfo run() {
        return new RunInfo("EleutherAI/pythia-160m", "step143000",
                "/root/.cache/huggingface/hub/models--EleutherAI--pythia-160m/snapshots/50f5173d932e8e61f858120bcb800b97af589f46",
                "9f1c0e4ab2d37c55", "float16", "float16", "cpu", 6, HEADS, "built-in GPT-NeoX head permutation", SEED, 200,
                List.of("The capital of France is", "Is 9.8 larger than 9.11? Answer:", "def fibonacci(n):"));
    }

    private static Environment environment() {
        return new Environment("0.1.0-SNAPSHOT", "17.0.13 (Eclipse Adoptium)", "Linux 6.1 amd64", "0.36.0", "2.7.1", "cpu",
                List.of("softmax computed in float32 for float16 inputs"));
    }

    private static String reproduce() {
        return "editgate gate --model EleutherAI/pythia-160m --revision step143000 --layer 6 --dtype float16 --device cpu "
                + "--seed " + SEED + " --tries 200 --report target/editgate";
    }

    static int[] identityPlus(int[] cycle) {
        int[] p = new int[HEADS];
        for (int i = 0; i < HEADS; i++) p[i] = i;
        for (int k = 0; k < cycle.length; k++) p[cycle[k]] = cycle[(k + 1) % cycle.length];
        return p;
    }

    /** Half-precision-like errors: log-normal around 2e-3, edited a touch wider, tolerance above both. */
    private static LogitErrors logitErrors(Random rnd, double editedScale) {
        int n = 4 * 16; // 4 prompts x 16 positions (max |Δ| over the vocabulary per position)
        double[] base = new double[n];
        double[] edited = new double[3 * n];
        for (int i = 0; i < n; i++) base[i] = 2e-3 * Math.exp(0.6 * rnd.nextGaussian());
        for (int i = 0; i < edited.length; i++) edited[i] = editedScale * 2.2e-3 * Math.exp(0.6 * rnd.nextGaussian());
        double bmax = java.util.Arrays.stream(base).max().orElse(0);
        double emax = java.util.Arrays.stream(edited).max().orElse(0);
        return new LogitErrors("float16", 2.5e-2, bmax, emax, emax / 18.3, "prompt 2, position 7, token 311", base, edited);
    }

    /** Norms for QKV (row blocks) and dense (column blocks); edited = original permuted by π, or scrambled when π is null. */
    private static List<HeadNorms> headNorms(Random rnd, int[] pi) {
        String[] labels = new String[HEADS];
        for (int i = 0; i < HEADS; i++) labels[i] = "h" + i;
        List<HeadNorms> out = new ArrayList<>();
        for (String t : new String[] {"gpt_neox.layers.6.attention.query_key_value.weight", "gpt_neox.layers.6.attention.dense.weight"}) {
            double[] o = new double[HEADS];
            for (int i = 0; i < HEADS; i++) o[i] = 9 + 4 * rnd.nextDouble();
            double[] e = new double[HEADS];
            for (int i = 0; i < HEADS; i++) e[i] = pi != null ? o[pi[i]] : o[i] * (0.8 + 0.4 * rnd.nextDouble());
            out.add(new HeadNorms(t, labels, o, e));
        }
        return out;
    }

    /** 768 singular values of a 2304x768 (QKV) and a 768x768 (dense) matrix, decaying like trained weights. */
    private static List<Spectrum> spectra(Random rnd) {
        List<Spectrum> out = new ArrayList<>();
        for (String t : new String[] {"gpt_neox.layers.6.attention.query_key_value.weight [2304x768]",
                "gpt_neox.layers.6.attention.dense.weight [768x768]"}) {
            double[] s = new double[768];
            for (int i = 0; i < s.length; i++) s[i] = 40 * Math.pow(i + 1, -0.55) * (1 + 0.01 * rnd.nextGaussian()) + 0.02;
            java.util.Arrays.sort(s);
            for (int i = 0; i < s.length / 2; i++) { double x = s[i]; s[i] = s[s.length - 1 - i]; s[s.length - 1 - i] = x; }
            out.add(new Spectrum(t, s, s.clone(), s[0] / s[s.length - 1], s[0] / s[s.length - 1]));
        }
        return out;
    }

    private static List<Table> probeTables() {
        return List.of(new Table("Probe answers (greedy, 8 tokens)", List.of("prompt", "original", "edited", "same"), List.of(
                List.of("The capital of France is", " Paris, and the capital of", " Paris, and the capital of", "yes"),
                List.of("Is 9.8 larger than 9.11? Answer:", " No", " No", "yes"),
                List.of("def fibonacci(n):", "\n    if n <= 1:", "\n    if n <= 1:", "yes"))));
    }

    private static Heatmap heatmap(Random rnd) {
        String[] rows = new String[HEADS];
        for (int i = 0; i < HEADS; i++) rows[i] = "head " + i;
        String[] cols = {"p0", "p1", "p2"};
        double[][] o = new double[HEADS][3];
        for (double[] r : o) for (int j = 0; j < 3; j++) r[j] = rnd.nextGaussian() * 0.4;
        int[] pi = identityPlus(new int[] {3, 7, 1});
        double[][] e = new double[HEADS][];
        for (int i = 0; i < HEADS; i++) e[i] = o[pi[i]].clone();
        return new Heatmap("Head patching effect on the answer logit (per prompt)", rows, cols, o, e);
    }
}
