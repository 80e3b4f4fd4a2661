package dev.editgate.gate.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.editgate.core.contract.ClauseResult;
import dev.editgate.core.contract.NextTokenDivergence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link ContractVerdict} as {@code contract-report.json}, {@code contract-report.md} and a self-contained
 * {@code contract-report.html}: the verdict, one section per clause (status, summary, details), and for a preservation
 * violation the shrunk prompt as text and ids with the divergence at each position.
 */
public final class ContractReport {
    public static final String JSON = "contract-report.json";
    public static final String MARKDOWN = "contract-report.md";
    public static final String HTML = "contract-report.html";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ContractReport() {}

    /** Writes the three files into {@code dir} (created when missing); returns the HTML file. */
    public static Path write(ContractVerdict v, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(JSON), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json(v)), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(MARKDOWN), markdown(v), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(HTML), html(v), StandardCharsets.UTF_8);
            return dir.resolve(HTML);
        } catch (IOException e) {
            throw new UncheckedIOException("--report " + dir + ": cannot write the contract report: " + e.getMessage(), e);
        }
    }

    public static ObjectNode json(ContractVerdict v) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("verdict", v.passed() ? "PASS" : "FAIL");
        root.put("model", v.model()).put("edit", v.edit()).put("request", v.request());
        root.put("seed", v.seed()).put("prompts_tried", v.promptsTried()).put("elapsed_ms", v.elapsed().toMillis());
        ArrayNode clauses = root.putArray("clauses");
        for (ClauseResult r : v.clauses()) {
            ObjectNode c = clauses.addObject();
            c.put("clause", r.clause().name().toLowerCase(Locale.ROOT)).put("label", r.clause().label())
                    .put("status", r.status().name()).put("summary", r.summary());
            ArrayNode d = c.putArray("details");
            r.details().forEach(d::add);
        }
        v.finding().ifPresent(f -> {
            ObjectNode p = root.putObject("preservation_violation");
            p.put("text", f.shrunk().text());
            ArrayNode ids = p.putArray("ids");
            for (int id : f.shrunk().ids()) ids.add(id);
            p.put("found_text", f.found().text()).put("found_by", f.foundBy()).put("prompts_tried", f.promptsTried())
                    .put("shrink_steps", f.shrinkSteps());
            ArrayNode pos = p.putArray("positions");
            for (int i = 0; i < f.positions().size(); i++) {
                NextTokenDivergence d = f.positions().get(i);
                pos.addObject().put("position", i).put("token", f.shrunk().ids()[i]).put("token_text", f.tokenTexts().get(i))
                        .put("kl", d.kl()).put("original_top1", d.originalTop1()).put("edited_top1", d.editedTop1())
                        .put("original_margin", d.originalMargin()).put("max_logit_diff", d.maxLogitDiff());
            }
        });
        return root;
    }

    public static String markdown(ContractVerdict v) {
        StringBuilder sb = new StringBuilder();
        sb.append("# editgate contract: ").append(v.passed() ? "PASS" : "FAIL").append("\n\n");
        sb.append("- model: `").append(v.model()).append("`\n- edit: ").append(v.edit()).append("\n- request: `").append(v.request())
                .append("`\n- seed: ").append(v.seed()).append(", unrelated prompts tried: ").append(v.promptsTried())
                .append(String.format(Locale.ROOT, ", %.2f s%n%n", v.elapsed().toMillis() / 1000.0));
        sb.append("| clause | status | summary |\n|---|---|---|\n");
        for (ClauseResult r : v.clauses()) {
            sb.append("| ").append(r.clause().label()).append(" | ").append(r.status()).append(" | ").append(r.summary().replace("|", "\\|")).append(" |\n");
        }
        for (ClauseResult r : v.clauses()) {
            if (r.details().isEmpty()) continue;
            sb.append("\n## ").append(r.clause().label()).append(" (").append(r.status()).append(")\n\n```\n");
            r.details().forEach(d -> sb.append(d).append('\n'));
            sb.append("```\n");
        }
        return sb.toString();
    }

    public static String html(ContractVerdict v) {
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>editgate contract</title><style>"
                + "body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:4px 8px}table{border-collapse:collapse}"
                + ".PASSED{color:#070}.FAILED{color:#b00;font-weight:bold}.SKIPPED{color:#777}pre{background:#f6f6f6;padding:8px}</style></head><body>");
        sb.append("<h1>editgate contract: <span class=\"").append(v.passed() ? "PASSED" : "FAILED").append("\">").append(v.passed() ? "PASS" : "FAIL")
                .append("</span></h1><p>model <code>").append(esc(v.model())).append("</code><br>edit ").append(esc(v.edit()))
                .append("<br>request <code>").append(esc(v.request())).append("</code><br>seed ").append(v.seed())
                .append(", unrelated prompts tried ").append(v.promptsTried()).append("</p><table><tr><th>clause</th><th>status</th><th>summary</th></tr>");
        for (ClauseResult r : v.clauses()) {
            sb.append("<tr><td>").append(esc(r.clause().label())).append("</td><td class=\"").append(r.status()).append("\">").append(r.status())
                    .append("</td><td>").append(esc(r.summary())).append("</td></tr>");
        }
        sb.append("</table>");
        v.finding().ifPresent(f -> {
            sb.append("<h2>Minimal prompt that breaks preservation</h2><p><code>").append(esc(f.shrunk().describe()))
                    .append("</code> (found as <code>").append(esc(f.found().describe())).append("</code> after ").append(f.promptsTried())
                    .append(" prompts)</p><table><tr><th>pos</th><th>token</th><th>text</th><th>KL</th><th>top-1</th><th>max |Δlogit|</th></tr>");
            for (int i = 0; i < f.positions().size(); i++) {
                NextTokenDivergence d = f.positions().get(i);
                sb.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%s</td><td>%.4g</td><td>%d &rarr; %d</td><td>%.3g</td></tr>",
                        i, f.shrunk().ids()[i], esc(f.tokenTexts().get(i)), d.kl(), d.originalTop1(), d.editedTop1(), d.maxLogitDiff()));
            }
            sb.append("</table>");
        });
        for (ClauseResult r : v.clauses()) {
            if (r.details().isEmpty()) continue;
            sb.append("<h3>").append(esc(r.clause().label())).append("</h3><pre>").append(esc(String.join("\n", r.details()))).append("</pre>");
        }
        return sb.append("</body></html>\n").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static List<String> files() { return List.of(JSON, MARKDOWN, HTML); }
}
