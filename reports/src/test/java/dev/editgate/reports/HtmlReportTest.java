package dev.editgate.reports;

import dev.editgate.reports.model.Counterexample;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.LogitErrors;
import dev.editgate.reports.model.Plots;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.parser.ParseErrorList;
import org.jsoup.parser.Parser;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlReportTest {

    @Test
    void isSelfContained() {
        for (GateReport r : List.of(SampleReports.passing(), SampleReports.failing())) {
            String html = HtmlReport.render(r);
            Document doc = Jsoup.parse(html);
            assertThat(doc.select("script")).isEmpty();
            assertThat(doc.select("link, img, iframe, object, embed")).isEmpty();
            for (Element e : doc.select("[src], [href]")) {
                assertThat(e.attr("src") + e.attr("href")).doesNotContain("http:", "https:", "//");
            }
            assertThat(html).doesNotContain("@import", "url(http", "url(//");
            // the only URL-like text is the SVG namespace, which browsers never fetch
            assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http://", "https://");
        }
    }

    @Test
    void isWellFormedMarkup() {
        for (GateReport r : List.of(SampleReports.passing(), SampleReports.failing())) {
            String html = HtmlReport.render(r).replace("<!DOCTYPE html>", "");
            Parser xml = Parser.xmlParser().setTrackErrors(50);
            Jsoup.parse(html, "", xml);
            ParseErrorList errors = xml.getErrors();
            assertThat(errors).as("XML parse errors").isEmpty();
            Parser strict = Parser.htmlParser().setTrackErrors(50);
            Jsoup.parse(HtmlReport.render(r), "", strict);
            assertThat(strict.getErrors()).as("HTML parse errors").isEmpty();
        }
    }

    @Test
    void passingReportHasOneSvgPerPlot() {
        GateReport r = SampleReports.passing();
        Document doc = Jsoup.parse(HtmlReport.render(r));
        Plots p = r.plots();
        int expected = 1 + p.headNorms().size() + p.spectra().size() + p.heatmaps().size();
        assertThat(doc.select("#plots svg.plot")).hasSize(expected);
        assertThat(doc.select("svg.perm")).isEmpty();
        assertThat(doc.select("header.banner.pass .verdict").text()).isEqualTo("PASS");
        assertThat(doc.select("table.probe tbody tr")).hasSize(3);
        // one line for the tolerance, a polyline per spectrum series
        assertThat(doc.select("#plots svg.plot").first().select("line[stroke-dasharray]")).hasSize(1);
        assertThat(doc.select("polyline")).hasSize(2 * p.spectra().size());
    }

    @Test
    void failingReportDrawsTheCounterexampleAndExplainsSkippedStages() {
        Document doc = Jsoup.parse(HtmlReport.render(SampleReports.failing()));
        assertThat(doc.select("header.banner.fail .verdict").text()).isEqualTo("FAIL");
        assertThat(doc.select(".diagnosis").text()).contains(SampleReports.DIAGNOSIS);
        Element minimal = doc.select("svg.perm").first();
        assertThat(minimal).isNotNull();
        assertThat(doc.select("svg.perm")).hasSize(2); // minimal and original
        // 12 old + 12 new boxes, 12 arrows, 3 of them highlighted
        assertThat(minimal.select("rect")).hasSize(24);
        assertThat(minimal.select("line")).hasSize(12);
        assertThat(minimal.select("line[stroke=#c0392b]")).hasSize(3);
        assertThat(doc.text()).contains("(0 1 2)", "[1, 2, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11]", "[3, 0, 1, 2, 5, 4, 6, 7, 8, 11, 9, 10]");
        assertThat(doc.select("section.stage.skipped")).hasSize(3);
        assertThat(doc.select("section.stage.skipped .reason").eachText())
                .allMatch(t -> t.equals("skipped because stage structural failed"));
        assertThat(doc.select("tr.bad > td").get(4).text()).isEqualTo("8675309");
        assertThat(doc.select("#reproduce pre code").text()).startsWith("editgate gate --model EleutherAI/pythia-160m");
        assertThat(doc.select("#environment").text()).contains("9f1c0e4ab2d37c55", "step143000", "0.36.0", "2.7.1", "float16", "cpu");
    }

    @Test
    void escapesUserText() {
        GateReport f = SampleReports.failing();
        String evil = "<script>alert('x')</script> & \"quoted\"";
        PropertyReport p = f.stages().get(0).properties().get(0);
        PropertyReport bad = new PropertyReport(evil, evil, p.status(), p.tries(), p.elapsed(), p.seed(), p.counterexample(),
                evil, evil, Map.of(evil, 1L));
        StageReport s = new StageReport(evil, StageReport.Status.FAILED, evil, Duration.ZERO, List.of(bad));
        GateReport r = new GateReport(f.schemaVersion(), f.started(), f.elapsed(), f.verdict(), f.run(), f.environment(),
                List.of(s), f.plots(), evil);
        String html = HtmlReport.render(r);
        assertThat(html).doesNotContain("<script").contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;");
        assertThat(Jsoup.parse(html).select("script")).isEmpty();
        // Markdown shows code spans and fences literally; everywhere else markup must be neutralised
        String prose = MarkdownReport.render(r).replaceAll("(?s)```.*?```", "").replaceAll("`[^`\n]*`", "");
        assertThat(prose).doesNotContain("<script").contains("&lt;script&gt;");
    }

    @Test
    void rendersAbsentOrEmptyPlotDataGracefully() {
        GateReport f = SampleReports.failing();
        GateReport noPlots = new GateReport(f.schemaVersion(), f.started(), f.elapsed(), f.verdict(), null, null,
                List.of(), null, null);
        Document doc = Jsoup.parse(HtmlReport.render(noPlots));
        assertThat(doc.select("#plots").text()).contains("No measurements");
        assertThat(MarkdownReport.render(noPlots)).contains("# editgate: FAIL");

        LogitErrors empty = new LogitErrors("float16", 0.0, 0, 0, 0, null, new double[0], new double[0]);
        GateReport emptyData = new GateReport(f.schemaVersion(), f.started(), f.elapsed(), f.verdict(), f.run(), f.environment(),
                f.stages(), new Plots(empty, List.of(), List.of(), List.of(), List.of()), f.reproduceCommand());
        Document d2 = Jsoup.parse(HtmlReport.render(emptyData));
        assertThat(d2.select("#plots svg.plot")).hasSize(1);
        assertThat(d2.select("#plots").text()).contains("no error samples recorded");

        Counterexample identity = new Counterexample(new int[] {0, 1, 2}, "", new int[] {0, 1, 2}, null, 0);
        assertThat(Format.shrunkCycles(identity)).isEqualTo("()");
        assertThat(PermutationDiagram.svg(new int[0], "empty", "p")).startsWith("<svg").endsWith("</svg>");
    }
}
