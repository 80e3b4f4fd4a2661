package dev.editgate.gate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.CheckpointWriter;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.edit.TensorBlocks;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.core.structure.BitExactComparison;
import dev.editgate.fixtures.FixtureSpec;
import dev.editgate.fixtures.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code editgate permute} and {@code editgate diff} end to end on the tiny fixture (6 heads, 2 layers). */
class EditgateCliTest {
    @TempDir Path dir;
    Path model;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            var cl = EditgateCli.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, bytes.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    @BeforeEach
    void tinyModel() {
        model = dir.resolve("tiny");
        Fixtures.write(FixtureSpec.tiny(DType.F16), model);
    }

    @Test
    void permuteWritesTheCorrectCheckpointAndDiffConfirmsIt() throws Exception {
        Path out = dir.resolve("permuted");
        byte[] before = Files.readAllBytes(model.resolve("model.safetensors"));
        Run r = run("permute", "--model", model.toString(), "--layer", "1", "--perm", "(0 1 2)(4 5)", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + out).contains("layer 1").contains("(0 1 2)(4 5)").contains("[1,2,0,3,5,4]");
        assertThat(Files.readAllBytes(model.resolve("model.safetensors"))).isEqualTo(before);
        assertThat(Files.readString(out.resolve("tokenizer.json"))).isEqualTo(Files.readString(model.resolve("tokenizer.json")));
        Checkpoint original = Checkpoint.load(model), edited = Checkpoint.load(out);
        Checkpoint expected = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 1, Permutation.parse("(0 1 2)(4 5)", 6));
        assertThat(BitExactComparison.compare(expected.tensors(), edited.tensors()).identical()).isTrue();

        Run d = run("diff", "--original", model.toString(), "--edited", out.toString(), "--layer", "1", "--perm", "[1,2,0,3,5,4]");
        assertThat(d.exit()).as(d.out() + d.err()).isZero();
        assertThat(d.out()).contains("3 differ bit-wise").contains("locality").contains("holds")
                .contains("implied permutation: [1,2,0,3,5,4] = (0 1 2)(4 5)")
                .contains("consistent with --perm (0 1 2)(4 5): yes").contains("verdict: structurally consistent");

        Run noLayer = run("diff", "--original", model.toString(), "--edited", out.toString());
        assertThat(noLayer.exit()).isZero();
        assertThat(noLayer.out()).contains("layer 1 head blocks").doesNotContain("layer 0 head blocks");

        Run wrongPerm = run("diff", "--original", model.toString(), "--edited", out.toString(), "--layer", "1", "--perm", "(0 1)");
        assertThat(wrongPerm.exit()).isEqualTo(EditgateCli.EXIT_GATE_FAILED);
        assertThat(wrongPerm.out()).contains("consistent with --perm (0 1): NO").contains("verdict: structural check FAILED");

