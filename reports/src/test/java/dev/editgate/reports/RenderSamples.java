package dev.editgate.reports;

import java.nio.file.Path;

/** Writes the sample passing and failing reports to a folder: {@code RenderSamples [dir]} (default target/sample-reports). */
public final class RenderSamples {

    private RenderSamples() {}

    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/sample-reports");
        ReportFiles pass = ReportWriter.write(SampleReports.passing(), dir.resolve("pass"));
        ReportFiles fail = ReportWriter.write(SampleReports.failing(), dir.resolve("fail"));
        System.out.println(pass.html().toAbsolutePath());
        System.out.println(fail.html().toAbsolutePath());
    }
}
