package dev.editgate.core.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner protocol's process discipline, with shell scripts as runners: the hello is checked strictly, a runner
 * that hangs is killed after the timeout, error replies, garbage, a missing result and an early exit are
 * {@link RunnerException}s naming the request, and a killed runner is restarted (and says hello again).
 */
class RunnerProcessTest {
    static final String HELLO = "{\"protocol\": 1, \"runner\": \"sh\", \"dtype\": \"float32\", \"capabilities\": [\"logits\"]}";
    @TempDir Path dir;

    private Path model() throws IOException {
        Path m = Files.createDirectories(dir.resolve("model"));
        Files.writeString(m.resolve("config.json"), "{}");
        return m;
    }

    private RunnerSpec sh(String script, long timeoutMillis) throws IOException {
        Path f = dir.resolve("runner.sh");
        Files.writeString(f, script);
        return new RunnerSpec(List.of("sh", f.toString()), Duration.ofMillis(timeoutMillis), dir);
    }

    @Test
    void readsTheHello() throws IOException {
        try (RunnerProcess r = RunnerProcess.start(sh("echo '" + HELLO + "'; cat > /dev/null\n", 10_000), model())) {
            assertEquals("float32", r.hello().dtype());
            assertTrue(r.hello().can("logits"));
            assertTrue(!r.hello().can("patch_heads"));
            RunnerException e = assertThrows(RunnerException.class, () -> r.patchHeads(r.originalFolder(), new int[][] {{1}}, new int[][] {{2}}, 0, new int[] {0}, 8));
            assertTrue(e.getMessage().contains("cannot patch_heads"), e.getMessage());
        }
    }

    @Test
    void refusesABadHello() throws IOException {
        Path m = model();
        RunnerException wrongProtocol = assertThrows(RunnerException.class,
                () -> RunnerProcess.start(sh("echo '{\"protocol\": 2, \"dtype\": \"float32\", \"capabilities\": [\"logits\"]}'\n", 10_000), m));
        assertTrue(wrongProtocol.getMessage().contains("editgate speaks runner protocol 1"), wrongProtocol.getMessage());
        RunnerException noLogits = assertThrows(RunnerException.class,
                () -> RunnerProcess.start(sh("echo '{\"protocol\": 1, \"dtype\": \"float32\", \"capabilities\": [\"generate\"]}'\n", 10_000), m));
        assertTrue(noLogits.getMessage().contains("lack \"logits\""), noLogits.getMessage());
        RunnerException badDtype = assertThrows(RunnerException.class,
                () -> RunnerProcess.start(sh("echo '{\"protocol\": 1, \"dtype\": \"int8\", \"capabilities\": [\"logits\"]}'\n", 10_000), m));
        assertTrue(badDtype.getMessage().contains("\"dtype\" must be one of"), badDtype.getMessage());
        RunnerException crash = assertThrows(RunnerException.class,
                () -> RunnerProcess.start(sh("echo 'ModuleNotFoundError: No module named torch' >&2; exit 3\n", 10_000), m));
        assertTrue(crash.getMessage().contains("exited (code 3) before its hello line") && crash.getMessage().contains("No module named torch"), crash.getMessage());
    }

    @Test
    void killsARunnerThatDoesNotAnswerInTime() throws IOException {
        long t0 = System.nanoTime();
        try (RunnerProcess r = RunnerProcess.start(sh("echo '" + HELLO + "'; read line; sleep 30\n", 1500), model())) {
            RunnerException e = assertThrows(RunnerException.class, () -> r.logits(r.originalFolder(), new int[][] {{1, 2}}, 8));
            assertTrue(e.getMessage().contains("no reply within 1500 ms; killed the process tree"), e.getMessage());
            assertTrue(e.getMessage().contains("request r1-logits"), e.getMessage());
        }
        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "the sleeping runner was killed, not waited for");
    }

    @Test
    void errorRepliesGarbageAndMissingResultsFailTheRequestAndTheRunnerRestarts() throws IOException {
        // request 1: ok:false; request 2: garbage (the runner is killed and restarted); request 3 (after restart): ok but no result
        String script = "echo '" + HELLO + "'\n"
                + "while read line; do\n"
                + "  id=$(echo \"$line\" | sed 's/.*\"id\": *\"\\([^\"]*\\)\".*/\\1/')\n"
                + "  case $id in\n"
                + "    r1-*) echo \"{\\\"id\\\": \\\"$id\\\", \\\"ok\\\": false, \\\"error\\\": \\\"RuntimeError: CUDA out of memory\\\"}\" ;;\n"
                + "    r2-*) echo 'Loading checkpoint shards: 100%' ;;\n"
                + "    *) echo \"{\\\"id\\\": \\\"$id\\\", \\\"ok\\\": true}\" ;;\n"
                + "  esac\n"
                + "done\n";
        try (RunnerProcess r = RunnerProcess.start(sh(script, 10_000), model())) {
            int[][] ids = {{1, 2, 3}};
            RunnerException failed = assertThrows(RunnerException.class, () -> r.logits(r.originalFolder(), ids, 8));
            assertTrue(failed.getMessage().contains("the runner failed: RuntimeError: CUDA out of memory"), failed.getMessage());
            RunnerException garbage = assertThrows(RunnerException.class, () -> r.logits(r.originalFolder(), ids, 8));
            assertTrue(garbage.getMessage().contains("garbage reply on stdout") && garbage.getMessage().contains("Loading checkpoint shards"), garbage.getMessage());
            RunnerException missing = assertThrows(RunnerException.class, () -> r.logits(r.originalFolder(), ids, 8));
            assertTrue(missing.getMessage().contains("missing output: no result.safetensors"), missing.getMessage());
            assertEquals(2, r.starts(), "the runner was started twice (restarted after the garbage)");
            assertEquals(3, r.requests());
        }
    }
}
