package dev.editgate.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.LogitErrors;
import dev.editgate.reports.model.Plots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonReportTest {

    @Test
    void roundTripsPassingAndFailingReportsThroughAFile(@TempDir Path dir) {
        for (GateReport r : List.of(SampleReports.passing(), SampleReports.failing())) {
            Path file = dir.resolve("report.json");
            JsonReport.write(r, file);
            GateReport back = JsonReport.read(file);
            assertThat(JsonReport.toJson(back)).isEqualTo(JsonReport.toJson(r));
            assertThat(back.verdict()).isEqualTo(r.verdict());
            assertThat(back.started()).isEqualTo(r.started());
            assertThat(back.elapsed()).isEqualTo(r.elapsed());
        }
        GateReport fail = JsonReport.read(dir.resolve("report.json"));
        assertThat(fail.stages().get(0).properties().get(0).counterexample().shrunk())
                .containsExactly(1, 2, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    }

    @Test
    void usesIsoTimesAndTheSchemaVersion() throws Exception {
        JsonNode n = new ObjectMapper().readTree(JsonReport.toJson(SampleReports.failing()));
        assertThat(n.get("schemaVersion").asInt()).isEqualTo(GateReport.SCHEMA_VERSION);
        assertThat(n.get("started").asText()).isEqualTo("2026-11-24T14:07:45Z");
        assertThat(n.get("elapsed").asText()).isEqualTo("PT2.91S");
        assertThat(n.get("verdict").asText()).isEqualTo("FAIL");
        JsonNode ce = n.get("stages").get(0).get("properties").get(0).get("counterexample");
        assertThat(ce.get("shrunkCycles").asText()).isEqualTo("(0 1 2)");
        assertThat(n.get("plots").get("logitErrors").isNull()).isTrue();
    }

    @Test
    void readsAReportWithoutPlotsAndIgnoresUnknownFields() {
        GateReport r = SampleReports.failing();
        GateReport bare = new GateReport(r.schemaVersion(), r.started(), Duration.ZERO, r.verdict(), r.run(), r.environment(),
                r.stages(), null, r.reproduceCommand());
        String json = JsonReport.toJson(bare).replaceFirst("\\{", "{\"addedInAMinorVersion\": 1,");
        GateReport back = JsonReport.fromJson(json);
        assertThat(back.plots()).isNull();
        assertThat(new Plots(null, null, null, null, null).spectra()).isEmpty();
    }

    @Test
    void keepsNonFiniteNumbers() {
        GateReport r = SampleReports.passing();
        LogitErrors e = new LogitErrors("float16", 0.025, Double.NaN, Double.POSITIVE_INFINITY, 0, "", new double[] {Double.NaN, 1e-3},
                new double[0]);
        GateReport odd = new GateReport(r.schemaVersion(), r.started(), r.elapsed(), r.verdict(), r.run(), r.environment(), r.stages(),
                new Plots(e, null, null, null, null), r.reproduceCommand());
        LogitErrors back = JsonReport.fromJson(JsonReport.toJson(odd)).plots().logitErrors();
        assertThat(back.baselineMaxError()).isNaN();
        assertThat(back.editedMaxError()).isInfinite();
        assertThat(back.baselineErrors()[0]).isNaN();
        assertThat(HtmlReport.render(odd)).contains("NaN");
    }

    @Test
    void refusesANewerSchema() {
        String json = JsonReport.toJson(SampleReports.passing())
                .replace("\"schemaVersion\" : " + GateReport.SCHEMA_VERSION, "\"schemaVersion\" : 99");
        assertThatThrownBy(() -> JsonReport.fromJson(json)).hasMessageContaining("schema version 99");
    }
}
