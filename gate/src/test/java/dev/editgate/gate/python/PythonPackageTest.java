package dev.editgate.gate.python;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.external.ExternalEditSpec;
import dev.editgate.core.external.ExternalHeadPermutationEdit;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.structure.BitExactComparison;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.fixtures.PythonClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client as a lab gets it: {@code pip install ./python} into a fresh virtual environment (numpy the
 * only dependency, no PYTHONPATH), the numpy example run from there, and {@code editgate_client.testing.check}
 * passing a correct edit function and failing a broken one with the gate's own message.
 */
class PythonPackageTest {
    @TempDir Path dir;

    record Result(int exit, String out) {}

    static Result run(List<String> command, Path cwd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().remove("PYTHONPATH");
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void pipInstallIntoAFreshVenvNeedsOnlyNumpyAndTheExampleImportsItLikeAUser() throws Exception {
        Result venv = run(List.of("python3", "-m", "venv", dir.resolve("venv").toString()), dir, Map.of());
        Assumptions.assumeTrue(venv.exit() == 0, () -> "SKIPPED: python3 -m venv cannot create a virtual environment here"
                + " (install python3-venv): " + venv.out().strip());
        Path copy = dir.resolve("python");
        copyTree(PythonClient.sourceFolder(), copy);
        Path pip = dir.resolve("venv/bin/pip");
        Result install = run(List.of(pip.toString(), "install", "--disable-pip-version-check", "-q", copy.toString()), dir,
                Map.of("PIP_RETRIES", "0", "PIP_TIMEOUT", "5"));
        if (install.exit() != 0 && install.out().matches("(?s).*(No matching distribution|Could not find a version|NewConnectionError|connection).*")) {
            Assumptions.abort("SKIPPED: pip could not fetch numpy/setuptools (no package index reachable): "
                    + install.out().strip().lines().reduce((a, b) -> b).orElse(""));
        }
        assertThat(install.exit()).as(install.out()).isZero();
        Result list = run(List.of(pip.toString(), "list", "--disable-pip-version-check", "--format=freeze"), dir, Map.of());
        List<String> installed = list.out().lines().map(l -> l.split("==")[0].toLowerCase(java.util.Locale.ROOT)).toList();
        assertThat(installed).contains("editgate-client", "numpy")
                .allMatch(n -> List.of("editgate-client", "numpy", "pip", "setuptools", "wheel").contains(n));

        Path python = dir.resolve("venv/bin/python");
        Path example = PythonClient.sourceFolder().resolve("examples/numpy_head_permutation.py");
        Path model = Fixtures.tiny(DType.F32);
        Checkpoint original = Checkpoint.load(model);
        Permutation perm = Permutation.parse("(0 2 5)", original.config().numAttentionHeads());
        var spec = new ExternalEditSpec(List.of(python.toString(), example.toString()), ExternalEditSpec.Mode.WORKER, Duration.ofSeconds(60), dir);
        try (var edit = ExternalHeadPermutationEdit.of(spec, model)) {
            Checkpoint edited = edit.permuteHeads(original, 1, perm);
            Checkpoint expected = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 1, perm);
            assertThat(BitExactComparison.compare(expected.tensors(), edited.tensors()).differences()).isEmpty();
        }
    }

    @Test
    void testingCheckPassesACorrectFunctionAndFailsABrokenOneWithTheGatesMessage() throws Exception {
        PythonClient client = PythonClient.get();
        Assumptions.assumeTrue(client.available(), client::unavailableReason);
        Files.writeString(dir.resolve("lab_edits.py"), """
                import json, os

                def _parts(tensors, request):
                    layer, perm = request["layer"], request["permutation"]
                    with open(os.path.join(request["input"], "config.json")) as f:
                        heads = json.load(f)["num_attention_heads"]
                    p = f"gpt_neox.layers.{layer}.attention."
                    return p, perm, heads, tensors[p + "query_key_value.weight"], tensors[p + "query_key_value.bias"], tensors[p + "dense.weight"]

                def correct(tensors, request):
                    p, perm, heads, w, b, d = _parts(tensors, request)
                    hidden = d.shape[0]
                    return {p + "query_key_value.weight": w.reshape(heads, -1, hidden)[perm].reshape(w.shape),
                            p + "query_key_value.bias": b.reshape(heads, -1)[perm].reshape(b.shape),
                            p + "dense.weight": d.reshape(hidden, heads, -1)[:, perm].reshape(d.shape)}

                def qkv_only(tensors, request):  # forgets dense
                    p, perm, heads, w, b, d = _parts(tensors, request)
                    hidden = d.shape[0]
                    return {p + "query_key_value.weight": w.reshape(heads, -1, hidden)[perm].reshape(w.shape),
                            p + "query_key_value.bias": b.reshape(heads, -1)[perm].reshape(b.shape)}
                """);
        Files.writeString(dir.resolve("run_checks.py"), """
                from editgate_client.testing import check, EditgateSetupError
                import lab_edits

                result = check(lab_edits.correct, tries=15, seed=3)
                print("PASSED:", result.verdict)
                try:
                    check(lab_edits.qkv_only, tries=15, seed=3)
                    print("NOT RAISED")
                except AssertionError as e:
                    print("ASSERTION:", e)
                try:
                    check(lab_edits.correct, editgate="/nonexistent/editgate")
                except EditgateSetupError as e:
                    print("SETUP:", e)
                """);
        Result r = run(List.of(client.executable(), "run_checks.py"), dir, Map.of("EDITGATE_CLI", javaCli()));
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("PASSED: verdict: PASS")
                .contains("ASSERTION: editgate: the gate failed on lab_edits.qkv_only")
                .contains("minimal counterexample: (")
                .contains("verdict: FAIL")
                .contains("SETUP: cannot start the editgate CLI '/nonexistent/editgate'")
                .doesNotContain("NOT RAISED");
    }

    /** This test JVM's classpath as an editgate CLI command (the launcher would rebuild the project). */
    static String javaCli() {
        List<String> words = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-cp", System.getProperty("java.class.path"),
                "dev.editgate.gate.cli.EditgateCli"));
        return String.join(" ", words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path rel = from.relativize(p);
                String first = rel.getNameCount() > 0 ? rel.getName(0).toString() : "";
                if (first.equals(".venv") || first.equals("build") || first.endsWith(".egg-info") || rel.toString().contains("__pycache__")) continue;
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }
}
