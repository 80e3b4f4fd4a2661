package dev.editgate.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.reports.model.Counterexample;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.Heatmap;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Report details a reader tripped over: overlapping heatmap labels, a folded "what broke", unreadable files, INCONCLUSIVE. */
class ReportFixesTest {
    @TempDir Path dir;

    @Test
    void heatmapColumnLabelsDoNotOverlap() {
        for (String[] cols : List.of(new String[] {"patch effect", "ablation ΔLD"},
                new String[] {"a rather long column label", "another long column label", "a third long column label",
                        "fourth label", "fifth label here", "sixth label here", "seventh label", "eighth label"})) {
            double[][] m = new double[6][cols.length];
            String svg = PlotSvg.heatmap(new Heatmap("t", new String[] {"h0", "h1", "h2", "h3", "h4", "h5"}, cols, m, m));
            List<Double> xs = new ArrayList<>();
            boolean rotated = svg.contains("rotate(-60");
            for (String c : cols) {
                Matcher x = Pattern.compile("<text x=\"([0-9.]+)\"[^>]*>" + Pattern.quote(Html.esc(c)) + "</text>").matcher(svg);
                assertThat(x.find()).as(c).isTrue();
                xs.add(Double.parseDouble(x.group(1)));
            }
            for (int i = 1; i < cols.length; i++) {
                double distance = xs.get(i) - xs.get(i - 1);
                double needed = rotated ? 9 * 1.2 : (cols[i].length() + cols[i - 1].length()) / 2.0 * PlotSvg.LABEL_CHAR_PX;
                assertThat(distance).as("labels %s and %s", cols[i - 1], cols[i]).isGreaterThanOrEqualTo(needed);
            }
        }
    }

    @Test
    void aLongWhatBrokeShowsItsFirstLinesAndFoldsTheRest() {
        StringBuilder msg = new StringBuilder("layer 1: 20 blocks are wrong:");
        for (int i = 0; i < 20; i++) msg.append("\n  block ").append(i);
        Counterexample c = new Counterexample(new int[] {1, 0, 2}, "(0 1)", new int[] {1, 0, 2}, "(0 1)", 0);
        PropertyReport p = new PropertyReport("heads move as whole blocks", "", PropertyReport.Status.FAILED, 3, Duration.ZERO, 1,
                c, msg.toString(), "", Map.of());
        GateReport failing = SampleReports.failing();
        List<StageReport> stages = new ArrayList<>(failing.stages());
        stages.set(0, new StageReport("structural", StageReport.Status.FAILED, "1 failed", Duration.ZERO, List.of(p)));
        GateReport r = new GateReport(failing.schemaVersion(), failing.started(), failing.elapsed(), failing.verdict(), failing.run(),
                failing.environment(), stages, failing.plots(), failing.reproduceCommand());
        Document doc = Jsoup.parse(HtmlReport.render(r));
        assertThat(doc.select("section.failure pre.msg").first().text()).contains("block 6").doesNotContain("block 7");
        assertThat(doc.select("section.failure details.more summary").text()).isEqualTo("13 more lines");
        assertThat(doc.select("section.failure details.more pre").text()).contains("block 7").contains("block 19");
        assertThat(doc.text()).contains("found as is: nothing smaller fails").doesNotContain("Original counterexample");
        assertThat(MarkdownReport.render(r)).contains("block 19").doesNotContain("| original |");
    }

    @Test
    void inconclusiveRunsSayTheEditWasNotJudgedAndFilesAreReadableByOthers() throws Exception {
        GateReport failing = SampleReports.failing();
        List<StageReport> stages = List.of(new StageReport("structural", StageReport.Status.ERROR, "the stage could not run: boom", Duration.ZERO, List.of()));
        GateReport r = new GateReport(failing.schemaVersion(), failing.started(), failing.elapsed(), GateReport.Verdict.INCONCLUSIVE,
                failing.run(), failing.environment(), stages, failing.plots(), failing.reproduceCommand());
        ReportFiles files = ReportWriter.write(r, dir);
        assertThat(Files.readString(files.html())).contains("INCONCLUSIVE").contains("the edit was not judged").contains("could not run")
                .contains("Not every stage ran");
        assertThat(Files.readString(files.markdown())).contains("INCONCLUSIVE").contains("could not run");
        assertThat(JsonReport.read(files.json()).verdict()).isEqualTo(GateReport.Verdict.INCONCLUSIVE);
        for (Path f : List.of(files.html(), files.markdown(), files.json())) {
            assertThat(Files.getPosixFilePermissions(f)).as(f.toString()).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        }
    }
}
