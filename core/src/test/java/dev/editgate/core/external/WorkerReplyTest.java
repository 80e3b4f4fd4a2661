package dev.editgate.core.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Worker replies are checked strictly: JSON types, one object, the request's id. */
class WorkerReplyTest {
    @Test
    void wellFormedRepliesParse() throws Exception {
        assertThat(WorkerReply.parse("{\"id\":\"t1\",\"ok\":true}", "t1")).isEqualTo(new WorkerReply(true, null));
        assertThat(WorkerReply.parse("{\"id\":\"t1\",\"ok\":false,\"error\":\"KeyError\"}", "t1")).isEqualTo(new WorkerReply(false, "KeyError"));
        assertThat(WorkerReply.parse("{\"id\":\"t1\",\"ok\":false}", "t1").error()).isEqualTo("(no error message)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"id\":\"t1\",\"ok\":1}|\"ok\" must be true or false, got 1 (number)",
            "{\"id\":\"t1\",\"ok\":\"true\"}|\"ok\" must be true or false, got \"true\" (string)",
            "{\"id\":\"t1\"}|\"ok\" must be true or false, got nothing",
            "{\"id\":1,\"ok\":true}|reply for request id 1 instead of \"t1\"",
            "{\"id\":\"t2\",\"ok\":true}|reply for request id \"t2\" instead of \"t1\"",
            "{\"id\":\"t1\",\"ok\":true,\"ok\":false}|garbage reply",
            "{\"id\":\"t1\",\"ok\":true} {\"id\":\"t1\",\"ok\":false}|garbage reply",
            "[true]|garbage reply",
            "{\"id\":\"t1\",\"ok\":false,\"error\":{\"a\":1}}|\"error\" must be a string"})
    void protocolViolationsAreNamed(String line, String message) {
        assertThatThrownBy(() -> WorkerReply.parse(line, "t1")).isInstanceOf(WorkerReply.ProtocolViolation.class).hasMessageContaining(message);
    }

    @Test
    void aHugeErrorIsBoundedAndSaysWhatWasDropped() throws Exception {
        String error = "x".repeat(100_000) + "END";
        WorkerReply r = WorkerReply.parse("{\"id\":\"t1\",\"ok\":false,\"error\":\"" + error + "\"}", "t1");
        assertThat(r.error()).hasSizeLessThan(WorkerReply.MAX_ERROR + 100).endsWith("END").contains((error.length() - WorkerReply.MAX_ERROR) + " characters dropped");
    }
}
