package dev.editgate.reports;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class FormatTest {

    @Test
    void cyclesFollowIToPiOfI() {
        assertThat(Format.cycles(new int[] {1, 2, 0, 3})).isEqualTo("(0 1 2)");
        assertThat(Format.cycles(new int[] {3, 0, 1, 2, 5, 4})).isEqualTo("(0 3 2 1)(4 5)");
        assertThat(Format.cycles(new int[] {0, 1, 2})).isEqualTo("()");
        assertThat(Format.moved(new int[] {3, 0, 1, 2, 5, 4, 6})).isEqualTo(6);
    }

    @Test
    void durationsAndNumbersAreShort() {
        assertThat(Format.duration(Duration.ofMillis(212))).isEqualTo("212 ms");
        assertThat(Format.duration(Duration.ofMillis(21_300))).isEqualTo("21.3 s");
        assertThat(Format.duration(Duration.ofMillis(131_240))).isEqualTo("2 min 11 s");
        assertThat(Format.number(0.025)).isEqualTo("0.025");
        assertThat(Format.number(3.1e-4)).isEqualTo("3.10e-04");
        assertThat(Format.number(12.5)).isEqualTo("12.5");
    }
}
