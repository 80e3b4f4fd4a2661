package dev.editgate.gate.shapes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.gate.GateListener;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.JsonReport;
import dev.editgate.reports.MarkdownReport;
import dev.editgate.reports.HtmlReport;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.ShapesReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gate over generated shapes: the built-in edit passes on every family with no false alarm ({@code editgate.shapeRuns}
 * models per family, default 12; the 200 are {@code -Deditgate.shapeRuns=200}), and every shape-dependent mutant
 * is rejected with the smallest failing config, a one-option flip of it that passes, and the diagnosis that difference gives.
 */
class ShapeSweepTest {
    static GateConfig config(Path report, String family, int shapes, String edit, long seed) {
        Map<GateKey, String> m = new EnumMap<>(GateKey.class);
        m.put(GateKey.MODEL, "shapes:" + family);
        m.put(GateKey.SHAPES, Integer.toString(shapes));
        m.put(GateKey.EDIT, edit);
        m.put(GateKey.SEED, Long.toString(seed));
        m.put(GateKey.REPORT, report.toString());
        return GateConfig.resolve(m, new Properties());
    }

    static Stream<String> families() {
        return ShapeGen.FAMILIES.stream();
    }

    @ParameterizedTest
    @MethodSource("families")
    void builtInEditPassesOnEveryGeneratedShape(String family, @TempDir Path tmp) {
        int n = Integer.getInteger("editgate.shapeRuns", 12);
        long t0 = System.nanoTime();
        GateReport r = new ShapeSweep(config(tmp, family, n, "builtin", 20261204L), GateListener.NONE).run();
        ShapesReport s = r.shapes();
        System.out.printf("shapes:%s builtin: %s, %d models in %.1f s (per model: write %.1f ms, structural %.1f ms, numeric %.1f ms); functional on %d%n",
                family, r.verdict(), s.models().size(), (System.nanoTime() - t0) / 1e9, s.meanWriteMillis(), s.meanStructuralMillis(),
                s.meanNumericMillis(), s.functional().size());
        assertThat(r.verdict()).as(String.join("\n", s.summaryLines()) + "\n" + s.models()).isEqualTo(GateReport.Verdict.PASS);
        assertThat(s.models()).hasSize(n).allSatisfy(m -> assertThat(m.verdict()).isEqualTo("PASS"));
        assertThat(s.minimalFailing()).isNull();
        assertThat(r.stages()).extracting(StageReport::name).containsExactly("structural", "numeric", "functional");
        assertThat(s.functional()).hasSize(Math.min(n, ShapeSweep.FUNCTIONAL_MODELS)).allSatisfy(m -> assertThat(m.verdict()).isEqualTo("PASS"));
        assertThat(r.run().model()).isEqualTo("shapes:" + family);
    }

    /** Mutant, family, the option the nearest passing flip changes, what the minimal config must show, the diagnosis. */
    static Stream<Arguments> shapeDependentMutants() {
        return Stream.of(
                Arguments.of("hard_coded_group_size", "llama", "group size (heads/kv_heads): 1 → 4",
                        List.of("1 layer", "2 heads / 2 KV heads (group 1)"), "fails whenever heads/kv_heads is not 4 and there are several KV heads"),
                Arguments.of("head_dim_from_hidden", "llama", "head_dim vs hidden/heads: hidden = 2 × heads × head_dim → head_dim × heads = hidden",
                        List.of("1 layer", "1 head / 1 KV head", "(explicit, ≠ hidden/heads)"), "head_dim × heads ≠ hidden"),
                Arguments.of("bias_assumed_present", "llama", "attention biases: absent → present",
                        List.of("1 layer", "1 head / 1 KV head", "no biases"), "fails whenever biases are absent"),
                Arguments.of("bias_assumed_present", "gpt_neox", "attention biases: absent → present",
                        List.of("1 layer", "1 head,", "no biases"), "fails whenever biases are absent"),
                Arguments.of("tied_embeddings_written_twice", "llama", "embeddings: tied → untied",
                        List.of("1 layer", "1 head / 1 KV head", "tied embeddings"), "fails whenever embeddings are tied"),
                Arguments.of("tied_embeddings_written_twice", "gpt2", "embeddings: tied → untied",
                        List.of("1 layer", "1 head,", "tied embeddings"), "fails whenever embeddings are tied"));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("shapeDependentMutants")
    void shapeDependentMutantIsShrunkToTheSmallestConfigAndAOneOptionFlipThatPasses(String mutant, String family, String difference,
                                                                                      List<String> minimalShows, String diagnosis, @TempDir Path tmp) {
        long t0 = System.nanoTime();
        GateReport r = new ShapeSweep(config(tmp, family, 50, "mutant:" + mutant, 20261204L), GateListener.NONE).run();
        ShapesReport s = r.shapes();
        System.out.printf("%s on %s: %s in %.1f s%n  %s%n", mutant, family, r.verdict(), (System.nanoTime() - t0) / 1e9,
                String.join("\n  ", s.summaryLines()));
        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.FAIL);
        assertThat(s.minimalFailing()).contains(minimalShows).contains("F32").contains("head_dim 4");
        assertThat(s.difference()).isEqualTo(difference);
        assertThat(s.diagnosis()).contains(diagnosis);
        // the nearest passing config was gated: it is one of the flips, and it passed
        assertThat(s.flips()).anySatisfy(f -> {
            assertThat(f.config()).isEqualTo(s.nearestPassing());
            assertThat(f.verdict()).isEqualTo("PASS");
        });
        // the report's stages are the minimal failing model's: structural failed there, with its minimal permutation
        assertThat(r.stages().get(0).status()).isEqualTo(StageReport.Status.FAILED);
        assertThat(r.stages()).extracting(StageReport::name).containsExactly("structural", "numeric", "functional");
    }

