package dev.editgate.reports;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ReportWriterTest {

    @Test
    void createsTheFolderAndWritesThreeFilesWithoutLeftovers(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("target/editgate");
        ReportFiles files = ReportWriter.write(SampleReports.failing(), dir);
        assertThat(files.json()).isEqualTo(dir.resolve("report.json")).isRegularFile();
        assertThat(files.markdown()).isEqualTo(dir.resolve("report.md")).isRegularFile();
        assertThat(files.html()).isEqualTo(dir.resolve("report.html")).isRegularFile();
        assertThat(Files.readString(files.markdown())).startsWith("# editgate: FAIL");

        ReportWriter.write(SampleReports.passing(), dir); // replaces the previous report
        assertThat(JsonReport.read(files.json()).verdict().name()).isEqualTo("PASS");
        try (Stream<Path> list = Files.list(dir)) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("report.json", "report.md", "report.html");
        }
    }
}
