package dev.editgate.reports;

import dev.editgate.reports.model.Counterexample;
import dev.editgate.reports.model.Environment;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.LogitErrors;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.RunInfo;
import dev.editgate.reports.model.StageReport;
import dev.editgate.reports.model.Table;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code report.md}: the report as GitHub-flavoured Markdown that also reads well in a terminal. */
public final class MarkdownReport {

    private MarkdownReport() {}

    public static String render(GateReport r) {
        StringBuilder md = new StringBuilder();
        RunInfo run = r.run();
        md.append("# editgate: ").append(switch (r.verdict()) {
            case PASS -> "PASS ✅";
            case FAIL -> "FAIL ❌";
            case INCONCLUSIVE -> "INCONCLUSIVE ⚠️ (a stage could not run: fix the setup, the edit was not judged)";
        }).append("\n\n");
        if (run != null) {
            md.append("**").append(cell(run.edit())).append("** on `").append(code(run.model())).append('`');
            if (run.revision() != null && !run.revision().isBlank()) md.append(" @ `").append(code(run.revision())).append('`');
            md.append(", ").append(run.scope()).append(", ")
              .append(cell(run.computeDtype())).append(" on ").append(cell(run.device())).append("  \n");
        }
        md.append("Started ").append(Format.instant(r.started())).append(", took ").append(Format.duration(r.elapsed()))
          .append(", schema v").append(r.schemaVersion()).append("\n\n");

        stageTable(md, r.stages());
        failures(md, r.stages());
        logitErrors(md, r.plots() == null ? null : r.plots().logitErrors());
        if (r.plots() != null) for (Table t : r.plots().probeTables()) table(md, t);
        shapes(md, r.shapes());
        environment(md, run, r.environment());

        md.append("## Reproduce\n\n```sh\n").append(Format.text(r.reproduceCommand())).append("\n```\n");
        return md.toString();
    }

    private static void stageTable(StringBuilder md, List<StageReport> stages) {
        md.append("## Stages\n\n| Stage | Status | Property | Result | Tries | Time | Seed |\n|---|---|---|---|--:|--:|--:|\n");
        for (StageReport s : stages) {
            md.append("| **").append(cell(s.name())).append("** | ").append(stageStatus(s.status())).append(" | ");
            if (s.status() == StageReport.Status.SKIPPED || s.properties().isEmpty()) {
                md.append(cell(Format.orDash(s.reason()))).append(" | | | ")
                  .append(s.status() == StageReport.Status.SKIPPED ? "" : Format.duration(s.elapsed())).append(" | |\n");
                continue;
            }
            md.append(s.properties().size()).append(s.properties().size() == 1 ? " property | | " : " properties | | ")
              .append(s.properties().stream().mapToLong(PropertyReport::tries).sum()).append(" | ")
              .append(Format.duration(s.elapsed())).append(" | |\n");
            for (PropertyReport p : s.properties()) {
                md.append("| | | `").append(code(p.name())).append("` | ")
                  .append(p.status() == PropertyReport.Status.PASSED ? "passed" : "**FAILED**").append(" | ")
                  .append(p.tries()).append(" | ").append(Format.duration(p.elapsed())).append(" | ")
                  .append(p.seed()).append(" |\n");
            }
        }
        md.append('\n');
    }

    private static void failures(StringBuilder md, List<StageReport> stages) {
        for (StageReport s : stages) {
            for (PropertyReport p : s.properties()) {
                if (p.status() != PropertyReport.Status.FAILED) continue;
                md.append("## ❌ ").append(cell(s.name())).append(" / `").append(code(p.name())).append("`\n\n");
                if (p.description() != null && !p.description().isBlank()) md.append(cell(p.description())).append("\n\n");
                md.append("Failed after ").append(p.tries()).append(" tries, seed ").append(p.seed()).append(".\n\n");
                Counterexample c = p.counterexample();
                if (c != null && !Format.isPermutation(c.shrunk())) { // another edit kind's parameter: no image/moved columns
                    md.append("| Counterexample | Parameter |\n|---|---|\n| **minimal** (").append(c.shrinkSteps()).append(" shrink steps) | `")
                      .append(code(Format.shrunkCycles(c))).append("` |\n");
                    if (HtmlReport.shrunk(c)) md.append("| original | `").append(code(Format.originalCycles(c))).append("` |\n");
                    md.append('\n');
                } else if (c != null) {
                    md.append("| Counterexample | Cycles | Image (new head i = old head π(i)) | Moved heads |\n|---|---|---|--:|\n")
                      .append("| **minimal** (").append(c.shrinkSteps()).append(" shrink steps) | `").append(code(Format.shrunkCycles(c)))
                      .append("` | `").append(Format.image(c.shrunk())).append("` | ").append(Format.moved(c.shrunk())).append(" |\n");
                    if (HtmlReport.shrunk(c)) {
                        md.append("| original | `").append(code(Format.originalCycles(c))).append("` | `")
                          .append(Format.image(c.original())).append("` | ").append(Format.moved(c.original())).append(" |\n");
                    }
                    md.append('\n');
                }
                if (p.failureMessage() != null && !p.failureMessage().isBlank()) {
                    md.append("```text\n").append(p.failureMessage().replace("```", "ˋˋˋ")).append("\n```\n\n");
                }
                if (p.diagnosis() != null && !p.diagnosis().isBlank()) {
                    md.append("> **Diagnosis:** ").append(p.diagnosis().replace("<", "&lt;").replace(">", "&gt;").replace("\n", "\n> ")).append("\n\n");
                }
                if (!p.statistics().isEmpty()) {
                    md.append("<details><summary>Generated cases</summary>\n\n| Case | Count |\n|---|--:|\n");
                    for (Map.Entry<String, Long> e : new TreeMap<>(p.statistics()).entrySet()) {
                        md.append("| ").append(cell(e.getKey())).append(" | ").append(e.getValue()).append(" |\n");
                    }
                    md.append("\n</details>\n\n");
                }
            }
        }
    }

