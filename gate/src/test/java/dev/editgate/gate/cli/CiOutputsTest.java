package dev.editgate.gate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.JsonReport;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** What CI sees: JUnit XML, GitHub annotations, progress in logs, misspelled settings, readable reports, fixtures everywhere. */
class CiOutputsTest {
    @TempDir Path dir;

    @Test
    void junitXmlHasOneTestCasePerPropertyAndTheCounterexampleInTheFailure() throws Exception {
        Path xml = dir.resolve("junit/editgate.xml");
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--edit", "mutant:inverse_on_dense", "--seed", "11", "--tries", "40",
                "--report", dir.resolve("r").toString(), "--junit-xml", xml.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(EditgateCli.EXIT_GATE_FAILED);
        GateReport report = JsonReport.read(dir.resolve("r/report.json"));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        Element suite = doc.getDocumentElement();
        NodeList cases = suite.getElementsByTagName("testcase");
        long properties = report.stages().stream().mapToLong(s -> s.properties().size()).sum();
        long skippedStages = report.stages().stream().filter(s -> s.status() == StageReport.Status.SKIPPED).count();
        assertThat(cases.getLength()).isEqualTo((int) (properties + skippedStages));
        assertThat(suite.getAttribute("skipped")).isEqualTo(Long.toString(skippedStages));
        NodeList failures = suite.getElementsByTagName("failure");
        assertThat(failures.getLength()).isPositive();
        Element failure = (Element) failures.item(0);
        assertThat(failure.getAttribute("message")).contains("minimal counterexample (0 1 2)");
        assertThat(failure.getTextContent()).contains("diagnosis: dense was permuted by the inverse");
        assertThat(((Element) failure.getParentNode()).getAttribute("classname")).isEqualTo("editgate.structural");
        assertThat(Files.getPosixFilePermissions(xml)).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        for (String f : List.of("report.json", "report.md", "report.html")) {
            assertThat(Files.getPosixFilePermissions(dir.resolve("r").resolve(f))).as(f).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        }

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GithubAnnotations.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), report);
        String annotations = bytes.toString(StandardCharsets.UTF_8);
        assertThat(annotations).startsWith("::error title=editgate structural%3A heads move as whole blocks::minimal counterexample (0 1 2)")
                .contains("%0Adiagnosis: dense was permuted by the inverse").doesNotContain("\n::error title=editgate numeric");
        assertThat(annotations.lines()).allMatch(l -> l.startsWith("::error ") || l.startsWith("::warning "));
        assertThat(GithubAnnotations.enabled(Map.of("GITHUB_ACTIONS", "true"))).isTrue();
        assertThat(GithubAnnotations.enabled(Map.of())).isFalse();
    }

    @Test
    void misspelledSystemPropertiesFailWithTheKnownKeys() {
        Properties sys = new Properties();
        sys.setProperty("editgate.tires", "5");
        assertThatThrownBy(() -> GateConfig.resolve(Map.of(), sys)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Deditgate.tires: unknown editgate setting").hasMessageContaining("editgate.tries")
                .hasMessageContaining("editgate.time-budget");
        Properties build = new Properties();
        build.setProperty("editgate.fixtures.dir", dir.toString());
        build.setProperty("editgate.shared", dir.toString());
        build.setProperty("editgate.tries", "7");
        assertThat(GateConfig.resolve(Map.of(), build).tries()).isEqualTo(7);
        EditgateCliTest.Run r;
        System.setProperty("editgate.seeed", "1");
        try {
            r = EditgateCliTest.run("gate", "--report", dir.toString());
        } finally {
            System.clearProperty("editgate.seeed");
        }
        assertThat(r.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(r.err()).contains("-Deditgate.seeed: unknown editgate setting");
    }

    @Test
    void theMavenRerunLineNamesTheTestClassAndTheSystemProperties() {
        Properties sys = new Properties();
        sys.setProperty("editgate.layer", "1");
        sys.setProperty("editgate.tries", "30");
        GateConfig config = GateConfig.resolve(Map.of(GateKey.SEED, "42"), sys);
        assertThat(config.mavenReproduceCommand("LabHeadPermutationIT", sys))
                .isEqualTo("mvn verify -Dit.test=LabHeadPermutationIT -Deditgate.layer=1 -Deditgate.tries=30 -Deditgate.seed=42");
        assertThat(config.mavenReproduceCommand("MyContractTest", new Properties())).isEqualTo("mvn test -Dtest=MyContractTest -Deditgate.seed=42");
    }

    /** A heartbeat during a property counts that property's trials against its own plan, and the stage's alongside. */
    @Test
    void aHeartbeatCountsThePropertysTrialsAndTheStages() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ProgressLine p = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, Duration.ofMillis(300))) {
            p.stageStarted("functional");
            p.stagePlanned("functional", 200);
            p.propertyStarted("functional", "logits within the derived tolerance", 100);
            for (int i = 1; i <= 29; i++) p.tryDone("functional", "logits within the derived tolerance", i, 100, 0);
            Thread.sleep(700);
        }
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("[functional] still working: logits within the derived tolerance, trial 29 of 100 (29 of 200 in this stage)");
    }

    @Test
    void ciLogsGetALineAtLeastEveryHeartbeatAndLabelledPhases() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ProgressLine p = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, Duration.ofMillis(300))) {
            p.stageStarted("functional");
            p.phase("functional: calibrating the tolerance on 4 prompts");
            Thread.sleep(1000);
        }
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("[functional] stage 1 of 4: functional")
                .contains("[functional] functional: calibrating the tolerance on 4 prompts ...")
                .contains("[functional] still working: functional: calibrating the tolerance on 4 prompts");
        assertThat(log.lines().filter(l -> l.contains("still working")).count()).isBetween(2L, 4L);
    }

    @Test
    void aFailingPropertyTakesItsUnrunTrialsOffThePlanSoTheEtaNeverJumpsUp() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ProgressLine p = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, Duration.ofSeconds(60))) {
            p.stageStarted("structural");
            p.stagePlanned("structural", 200);
            assertThat(p.planned()).isEqualTo(200);
            p.propertyStarted("structural", "a", 100);
            assertThat(p.planned()).as("starting a property does not grow the plan").isEqualTo(200);
            p.propertyFinished("structural", new PropertyReport("a", "", PropertyReport.Status.FAILED, 3, Duration.ZERO, 1, null, "x", "", Map.of()));
            assertThat(p.planned()).isEqualTo(103);
            p.propertyStarted("structural", "b", 100);
            p.tryDone("structural", "b", 50, 100, 0);
            assertThat(p.planned()).isEqualTo(103);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("[structural] a").contains("FAILED");
    }

    @Test
    void theWholeRunEtaUsesThePreviousRunAndNeverCountsUp() throws Exception {
        Map<String, Duration> previous = Map.of("numeric", Duration.ofMillis(1), "functional", Duration.ofSeconds(2),
                "behavioural", Duration.ofSeconds(3));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ProgressLine p = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, Duration.ofSeconds(60), previous)) {
            p.stageStarted("structural");
            assertThat(p.eta()).as("no basis for the structural stage").isEmpty();
            p.stageFinished(new StageReport("structural", StageReport.Status.PASSED, "", Duration.ZERO, List.of()));
            p.stageStarted("numeric");
            long first = seconds(p.eta().orElseThrow());
            assertThat(first).isBetween(4L, 6L);
            p.stagePlanned("numeric", 1000);
            p.propertyStarted("numeric", "a", 1000);
            Thread.sleep(50);
            p.tryDone("numeric", "a", 1, 1000, 0); // the rate now says ~50 s more: the ETA must not count up
            assertThat(seconds(p.eta().orElseThrow())).isLessThanOrEqualTo(first);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("[numeric] stage 2 of 4: numeric (run ETA ~5 s)");
    }

    static long seconds(String eta) {
        return Long.parseLong(eta.replaceAll("[^0-9]", ""));
    }

    @Test
    void fixturesWorkInPermuteDiffAndLogitsAndTheDeviceReadsCpu() {
        Path out = dir.resolve("permuted");
        EditgateCliTest.Run p = EditgateCliTest.run("permute", "--model", "fixture:tiny", "--layer", "1", "--perm", "(0 1)", "--out", out.toString());
        assertThat(p.exit()).as(p.err()).isZero();
        EditgateCliTest.Run d = EditgateCliTest.run("diff", "--original", "fixture:tiny", "--edited", out.toString(), "--layer", "1", "--perm", "(0 1)");
        assertThat(d.exit()).as(d.out() + d.err()).isZero();
        assertThat(d.out()).contains("verdict: structurally consistent");
        EditgateCliTest.Run l = EditgateCliTest.run("logits", "--model", "fixture:tiny", "--tokens", "1,2,3", "--out", dir.resolve("l.safetensors").toString());
        assertThat(l.exit()).as(l.err()).isZero();
        assertThat(l.out()).contains(" on cpu for tokens").doesNotContain("cpu()");
        EditgateCliTest.Run bad = EditgateCliTest.run("logits", "--model", "fixture:nope", "--tokens", "1", "--out", dir.resolve("x").toString());
        assertThat(bad.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(bad.err()).contains("--model fixture:nope: unknown fixture");
        EditgateCliTest.Run bf16 = EditgateCliTest.run("gate", "--dtype", "bf16", "--report", dir.toString());
        assertThat(bf16.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(bf16.err()).contains("--dtype bf16 is not supported: DJL's PyTorch engine has no bfloat16")
                .contains("supported: fp32, fp16, fp64").contains("bf16 checkpoint works with --dtype fp32");
    }
}
