package dev.editgate.reports;

import dev.editgate.reports.model.GateReport;

import java.nio.file.Path;

/** Writes {@code report.json}, {@code report.md} and {@code report.html} into one folder, each atomically. */
public final class ReportWriter {

    public static final String JSON = "report.json";
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";

    private ReportWriter() {}

    /** Creates {@code dir} if needed and replaces any previous report there. */
    public static ReportFiles write(GateReport r, Path dir) {
        ReportFiles files = new ReportFiles(dir.resolve(JSON), dir.resolve(MARKDOWN), dir.resolve(HTML));
        // render everything before touching the disk: a renderer bug must not leave a mixed report behind
        String json = JsonReport.toJson(r);
        String md = MarkdownReport.render(r);
        String html = HtmlReport.render(r);
        AtomicFiles.writeString(files.json(), json);
        AtomicFiles.writeString(files.markdown(), md);
        AtomicFiles.writeString(files.html(), html);
        return files;
    }
}