    @Test
    void anEditThatCrashesOnSomeShapesIsAFailedTrialWithItsConfigNotAGateError(@TempDir Path tmp) {
        GateReport r = new ShapeSweep(config(tmp, "llama", 50, "mutant:bias_assumed_present", 7L), GateListener.NONE).run();
        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.FAIL);
        assertThat(r.shapes().minimalFailure()).contains("has no tensor 'model.layers.0.self_attn.q_proj.bias'");
        assertThat(r.shapes().minimalFailing()).startsWith("llama: 1 layer").contains("no biases");
    }

    /**
     * A Python edit that crashes on some shapes (a KeyError for the missing bias, answered ok:false by the worker) is a failed
     * trial of that model, shrunk like any other, not a setup error: each generated model gets its own worker.
     */
    @Test
    void aPythonEditThatCrashesOnSomeShapesIsShrunkToo(@TempDir Path tmp) {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.editgate.fixtures.PythonClient.get().available(),
                () -> dev.editgate.fixtures.PythonClient.get().unavailableReason());
        Path worker = dev.editgate.fixtures.PythonClient.sourceFolder().resolve("mutants").resolve("mutant_worker.py");
        GateReport r = new ShapeSweep(config(tmp, "llama", 50, "command:" + dev.editgate.fixtures.PythonClient.get().executable() + " " + worker
                + " --mutant bias_assumed_present", 7L), GateListener.NONE).run();
        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.FAIL);
        assertThat(r.shapes().minimalFailing()).startsWith("llama: 1 layer, 1 head / 1 KV head").contains("no biases");
        assertThat(r.shapes().minimalFailure()).contains("KeyError").contains("model.layers.0.self_attn.q_proj.bias");
        assertThat(r.shapes().difference()).isEqualTo("attention biases: absent → present");
        assertThat(r.run().edit()).startsWith("external command (worker)");
    }

    @Test
    void theReportCarriesTheShapesSectionInEveryFormat(@TempDir Path tmp) {
        GateReport r = new ShapeSweep(config(tmp, "gpt2", 50, "mutant:tied_embeddings_written_twice", 3L), GateListener.NONE).run();
        GateReport back = JsonReport.fromJson(JsonReport.toJson(r));
        assertThat(back.shapes()).isEqualTo(r.shapes());
        String md = MarkdownReport.render(r);
        assertThat(md).contains("## Generated shapes", "minimal failing config: gpt2: 1 layer", "nearest passing config:",
                "diagnosis: fails whenever embeddings are tied", "## One-option flips of the minimal failing config", "## Generated models (gpt2)",
                "\"tie_word_embeddings\" : true", "\"n_layer\" : 1");
        assertThat(HtmlReport.render(r)).contains("<section id=\"shapes\"><h2>Generated shapes</h2>", "One-option flips of the minimal failing config");
        // a single-model report has no shapes field at all
        assertThat(JsonReport.toJson(new GateReport(1, r.started(), r.elapsed(), r.verdict(), r.run(), r.environment(), r.stages(), r.plots(),
                r.reproduceCommand()))).doesNotContain("\"shapes\"");
    }

    /**
     * kv-group-permutation has nothing to permute on one KV head: those generated models are listed as not applicable and
     * the verdict rests on the others (it used to stop the whole sweep with a setup error).
     */
    @Test
    void modelsTheEditKindDoesNotApplyToAreListedAndLeftOutOfTheVerdict(@TempDir Path tmp) {
        Map<GateKey, String> m = new EnumMap<>(config(tmp, "llama", 20, "builtin", 11L).explicit());
        m.put(GateKey.EDIT_KIND, "kv-group-permutation");
        GateReport r = new ShapeSweep(GateConfig.resolve(m, new Properties()), GateListener.NONE).run();
        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.PASS);
        var rows = r.shapes().models();
        assertThat(rows).hasSize(20);
        var skipped = rows.stream().filter(x -> x.verdict().equals(ShapeSweep.NOT_APPLICABLE)).toList();
        assertThat(skipped).isNotEmpty().allSatisfy(x -> {
            assertThat(x.config()).contains("/ 1 KV head ");
            assertThat(x.failure()).contains("kv-group-permutation needs at least 2 KV heads");
        });
        assertThat(rows).filteredOn(x -> x.verdict().equals("PASS")).isNotEmpty().allSatisfy(x -> assertThat(x.config()).doesNotContain("/ 1 KV head "));
        assertThat(r.shapes().summaryLines().get(0)).startsWith((20 - skipped.size()) + " of 20 generated llama models ran, " + skipped.size()
                + " had nothing for the edit kind to judge");
    }

    @Test
    void anEditKindThatAppliesToNoGeneratedModelIsAClearError(@TempDir Path tmp) {
        Map<GateKey, String> m = new EnumMap<>(config(tmp, "gpt2", 3, "builtin", 1L).explicit());
        m.put(GateKey.EDIT_KIND, "up-down-scaling");
        assertThatThrownBy(() -> new ShapeSweep(GateConfig.resolve(m, new Properties()), GateListener.NONE).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--edit-kind up-down-scaling has nothing to judge on any of the 3 generated gpt2 models")
                .hasMessageContaining("not offered on the gpt2 family");
    }

    @Test
    void aSpentTimeBudgetStopsGeneratingAndIsInconclusive(@TempDir Path tmp) {
        Map<GateKey, String> m = new EnumMap<>(config(tmp, "gpt2", 50, "builtin", 5L).explicit());
        m.put(GateKey.TIME_BUDGET, "1ms");
        GateReport r = new ShapeSweep(GateConfig.resolve(m, new Properties()), GateListener.NONE).run();
        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.INCONCLUSIVE);
        assertThat(r.shapes().models()).hasSize(1);
        assertThat(r.stages().get(2).reason()).isEqualTo("skipped: the time budget of 1 ms was spent after 1 of 50 generated models");
    }

    @Test
    void sameSeedSameRunShrinkingIncluded(@TempDir Path tmp) {
        ShapesReport a = new ShapeSweep(config(tmp, "gpt2", 50, "mutant:tied_embeddings_written_twice", 11L), GateListener.NONE).run().shapes();
        ShapesReport b = new ShapeSweep(config(tmp, "gpt2", 50, "mutant:tied_embeddings_written_twice", 11L), GateListener.NONE).run().shapes();
        assertThat(b.models()).extracting(ShapesReport.ShapeRow::config).isEqualTo(a.models().stream().map(ShapesReport.ShapeRow::config).toList());
        assertThat(b.originalFailing()).isEqualTo(a.originalFailing());
        assertThat(b.minimalFailing()).isEqualTo(a.minimalFailing());
        assertThat(b.flips()).isEqualTo(a.flips());
        assertThat(b.diagnosis()).isEqualTo(a.diagnosis());
    }

    @Test
    void anUnknownFamilyNamesTheFlagAndTheFamilies(@TempDir Path tmp) {
        assertThatThrownBy(() -> new ShapeSweep(config(tmp, "bert", 5, "builtin", 1L), GateListener.NONE))
                .hasMessage("--model shapes:bert: unknown family; expected shapes:FAMILY with FAMILY one of gpt_neox, llama, mistral, qwen2, gpt2");
        assertThatThrownBy(() -> dev.editgate.gate.ModelChoice.resolve("shapes:llama", "main"))
                .hasMessageContaining("accepted by `editgate gate` only");
    }
}
