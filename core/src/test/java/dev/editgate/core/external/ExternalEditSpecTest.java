package dev.editgate.core.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExternalEditSpecTest {
    @Test
    void splitsLikeAShell() {
        assertThat(ExternalEditSpec.split("python3  my_edit.py --flag 'a b' \"c \\\"d\\\"\" e\\ f"))
                .containsExactly("python3", "my_edit.py", "--flag", "a b", "c \"d\"", "e f");
        assertThat(ExternalEditSpec.split("x ''")).containsExactly("x", "");
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> ExternalEditSpec.split("python3 'oops")).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> ExternalEditSpec.parse("   ", ExternalEditSpec.Mode.WORKER)).hasMessageContaining("empty");
        assertThatThrownBy(() -> new ExternalEditSpec(List.of("x"), ExternalEditSpec.Mode.ONE_SHOT, Duration.ZERO, null))
                .hasMessageContaining("timeout");
    }

    @Test
    void parseKeepsModeAndTimeout() {
        var spec = ExternalEditSpec.parse("python3 -u w.py --worker", ExternalEditSpec.Mode.WORKER, Duration.ofSeconds(5), null);
        assertThat(spec.command()).containsExactly("python3", "-u", "w.py", "--worker");
        assertThat(spec.mode()).isEqualTo(ExternalEditSpec.Mode.WORKER);
        assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(spec.workDir()).isAbsolute();
    }
}
