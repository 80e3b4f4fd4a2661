package dev.editgate.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.reports.model.Counterexample;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.util.ArrayList;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/** A counterexample of another edit kind (exponents of a scaling) renders as its parameter, without a permutation diagram. */
class KindCounterexampleReportTest {

    @Test
    void exponentCounterexamplesAreShownAsTheirParameter() {
        GateReport f = SampleReports.failing();
        StageReport s = f.stages().get(0);
        PropertyReport p = s.properties().get(0);
        Counterexample c = new Counterexample(new int[] {1, 1, 0, 0}, "exponents [1,1,0,0]", new int[] {-2, -2, 3, 3}, "exponents [-2,-2,3,3]", 4);
        PropertyReport q = new PropertyReport(p.name(), p.description(), p.status(), p.tries(), p.elapsed(), p.seed(), c, p.failureMessage(),
                p.diagnosis(), p.statistics());
        List<PropertyReport> props = new ArrayList<>(s.properties());
        props.set(0, q);
        List<StageReport> stages = new ArrayList<>(f.stages());
        stages.set(0, new StageReport(s.name(), s.status(), s.reason(), s.elapsed(), props));
        GateReport r = new GateReport(f.schemaVersion(), f.started(), f.elapsed(), f.verdict(), f.run(), f.environment(), stages, f.plots(),
                f.reproduceCommand());
        Document d = Jsoup.parse(HtmlReport.render(r));
        assertThat(d.text()).contains("Minimal counterexample exponents [1,1,0,0]").contains("Found after 4 shrink steps from exponents [-2,-2,3,3]");
        assertThat(d.select(".diagram")).isEmpty();
        assertThat(MarkdownReport.render(r)).contains("| **minimal** (4 shrink steps) | `exponents [1,1,0,0]` |")
                .contains("| original | `exponents [-2,-2,3,3]` |").doesNotContain("Moved heads");
    }
}
