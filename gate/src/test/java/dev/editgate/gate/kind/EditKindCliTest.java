package dev.editgate.gate.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.fixtures.PythonClient;
import dev.editgate.gate.Gate;
import dev.editgate.gate.GateListener;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --edit-kind from the settings: errors that name the flag, and an external protocol-2 worker judged by the gate. */
class EditKindCliTest {

    static GateConfig config(Path report, Map<GateKey, String> extra) {
        Map<GateKey, String> m = new EnumMap<>(GateKey.class);
        m.put(GateKey.REPORT, report.toString());
        m.put(GateKey.SEED, "5");
        m.put(GateKey.TRIES, "8");
        m.putAll(extra);
        return GateConfig.resolve(m, new Properties());
    }

    @Test
    void anUnknownKindNamesTheFlagAndEveryKind(@TempDir Path tmp) {
        assertThatThrownBy(() -> config(tmp, Map.of(GateKey.EDIT_KIND, "neuron-shuffle")))
                .hasMessageStartingWith("--edit-kind 'neuron-shuffle': unknown edit kind; expected one of [head-permutation, kv-group-permutation,"
                        + " mlp-permutation, residual-permutation, qk-scaling, vo-scaling, up-down-scaling]");
        assertThat(config(tmp, Map.of()).editKind()).isEqualTo("head-permutation");
    }

    @Test
    void layerIsAnErrorForTheWholeModelKind(@TempDir Path tmp) {
        GateConfig c = config(tmp.resolve("r"), Map.of(GateKey.EDIT_KIND, "residual-permutation", GateKey.LAYER, "1"));
        assertThatThrownBy(() -> new Gate(c, GateListener.NONE).run())
                .hasMessage("--layer 1: residual-permutation edits the whole model, not one layer; leave --layer out");
    }

    @Test
    void upDownScalingOnAGeluFamilyIsAClearError(@TempDir Path tmp) {
        GateConfig c = config(tmp.resolve("r"), Map.of(GateKey.EDIT_KIND, "up-down-scaling", GateKey.MODEL, "fixture:tiny-gpt2"));
        assertThatThrownBy(() -> new Gate(c, GateListener.NONE).run())
                .hasMessageContaining("up-down-scaling is not offered on the gpt2 family").hasMessageContaining("SwiGLU");
    }

    @Test
    void aMutantOfAnotherKindNamesTheKindToUse(@TempDir Path tmp) {
        GateConfig c = config(tmp.resolve("r"), Map.of(GateKey.EDIT, "mutant:mlp_out_not_permuted"));
        assertThatThrownBy(() -> new Gate(c, GateListener.NONE).run())
                .hasMessage("--edit mutant:mlp_out_not_permuted is a mlp-permutation mutant; run it with --edit-kind mlp-permutation"
                        + " (the gate was asked for head-permutation)");
    }

    @Test
    void anExternalProtocolTwoWorkerPassesTheGate(@TempDir Path tmp) {
        Assumptions.assumeTrue(PythonClient.get().available(), () -> PythonClient.get().unavailableReason());
        String script = Path.of("src/test/resources/kind_workers/neox_mlp_permutation_v2.py").toAbsolutePath().toString();
        GateConfig c = config(tmp.resolve("r"), Map.of(GateKey.EDIT_KIND, "mlp-permutation",
                GateKey.EDIT, "command:" + PythonClient.get().executable() + " " + script));
        GateReport r = new Gate(c, GateListener.NONE).run();
        assertThat(r.verdict()).as(r.stages().stream().map(s -> s.name() + " " + s.reason()).toList().toString()).isEqualTo(GateReport.Verdict.PASS);
        assertThat(r.stages().get(0).status()).isEqualTo(StageReport.Status.PASSED);
    }
}