    private static void logitErrors(StringBuilder md, LogitErrors e) {
        if (e == null) return;
        md.append("## Logit error vs float64 (").append(cell(e.mode())).append(")\n\n")
          .append("| | max abs error |\n|---|--:|\n")
          .append("| baseline (unedited, compute dtype) | ").append(Format.number(e.baselineMaxError())).append(" |\n")
          .append("| edited | ").append(Format.number(e.editedMaxError())).append(" |\n")
          .append("| tolerance | ").append(Format.number(e.tolerance())).append(" |\n\n")
          .append("Worst at ").append(cell(Format.orDash(e.worstLocation()))).append("; edited max relative error ")
          .append(Format.number(e.editedMaxRelError())).append(".\n\n");
    }

    private static void shapes(StringBuilder md, dev.editgate.reports.model.ShapesReport s) {
        if (s == null) return;
        md.append("## Generated shapes\n\n");
        for (String line : s.summaryLines()) md.append("- ").append(cell(line.strip())).append('\n');
        md.append('\n');
        if (s.minimalConfigJson() != null) md.append("The minimal failing model's `config.json`:\n\n```json\n").append(s.minimalConfigJson().strip()).append("\n```\n\n");
        for (Table t : s.tables()) table(md, t);
    }

    private static void table(StringBuilder md, Table t) {
        md.append("## ").append(cell(t.title())).append("\n\n|");
        for (String c : t.columns()) md.append(' ').append(cell(c)).append(" |");
        md.append("\n|").append("---|".repeat(Math.max(1, t.columns().size()))).append('\n');
        for (List<String> row : t.rows()) {
            md.append('|');
            for (String c : row) md.append(' ').append(cell(c)).append(" |");
            md.append('\n');
        }
        md.append('\n');
    }

    private static void environment(StringBuilder md, RunInfo run, Environment env) {
        md.append("## Environment\n\n| | |\n|---|---|\n");
        if (run != null) {
            row(md, "model", run.model());
            row(md, "revision", run.revision());
            row(md, "model folder", run.modelFolder());
            row(md, "content hash", run.contentHash());
            row(md, "weight dtype", run.weightDtype());
            row(md, "compute dtype", run.computeDtype());
            row(md, "device", run.device());
            row(md, "edit kind", run.editKind());
            row(md, "layer / heads", run.wholeModel() ? "whole model (" + run.heads() + " heads per layer)" : run.layer() + " / " + run.heads());
            row(md, "seed / tries", run.seed() + " / " + run.tries());
            if (run.editCalls() != null) row(md, "edit calls", run.editCalls().summary());
        }
        if (env != null) {
            row(md, "editgate", env.editgateVersion());
            row(md, "Java", env.javaVersion());
            row(md, "OS", env.os());
            row(md, "DJL", env.djlVersion());
            row(md, "PyTorch", env.pytorchVersion());
            if (run == null || !Format.text(env.device()).equals(run.device())) row(md, "engine device", env.device());
            for (String n : env.notes()) row(md, "note", n);
        }
        md.append('\n');
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(cell(Format.orDash(value))).append(" |\n");
    }

    private static String stageStatus(StageReport.Status s) {
        return switch (s) {
            case PASSED -> "✅ passed";
            case FAILED -> "❌ **FAILED**";
            case SKIPPED -> "⏭ skipped";
            case ERROR -> "⚠️ could not run";
        };
    }

    /** Text inside a table cell: one line, pipes and HTML-ish characters neutralised. */
    static String cell(String s) {
        return Format.text(s).replace("\r", "").replace("\n", " ").replace("|", "\\|")
                .replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Text inside inline code: backticks cannot be escaped, so replace them. */
    private static String code(String s) {
        return Format.text(s).replace("`", "'").replace("|", "\\|").replace("\n", " ");
    }
}
