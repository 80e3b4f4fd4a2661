package dev.editgate.gate.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.contract.Clause;
import dev.editgate.core.contract.ClauseResult;
import dev.editgate.core.contract.Contract;
import dev.editgate.core.contract.ContractEdit;
import dev.editgate.core.contract.ContractParser;
import dev.editgate.core.contract.EditRequest;
import dev.editgate.core.contract.RankOneKeyValueEdit;
import dev.editgate.core.external.ExternalEditSpec;
import dev.editgate.fixtures.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Edits run as a class ({@code class:}), once per generated request, and as an external protocol-2 worker. */
class ContractEditModesTest {
    /** A lab's JVM edit: the reference knowledge edit, recording every request it was asked. */
    public static final class RecordingKnowledgeEdit implements ContractEdit {
        static final List<EditRequest> SEEN = new ArrayList<>();

        @Override
        public Checkpoint apply(Checkpoint original, EditRequest request) {
            SEEN.add(request);
            return new RankOneKeyValueEdit().apply(original, request);
        }
    }

    @Test
    void editThatTakesParametersIsCalledOncePerGeneratedRequest() {
        Path folder = Fixtures.named("tiny");
        Map<String, String> m = new LinkedHashMap<>();
        m.put("edit.name", "knowledge");
        m.put("edit.params", "{\"layer\": 1}");
        m.put("edit.takes-params", "true");
        m.put("edit.requests", "3");
        m.put("tensors.allowed", "gpt_neox.layers.1.mlp.dense_4h_to_h.weight");
        m.put("max-rank", "1");
        m.put("preservation.bound", "10");
        m.put("preservation.tries", "12");
        m.put("preservation.seed", "4");
        Contract c = ContractParser.parse(m, Path.of("."));
        RecordingKnowledgeEdit.SEEN.clear();
        ContractEdits.Resolved r = ContractEdits.resolve("class:" + RecordingKnowledgeEdit.class.getName(), folder, null, null);
        ContractVerdict v = new ContractGate(c, folder, ContractGate.Options.defaults()).judge(r.edit(), r.description(), r.defaultName());
        System.out.println(v.summary());
        assertThat(RecordingKnowledgeEdit.SEEN).hasSize(3);
        assertThat(RecordingKnowledgeEdit.SEEN).allSatisfy(req -> {
            assertThat(req.edit()).isEqualTo("knowledge");
            assertThat(req.params().get("layer").asInt()).isEqualTo(1);
            assertThat(req.params().get("prompt_ids").size()).isGreaterThanOrEqualTo(2);
            assertThat(req.params().has("target_id")).isTrue();
        });
        assertThat(RecordingKnowledgeEdit.SEEN.stream().map(q -> q.params().get("prompt_ids").toString()).distinct()).hasSize(3);
        assertThat(v.result(Clause.EFFECT).orElseThrow().status()).as(v.summary()).isEqualTo(ClauseResult.Status.PASSED);
        assertThat(v.result(Clause.EFFECT).orElseThrow().details()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(v.passed()).as(v.summary()).isTrue();
    }

    private static ContractVerdict external(String variant) throws Exception {
        Path python = Path.of("../python").toAbsolutePath().normalize();
        Path worker = Path.of("src/test/resources/contract/prune_head_worker.py").toAbsolutePath();
        Assumptions.assumeTrue(Files.isDirectory(python.resolve("editgate_client")), "the python client is not in " + python);
        Assumptions.assumeTrue(new ProcessBuilder("python3", "-c", "import numpy").start().waitFor() == 0, "python3 with numpy is needed");
        Path folder = Fixtures.named("tiny");
        Contract c = ContractParser.parse(Map.of("edit.name", "head-pruning", "edit.params", "{\"layer\": 1, \"head\": 2}",
                "tensors.allowed", "gpt_neox.layers.1.attention.dense.weight", "max-rank", "8", "max-relative-norm", "0.8",
                "preservation.bound", "0.3", "preservation.tries", "20", "preservation.seed", "2"), Path.of("."));
        try (ContractEdits.Resolved r = ContractEdits.resolve("command:python3 " + worker + " " + python + " " + variant, folder,
                ExternalEditSpec.Mode.WORKER, Duration.ofSeconds(60))) {
            ContractVerdict v = new ContractGate(c, folder, ContractGate.Options.defaults()).judge(r.edit(), r.description(), r.defaultName());
            System.out.println(v.summary());
            return v;
        }
    }

    @Test
    void externalProtocolTwoWorkerGetsTheParamsAndPasses() throws Exception {
        ContractVerdict v = external("ok");
        assertThat(v.passed()).as(v.summary()).isTrue();
        assertThat(v.result(Clause.RANK).orElseThrow().details().get(0)).contains("rank 8");
    }

    @Test
    void externalWorkerThatPrunesTwoHeadsFailsTheRankClause() throws Exception {
        ContractVerdict v = external("wrong-head");
        assertThat(v.failedClauses()).as(v.summary()).contains(Clause.RANK);
        assertThat(v.result(Clause.RANK).orElseThrow().summary()).isEqualTo("gpt_neox.layers.1.attention.dense.weight has rank 16 > 8");
    }
}
