package dev.editgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ConfigFieldsTest {
    static ConfigFields fields(String json) throws Exception {
        return ConfigFields.of(new ObjectMapper().readTree(json), "config.json");
    }

    @Test
    void readsTypedValuesAndDefaultsForAbsentOrNullKeys() throws Exception {
        ConfigFields f = fields("{\"n\": 12, \"eps\": 1e-5, \"whole\": 3, \"flag\": false, \"name\": \"gelu\", \"nothing\": null,"
                + " \"rope\": {\"theta\": 500}}");
        assertThat(f.requiredInt("n", 1, 100)).isEqualTo(12);
        assertThat(f.optionalInt("absent", 7, 1, 100)).isEqualTo(7);
        assertThat(f.optionalInt("nothing", 7, 1, 100)).isEqualTo(7);
        assertThat(f.optionalDouble("eps", 1, 0, 1)).isEqualTo(1e-5);
        assertThat(f.optionalDouble("whole", 1, 0, 10)).isEqualTo(3.0);
        assertThat(f.optionalBoolean("flag", true)).isFalse();
        assertThat(f.optionalBoolean("absent", true)).isTrue();
        assertThat(f.optionalString("name", "x")).isEqualTo("gelu");
        assertThat(f.optionalString("nothing", "x")).isEqualTo("x");
        assertThat(f.firstPresent("nothing", "eps", "n")).contains("eps");
        assertThat(f.optionalObject("rope").orElseThrow().optionalDouble("theta", 1, 0, 1e9)).isEqualTo(500);
    }

    @Test
    void wrongTypesAreErrorsNamingTheKeyAndTheExpectedType() throws Exception {
        ConfigFields f = fields("{\"eps\": \"abc\", \"par\": \"no\", \"bias\": 1, \"dtype\": 5, \"n\": 2.5, \"big\": 5000000000,"
                + " \"rope\": [1]}");
        assertThatThrownBy(() -> f.optionalDouble("eps", 1e-5, 0, 1))
                .hasMessage("config.json: field 'eps' must be a number, got \"abc\"");
        assertThatThrownBy(() -> f.optionalBoolean("par", true)).hasMessage("config.json: field 'par' must be true or false, got \"no\"");
        assertThatThrownBy(() -> f.optionalBoolean("bias", true)).hasMessage("config.json: field 'bias' must be true or false, got 1");
        assertThatThrownBy(() -> f.optionalString("dtype", "float32")).hasMessage("config.json: field 'dtype' must be a string, got 5");
        assertThatThrownBy(() -> f.requiredInt("n", 1, 10)).hasMessage("config.json: field 'n' must be an integer, got 2.5");
        assertThatThrownBy(() -> f.optionalInt("big", 1, 1, 10)).hasMessage("config.json: field 'big' must be an integer, got 5000000000");
        assertThatThrownBy(() -> f.requiredInt("missing", 1, 10)).hasMessage("config.json: missing required field 'missing'");
        assertThatThrownBy(() -> f.optionalObject("rope")).hasMessage("config.json: field 'rope' must be an object, got [1]");
        assertThatThrownBy(() -> ConfigFields.of(new ObjectMapper().readTree("[1]"), "config.json"))
                .hasMessage("config.json must be a JSON object");
    }

    @Test
    void boundsAreCheckedBeforeAnythingIsSizedFromTheValue() throws Exception {
        ConfigFields f = fields("{\"layers\": 2000000000, \"eps\": 5, \"neg\": -3}");
        assertThatThrownBy(() -> f.requiredInt("layers", 1, 4096))
                .hasMessage("config.json: field 'layers' must be an integer in [1, 4096], got 2000000000");
        assertThatThrownBy(() -> f.requiredInt("layers", Integer.MIN_VALUE, 4096)).hasMessageContaining("must be an integer at most 4096");
        assertThatThrownBy(() -> f.requiredInt("neg", 0, Integer.MAX_VALUE)).hasMessageContaining("must be an integer at least 0, got -3");
        assertThatThrownBy(() -> f.optionalDouble("eps", 1e-5, 0, 1)).hasMessageContaining("field 'eps' must be a number in [0.0, 1.0], got 5");
    }
}