        Run wrongLayer = run("diff", "--original", model.toString(), "--edited", out.toString(), "--layer", "0");
        assertThat(wrongLayer.exit()).isEqualTo(EditgateCli.EXIT_GATE_FAILED);
        assertThat(wrongLayer.out()).contains("VIOLATED by [gpt_neox.layers.1.attention.dense.weight");
    }

    @Test
    void identityAndUnchangedCopiesAreConsistent() {
        Path out = dir.resolve("identity");
        assertThat(run("permute", "--model", model.toString(), "--layer", "0", "--perm", "()", "--out", out.toString()).exit()).isZero();
        Run d = run("diff", "--original", model.toString(), "--edited", out.toString(), "--layer", "0", "--perm", "[0,1,2,3,4,5]");
        assertThat(d.exit()).isZero();
        assertThat(d.out()).contains("0 differ bit-wise").contains("verdict: structurally consistent");
    }

    @Test
    void qkvPermutedButDenseNotIsCaught() {
        Checkpoint original = Checkpoint.load(model);
        Permutation p = Permutation.parse("(0 1)", 6);
        Tensor qkv = original.tensor(GptNeoxNames.qkvWeight(0)), bias = original.tensor(GptNeoxNames.qkvBias(0));
        Checkpoint broken = original.withTensors(Map.of(qkv.name(), TensorBlocks.permuteRowBlocks(qkv, 6, p),
                bias.name(), TensorBlocks.permuteRowBlocks(bias, 6, p)));
        Path out = dir.resolve("broken");
        CheckpointWriter.write(broken, out, model, Map.of());
        Run d = run("diff", "--original", model.toString(), "--edited", out.toString(), "--layer", "0", "--perm", "(0 1)");
        assertThat(d.exit()).isEqualTo(EditgateCli.EXIT_GATE_FAILED);
        assertThat(d.out()).contains("none (blocks do not move as whole heads)").contains("NO").contains("FAILED");
    }

    @Test
    void zeroBiasesLikePythiaStep0DoNotFailACorrectPermutation() {
        Checkpoint original = Checkpoint.load(model);
        Tensor bias = original.tensor(GptNeoxNames.qkvBias(1));
        Path step0 = dir.resolve("step0");
        CheckpointWriter.write(original.withTensors(Map.of(bias.name(),
                Tensor.of(bias.name(), DType.F16, bias.shape(), new double[(int) bias.numel()]))), step0, model, Map.of());
        Path out = dir.resolve("step0-permuted");
        assertThat(run("permute", "--model", step0.toString(), "--layer", "1", "--perm", "(0 1)", "--out", out.toString()).exit()).isZero();
        Run d = run("diff", "--original", step0.toString(), "--edited", out.toString(), "--layer", "1", "--perm", "(0 1)");
        assertThat(d.exit()).as(d.out()).isZero();
        assertThat(d.out()).contains("consistent with --perm (0 1): yes");
    }

    @Test
    void badInputExitsTwoWithAMessageNamingTheFlag() {
        Path out = dir.resolve("o");
        Run layer = run("permute", "--model", model.toString(), "--layer", "5", "--perm", "(0 1)", "--out", out.toString());
        assertThat(layer.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(layer.err()).contains("--layer 5 is out of range: the model has 2 layers (0..1)");
        Run dup = run("permute", "--model", model.toString(), "--layer", "0", "--perm", "[0,0,1,2,3,4]", "--out", out.toString());
        assertThat(dup.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(dup.err()).contains("--perm").contains("value 0 appears more than once");
        Run range = run("permute", "--model", model.toString(), "--layer", "0", "--perm", "(0 9)", "--out", out.toString());
        assertThat(range.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(range.err()).contains("--perm").contains("out of range 0..5");
        Run len = run("permute", "--model", model.toString(), "--layer", "0", "--perm", "[1,0]", "--out", out.toString());
        assertThat(len.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(len.err()).contains("--perm").contains("has 2 entries; expected 6");
        Run same = run("permute", "--model", model.toString(), "--layer", "0", "--perm", "(0 1)", "--out", model.toString());
        assertThat(same.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(same.err()).contains("is the input model folder");
        Run missing = run("permute", "--model", "EleutherAI/no-such-model", "--layer", "0", "--perm", "(0 1)", "--out", out.toString());
        assertThat(missing.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(missing.err()).contains("model 'EleutherAI/no-such-model'").contains("Looked in").contains("huggingface-cli download");
        Run flag = run("permute", "--model", model.toString(), "--layer", "0");
        assertThat(flag.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(flag.err()).contains("Missing required options").contains("--perm").contains("--out");
        Run none = run();
        assertThat(none.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(none.err()).contains("missing command");
        Run diffLayer = run("diff", "--original", model.toString(), "--edited", model.toString(), "--layer", "7");
        assertThat(diffLayer.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(diffLayer.err()).contains("--layer 7 is out of range");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void corruptCheckpointIsAUserError() throws Exception {
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        Files.copy(model.resolve("config.json"), bad.resolve("config.json"));
        byte[] bytes = Files.readAllBytes(model.resolve("model.safetensors"));
        Files.write(bad.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Run r = run("diff", "--original", model.toString(), "--edited", bad.toString());
        assertThat(r.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(r.err()).contains(bad.resolve("model.safetensors").toString()).contains("file truncated?");
    }
}
