package dev.editgate.reports;

import dev.editgate.reports.model.Counterexample;
import dev.editgate.reports.model.Environment;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.HeadNorms;
import dev.editgate.reports.model.Heatmap;
import dev.editgate.reports.model.LogitErrors;
import dev.editgate.reports.model.Plots;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.RunInfo;
import dev.editgate.reports.model.Spectrum;
import dev.editgate.reports.model.StageReport;
import dev.editgate.reports.model.Table;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no scripts, no network) that a
 * researcher opens to see whether the edit may proceed and, if not, the smallest permutation that shows why.
 */
public final class HtmlReport {

    private HtmlReport() {}

    public static String render(GateReport r) {
        boolean pass = r.verdict() == GateReport.Verdict.PASS;
        String verdict = r.verdict().name();
        Plots plots = r.plots() == null ? Plots.empty() : r.plots();
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
         .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
         .append("<title>editgate ").append(verdict).append(" · ").append(Html.esc(r.run() == null ? "" : r.run().model()))
         .append("</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");

        banner(h, r);
        overview(h, r.stages());
        counterexamples(h, r.stages());
        for (StageReport s : r.stages()) stage(h, s);
        plots(h, plots);
        shapes(h, r.shapes());
        environment(h, r.run(), r.environment());
        h.append("<section id=\"reproduce\"><h2>Reproduce</h2><p class=\"muted\">Same seed, same options:</p><pre class=\"cmd\"><code>")
         .append(Html.esc(Format.orDash(r.reproduceCommand()))).append("</code></pre></section>\n");
        h.append("<footer>editgate report · schema v").append(r.schemaVersion()).append(" · started ")
         .append(Html.esc(Format.instant(r.started()))).append("</footer>\n</main>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void banner(StringBuilder h, GateReport r) {
        RunInfo run = r.run();
        h.append("<header class=\"banner ").append(r.verdict().name().toLowerCase(java.util.Locale.ROOT)).append("\"><div class=\"verdict\">")
         .append(r.verdict().name()).append("</div><div class=\"summary\">");

        if (run != null) {
            h.append("<div class=\"what\">").append(Html.esc(run.edit())).append("</div><div>")
             .append("<code>").append(Html.esc(run.model())).append("</code>");
            if (run.revision() != null && !run.revision().isBlank()) h.append(" @ <code>").append(Html.esc(run.revision())).append("</code>");
            h.append(" · ").append(run.wholeModel() ? "whole model" : "layer " + run.layer() + " · " + run.heads() + " heads").append(" · ")
             .append(Html.esc(run.computeDtype())).append(" on ").append(Html.esc(run.device())).append("</div>");
        }
        if (r.verdict() == GateReport.Verdict.INCONCLUSIVE) {
            h.append("<div><strong>Not every stage ran</strong> (one could not run, or the time budget was spent): the edit was not judged."
                    + " Fix that and rerun.</div>");
        }
        h.append("<div class=\"muted-inv\">").append(Html.esc(Format.instant(r.started()))).append(" · took ")
         .append(Html.esc(Format.duration(r.elapsed()))).append("</div></div></header>\n");
    }

    private static void overview(StringBuilder h, List<StageReport> stages) {
        h.append("<section id=\"stages\"><h2>Stages</h2><ol class=\"pipeline\">");
        for (StageReport s : stages) {
            String cls = s.status().name().toLowerCase(java.util.Locale.ROOT);
            h.append("<li class=\"").append(cls).append("\"><a href=\"#stage-").append(anchor(s.name())).append("\"><span class=\"name\">")
             .append(Html.esc(s.name())).append("</span><span class=\"st\">").append(statusWord(s.status())).append("</span><span class=\"t\">");
            if (s.status() == StageReport.Status.SKIPPED) h.append("not run");
            else h.append(s.properties().size()).append(s.properties().size() == 1 ? " property · " : " properties · ").append(Html.esc(Format.duration(s.elapsed())));
            h.append("</span></a></li>");
        }
        h.append("</ol></section>\n");
    }

    /** The minimal counterexamples first: they are what a failing run is about. */
    private static void counterexamples(StringBuilder h, List<StageReport> stages) {
        int k = 0;
        for (StageReport s : stages) {
            for (PropertyReport p : s.properties()) {
                if (p.status() != PropertyReport.Status.FAILED) continue;
                Counterexample c = p.counterexample();
                h.append("<section class=\"failure\"><h2>Failed: ").append(Html.esc(s.name())).append(" / <code>")
                 .append(Html.esc(p.name())).append("</code></h2>");
                if (p.diagnosis() != null && !p.diagnosis().isBlank()) {
                    h.append("<div class=\"diagnosis\"><strong>Diagnosis.</strong> ").append(Html.esc(p.diagnosis())).append("</div>");
                }
                if (c != null && !Format.isPermutation(c.shrunk())) { // another edit kind's parameter (exponents, a pair): no diagram
                    h.append("<h3>Minimal counterexample <code>").append(Html.esc(Format.shrunkCycles(c))).append("</code></h3>")
                     .append("<p>").append(shrunk(c) ? "Found after " + c.shrinkSteps() + " shrink steps from <code>"
                             + Html.esc(Format.originalCycles(c)) + "</code>." : "Found as is: nothing smaller fails.").append("</p>");
                } else if (c != null) {
                    h.append("<h3>Minimal counterexample <code>").append(Html.esc(Format.shrunkCycles(c))).append("</code></h3>")
                     .append("<p>Image form <code>").append(Format.image(c.shrunk())).append("</code> (new head i = old head π(i)), ")
                     .append(Format.moved(c.shrunk())).append(" heads moved; ")
                     .append(shrunk(c) ? "found after " + c.shrinkSteps() + " shrink steps from the original below." : "found as is: nothing smaller fails.")
                     .append("</p>")
                     .append("<div class=\"diagram\">").append(PermutationDiagram.svg(c.shrunk(), "minimal counterexample " + Format.shrunkCycles(c), "perm" + k))
                     .append("</div>");
                    if (shrunk(c)) h.append("<details><summary>Original counterexample <code>").append(Html.esc(Format.originalCycles(c)))
                     .append("</code>, ").append(Format.moved(c.original())).append(" heads moved</summary><p>Image form <code>")
                     .append(Format.image(c.original())).append("</code></p><div class=\"diagram\">")
                     .append(PermutationDiagram.svg(c.original(), "original counterexample " + Format.originalCycles(c), "perm" + k + "o"))
                     .append("</div></details>");
                }
                if (p.failureMessage() != null && !p.failureMessage().isBlank()) {
                    h.append("<h3>What broke</h3><pre class=\"msg\">").append(Html.esc(MessageLines.head(p.failureMessage()))).append("</pre>");
                    if (MessageLines.hidden(p.failureMessage()) > 0) {
                        h.append("<details class=\"more\"><summary>").append(MessageLines.hidden(p.failureMessage()))
                         .append(" more lines</summary><pre class=\"msg\">").append(Html.esc(MessageLines.rest(p.failureMessage())))
                         .append("</pre></details>");
                    }
                }
                h.append("</section>\n");
                k++;
            }
        }
    }

    private static void stage(StringBuilder h, StageReport s) {
        String cls = s.status().name().toLowerCase(java.util.Locale.ROOT);
        h.append("<section class=\"stage ").append(cls).append("\" id=\"stage-").append(anchor(s.name())).append("\"><h2>")
         .append("<span class=\"badge ").append(cls).append("\">").append(statusWord(s.status())).append("</span> <span class=\"sname\">")
         .append(Html.esc(s.name())).append("</span>");
        if (s.status() != StageReport.Status.SKIPPED) {
            h.append(" <span class=\"muted\">").append(Html.esc(Format.duration(s.elapsed()))).append("</span>");
        }
        h.append("</h2>");
        if (s.reason() != null && !s.reason().isBlank()) {
            h.append("<p class=\"reason\">").append(Html.esc(s.reason())).append("</p>");
        }
        if (!s.properties().isEmpty()) {
            h.append("<table class=\"props\"><colgroup><col/><col class=\"c-res\"/><col class=\"c-num\"/><col class=\"c-num\"/>")
             .append("<col class=\"c-seed\"/></colgroup><thead><tr><th>Property</th><th>Result</th><th class=\"num\">Tries</th>")
             .append("<th class=\"num\">Time</th><th class=\"num\">Seed</th></tr></thead><tbody>");
            for (PropertyReport p : s.properties()) {
                boolean ok = p.status() == PropertyReport.Status.PASSED;
                h.append("<tr class=\"").append(ok ? "ok" : "bad").append("\"><td><code>").append(Html.esc(p.name())).append("</code>");
                if (p.description() != null && !p.description().isBlank()) {
                    h.append("<div class=\"desc\">").append(Html.esc(p.description())).append("</div>");
                }
                if (!p.statistics().isEmpty()) {
                    h.append("<details class=\"stats\"><summary>generated cases</summary><table>");
                    for (Map.Entry<String, Long> e : new TreeMap<>(p.statistics()).entrySet()) {
                        h.append("<tr><td>").append(Html.esc(e.getKey())).append("</td><td class=\"num\">").append(e.getValue()).append("</td></tr>");
                    }
                    h.append("</table></details>");
                }
                h.append("</td><td>").append(ok ? "passed" : "<strong>FAILED</strong>");
                if (!ok && p.counterexample() != null) {
                    h.append("<div class=\"desc\">minimal <code>").append(Html.esc(Format.shrunkCycles(p.counterexample()))).append("</code></div>");
                }
                h.append("</td><td class=\"num\">").append(p.tries()).append("</td><td class=\"num\">")
                 .append(Html.esc(Format.duration(p.elapsed()))).append("</td><td class=\"num\"><code>").append(p.seed())
                 .append("</code></td></tr>");
            }
            h.append("</tbody></table>");
        }
        h.append("</section>\n");
    }

    private static void plots(StringBuilder h, Plots p) {
        boolean any = p.logitErrors() != null || !p.headNorms().isEmpty() || !p.spectra().isEmpty()
                || !p.probeTables().isEmpty() || !p.heatmaps().isEmpty();
        h.append("<section id=\"plots\"><h2>Measurements</h2>");
        if (!any) {
            h.append("<p class=\"muted\">No measurements: the stages that record them did not run.</p></section>\n");
            return;
        }
        LogitErrors e = p.logitErrors();
        if (e != null) {
            boolean within = e.editedMaxError() <= e.tolerance();
            h.append("<h3>Logit error against the tolerance</h3><table class=\"kv narrow\"><tr><th>baseline max |Δ| (")
             .append(Html.esc(e.mode())).append(" vs fp64)</th><td class=\"num\">").append(Format.number(e.baselineMaxError()))
             .append("</td></tr><tr><th>edited max |Δ|</th><td class=\"num ").append(within ? "ok" : "bad").append("\">")
             .append(Format.number(e.editedMaxError())).append("</td></tr><tr><th>tolerance</th><td class=\"num\">")
             .append(Format.number(e.tolerance())).append("</td></tr><tr><th>edited max relative error</th><td class=\"num\">")
             .append(Format.number(e.editedMaxRelError())).append("</td></tr><tr><th>worst at</th><td>")
             .append(Html.esc(Format.orDash(e.worstLocation()))).append("</td></tr></table>")
             .append("<figure>").append(PlotSvg.logitErrorHistogram(e)).append("</figure>");
        }
        if (!p.headNorms().isEmpty()) {
            h.append("<h3>Per-head block norms, original vs edited</h3><p class=\"muted\">Each pair shows edited head i next to the "
                    + "original head it must carry, π(i): the two bars must be equal. A red label marks a pair that differs.</p>");
            for (HeadNorms n : p.headNorms()) h.append("<figure>").append(PlotSvg.headNorms(n)).append("</figure>");
        }
        if (!p.spectra().isEmpty()) {
            h.append("<h3>Singular-value spectra, original vs edited</h3><p class=\"muted\">A head permutation permutes rows or "
                    + "columns, so the spectrum must not change.</p>");
            for (Spectrum s : p.spectra()) h.append("<figure>").append(PlotSvg.spectrum(s)).append("</figure>");
        }
        for (Table t : p.probeTables()) table(h, t);
        for (Heatmap m : p.heatmaps()) h.append("<h3>").append(Html.esc(m.title())).append("</h3><figure>").append(PlotSvg.heatmap(m)).append("</figure>");
        h.append("</section>\n");
    }

    private static void shapes(StringBuilder h, dev.editgate.reports.model.ShapesReport s) {
        if (s == null) return;
        h.append("<section id=\"shapes\"><h2>Generated shapes</h2><ul>");
        for (String line : s.summaryLines()) h.append("<li>").append(Html.esc(line.strip())).append("</li>");
        h.append("</ul>");
        if (s.minimalConfigJson() != null) {
            h.append("<h3>The minimal failing model's config.json</h3><pre class=\"cmd\"><code>").append(Html.esc(s.minimalConfigJson().strip()))
             .append("</code></pre>");
        }
        for (Table t : s.tables()) table(h, t);
        h.append("</section>\n");
    }

    private static void table(StringBuilder h, Table t) {
        h.append("<h3>").append(Html.esc(t.title())).append("</h3><table class=\"probe\"><thead><tr>");
        for (String c : t.columns()) h.append("<th>").append(Html.esc(c)).append("</th>");
        h.append("</tr></thead><tbody>");
        for (List<String> row : t.rows()) {
            h.append("<tr>");
            for (String c : row) h.append("<td>").append(Html.esc(c).replace("\n", "<span class=\"nl\">⏎</span>\n")).append("</td>");
            h.append("</tr>");
        }
        h.append("</tbody></table>");
    }

    private static void environment(StringBuilder h, RunInfo run, Environment env) {
        h.append("<section id=\"environment\"><h2>Environment</h2><table class=\"kv\">");
        if (run != null) {
            kv(h, "model", run.model());
            kv(h, "revision", run.revision());
            kv(h, "model folder", run.modelFolder());
            kv(h, "content hash", run.contentHash());
            kv(h, "weight dtype", run.weightDtype());
            kv(h, "compute dtype", run.computeDtype());
            kv(h, "device", run.device());
            kv(h, "edit kind", run.editKind());
            kv(h, "layer / heads", run.wholeModel() ? "whole model (" + run.heads() + " heads per layer)" : run.layer() + " / " + run.heads());
            kv(h, "edit", run.edit());
            kv(h, "seed / tries", run.seed() + " / " + run.tries());
            if (run.editCalls() != null) kv(h, "edit calls", run.editCalls().summary());
            if (!run.prompts().isEmpty()) kv(h, "prompts", String.join("\n", run.prompts()));
        }
        if (env != null) {
            kv(h, "editgate", env.editgateVersion());
            kv(h, "Java", env.javaVersion());
            kv(h, "OS", env.os());
            kv(h, "DJL", env.djlVersion());
            kv(h, "PyTorch", env.pytorchVersion());
            if (run == null || !Format.text(env.device()).equals(run.device())) kv(h, "engine device", env.device());
            for (String n : env.notes()) kv(h, "note", n);
        }
        h.append("</table></section>\n");
    }

    private static void kv(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(Html.esc(k)).append("</th><td>").append(Html.esc(Format.orDash(v))).append("</td></tr>");
    }

    private static String statusWord(StageReport.Status s) {
        return switch (s) {
            case PASSED -> "passed";
            case FAILED -> "FAILED";
            case SKIPPED -> "skipped";
            case ERROR -> "could not run";
        };
    }

    /** Whether shrinking changed the counterexample. */
    static boolean shrunk(Counterexample c) {
        return c.shrinkSteps() > 0 && !java.util.Arrays.equals(c.original(), c.shrunk());
    }

    private static String anchor(String name) {
        return Format.text(name).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    private static final String CSS = """
            :root{--pass:#1e8449;--fail:#c0392b;--skip:#7f8c8d;--ink:#222;--muted:#666;--line:#ddd;--bg:#fff;--code:#f5f5f5}
            *{box-sizing:border-box}
            body{margin:0;background:#f2f3f5;color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
            main{max-width:1000px;margin:0 auto;padding:16px 20px 40px}
            h2{font-size:20px;margin:0 0 10px}
            h3{font-size:16px;margin:18px 0 6px}
            section{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:14px 0}
            code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
            code{background:var(--code);padding:1px 4px;border-radius:3px}
            pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:10px 12px;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
            pre code{background:none;padding:0}
            pre.cmd{background:#1e2329;color:#e8e8e8;border-color:#1e2329;user-select:all}
            .muted{color:var(--muted);font-weight:normal;font-size:14px}
            .banner{display:flex;gap:24px;align-items:center;color:#fff;border-radius:8px;padding:18px 24px;margin:8px 0 14px}
            .banner.pass{background:var(--pass)} .banner.fail{background:var(--fail)} .banner.inconclusive{background:#b9770e}
            .banner .verdict{font-size:40px;font-weight:800;letter-spacing:2px}
            .banner .what{font-size:18px;font-weight:600}
            .banner code{background:rgba(255,255,255,.18);color:#fff}
            .muted-inv{opacity:.85;font-size:13px}
            ol.pipeline{display:flex;gap:10px;list-style:none;margin:0;padding:0}
            ol.pipeline li{flex:1}
            ol.pipeline a{display:flex;flex-direction:column;text-decoration:none;color:var(--ink);border:1px solid var(--line);border-top:5px solid var(--skip);border-radius:6px;padding:8px 10px}
            ol.pipeline li.passed a{border-top-color:var(--pass)} ol.pipeline li.failed a{border-top-color:var(--fail);background:#fdf2f0}
            ol.pipeline li.skipped a{background:#f7f7f7;color:var(--muted)}
            ol.pipeline .name{font-weight:700;text-transform:capitalize} ol.pipeline .t{font-size:12px;color:var(--muted)}
            li.passed .st{color:var(--pass)} li.failed .st{color:var(--fail);font-weight:700} li.skipped .st{color:var(--skip)} li.error .st{color:#b9770e;font-weight:700}
            ol.pipeline li.error a{border-top-color:#b9770e;background:#fef5e7}
            .badge{display:inline-block;font-size:12px;font-weight:700;color:#fff;border-radius:4px;padding:2px 8px;vertical-align:middle;text-transform:uppercase}
            .badge.passed{background:var(--pass)} .badge.failed{background:var(--fail)} .badge.skipped{background:var(--skip)} .badge.error{background:#b9770e}
            .stage .sname{text-transform:capitalize}
            .stage.skipped{padding:8px 20px;margin:8px 0} .stage.skipped h2{font-size:16px;margin:0;display:inline} .stage.skipped .reason{display:inline;margin-left:10px}
            .stage.skipped{background:#fafafa}
            .reason{color:var(--muted);font-style:italic;margin:4px 0}
            .failure{border:2px solid var(--fail)}
            .failure h2{color:var(--fail)}
            .diagnosis{background:#fff7e0;border-left:5px solid #f0b429;padding:10px 14px;border-radius:4px;margin:8px 0 4px;font-size:16px}
            .diagram{overflow-x:auto;padding:6px 0}
            table{border-collapse:collapse;width:100%}
            th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
            thead th{font-size:13px;color:var(--muted);border-bottom:2px solid var(--line)}
            td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            tr.bad td{background:#fdf2f0} tr.bad strong{color:var(--fail)}
            td.ok{color:var(--pass);font-weight:700} td.bad{color:var(--fail);font-weight:700}
            .desc{font-size:13px;color:var(--muted);margin-top:2px}
            details.stats summary{font-size:12px;color:var(--muted);cursor:pointer}
            details.stats table{width:auto;font-size:12px}
            table.kv th{width:180px;color:var(--muted);font-weight:600}
            table.kv td{white-space:pre-wrap;word-break:break-all}
            table.kv.narrow{width:auto;min-width:520px} table.kv.narrow th{width:300px;white-space:nowrap} span.nl{color:#aaa}
            table.props{table-layout:fixed} col.c-res{width:150px} col.c-num{width:90px} col.c-seed{width:170px}
            figure{margin:10px 0;overflow-x:auto}
            svg{max-width:100%;height:auto} svg.plot{width:100%} svg.plot.heatmap{width:auto}
            details.more summary{cursor:pointer;color:var(--muted);font-size:13px}
            table.probe td:first-child{white-space:nowrap}
            table.probe td{white-space:pre-wrap;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px}
            footer{color:var(--muted);font-size:12px;text-align:center;margin-top:18px}
            """;
}
