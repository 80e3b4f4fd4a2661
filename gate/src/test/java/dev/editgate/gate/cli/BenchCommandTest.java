package dev.editgate.gate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code editgate bench} prints every measurement it promises, one labelled line each (the numbers are not checked). */
class BenchCommandTest {

    @Test
    void printsEveryMeasurementOnTheTinyFixture() {
        String out = run("bench", "--model", "fixture:tiny", "--trials", "2", "--tries", "2", "--seq", "6");
        assertThat(out).containsPattern("(?m)^load: checkpoint \\+ fp32 upload to .* in [0-9.]+ s, [0-9.]+ MB of safetensors \\([0-9]+ MB/s\\)$")
                .containsPattern("(?m)^plain read: the same bytes read into memory in [0-9.]+ s")
                .containsPattern("(?m)^structural: [0-9.]+ ms/trial \\(built-in edit [0-9.]+ ms \\+ block check [0-9.]+ ms\\) over 2 trials in new memory;"
                        + " [0-9.]+ ms/trial \\([0-9.]+ \\+ [0-9.]+\\) once memory is reused \\(best of 4 more passes\\)$")
                .containsPattern("(?m)^memory: writing new pages [0-9.]+ ms/MB, pages written before [0-9.]+ ms/MB; a trial's edited tensors \\([0-9.]+ MB\\) cost")
                .containsPattern("(?m)^functional: [0-9.]+ ms/trial with the prefix cache \\(logitsFrom layer 1\\), [0-9.]+ ms/trial without it")
                .containsPattern("(?m)^functional logits, 5 prompts of \\[\\d+(, \\d+){4}\\] tokens \\(\\d+ real, 30 padded\\): one by one [0-9.]+ ms/trial, one padded batch [0-9.]+ ms/trial")
                .containsPattern("(?m)^functional layer-local: traced from layer 0 [0-9.]+ ms/trial, layer 1 alone from the cached residual [0-9.]+ ms/trial")
                .containsPattern("(?m)^functional trial: [0-9.]+ GFLOP in [0-9.]+ ms \\(layers 1-1 on 30 padded tokens, unembedding of \\d+\\): [0-9.]+ GFLOP/s,"
                        + " [0-9]+% of the GEMM rate [0-9.]+; a full forward of the same batch [0-9.]+ ms: the trial takes [0-9.]+x its time for [0-9.]+x its arithmetic$")
                .containsPattern("(?m)^functional trials, .* intra-op threads: one worker [0-9.]+ ms/trial, two workers [0-9.]+ ms/trial \\([0-9.]+x\\); bit-identical logits: yes$")
                .containsPattern("(?m)^forward: [0-9]+ tokens/s \\(batch 8 x 6 tokens, [0-9.]+ s\\), [0-9.]+ GFLOP/s$")
                .containsPattern("(?m)^GEMM: linear \\[256 x \\d+\\] x \\[\\d+ x \\d+\\] fp32: [0-9.]+ GFLOP/s; the forward runs at [0-9]+% of it$")
                .containsPattern("(?m)^greedy: \\d+ tokens after 6 in [0-9.]+ ms with the KV cache, [0-9.]+ ms without it")
                .containsPattern("(?m)^gate: PASS in [0-9.]+ s with --tries 2 \\(edit calls: \\d+")
                .containsPattern("(?m)^gate stage structural +PASSED +[0-9.]+ s +\\d+ trials")
                .containsPattern("(?m)^gate stage numeric ")
                .containsPattern("(?m)^gate stage functional ")
                .containsPattern("(?m)^gate stage behavioural ");
    }

    @Test
    void refusesZeroTrials() {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = EditgateCli.commandLine().execute("bench", "--model", "fixture:tiny", "--trials", "0", "--no-gate");
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("--trials must be >= 1");
    }

    @Test
    void anEditCommandThatCannotStartIsOneClearLineNotAStackTrace() {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = EditgateCli.commandLine().execute("bench", "--model", "fixture:tiny", "--trials", "1", "--no-gate",
                    "--edit-command", "python3 -c \"import editgate_no_such_module\"");
        } finally {
            System.setErr(err);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isEqualTo(2);
        assertThat(text).contains("did not answer its first request").contains("ModuleNotFoundError").doesNotContain("\tat dev.editgate");
    }

    private static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = EditgateCli.commandLine().execute(args);
        } finally {
            System.setOut(saved);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(code).as(out).isZero();
        return out;
    }
}
