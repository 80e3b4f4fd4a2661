package dev.editgate.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.editgate.reports.model.GateReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code report.json}: the gate report in the versioned schema documented in {@code docs/report-schema.md}.
 * Instants are ISO-8601 UTC strings ({@code 2026-11-24T15:04:23Z}), durations ISO-8601 ({@code PT1.25S}).
 */
public final class JsonReport {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            // newer minor versions may add fields; older readers ignore them (see the version policy)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private JsonReport() {}

    public static String toJson(GateReport r) {
        try {
            return MAPPER.writeValueAsString(r) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GateReport fromJson(String json) {
        try {
            GateReport r = MAPPER.readValue(json, GateReport.class);
            if (r.schemaVersion() > GateReport.SCHEMA_VERSION) {
                throw new IllegalArgumentException("report schema version " + r.schemaVersion()
                        + " is newer than this reader (" + GateReport.SCHEMA_VERSION + "); upgrade editgate");
            }
            return r;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(GateReport r, Path file) {
        AtomicFiles.writeString(file, toJson(r));
    }

    public static GateReport read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read report " + file, e);
        }
    }
}
