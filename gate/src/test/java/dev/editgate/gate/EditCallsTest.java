package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.reports.ReportWriter;
import dev.editgate.reports.model.GateReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One edit per (input, permutation) per gate run: the edit under test runs once for each distinct request, later
 * requests reuse its result, and the report (JSON, Markdown, HTML) says how often it ran.
 */
class EditCallsTest {

    @Test
    void theEditRunsOncePerInputAndPermutationAndTheReportCountsIt(@TempDir Path tmp) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Set<List<Object>> distinct = new HashSet<>();
        HeadPermutationEdit counting = (original, layer, perm) -> {
            calls.incrementAndGet();
            synchronized (distinct) {
                assertThat(distinct.add(List.of(System.identityHashCode(original), perm))).as("second call for " + perm.toCycleString()).isTrue();
            }
            return BuiltInHeadPermutation.INSTANCE.permuteHeads(original, layer, perm);
        };
        GateReport r = new Gate(GateTestSupport.config(tmp.resolve("report"), 7L, 10, Map.of()), GateListener.NONE)
                .run(counting, "counting built-in edit");
        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.PASS);
        assertThat(r.run().editCalls().calls()).isEqualTo(calls.get());
        assertThat(r.run().editCalls().reused()).as("later properties reuse the first one's edits").isGreaterThan(calls.get());

        var files = ReportWriter.write(r, tmp.resolve("out"));
        String line = "edit calls";
        assertThat(Files.readString(files.markdown())).contains(line).contains(r.run().editCalls().summary());
        assertThat(Files.readString(files.html())).contains(line);
        assertThat(Files.readString(files.json())).contains("\"editCalls\"").contains("\"calls\" : " + calls.get());
    }
}
