package dev.editgate.reports;

import java.nio.file.Path;

/** Where {@link ReportWriter} put the three renderings of one report. */
public record ReportFiles(Path json, Path markdown, Path html) {}
