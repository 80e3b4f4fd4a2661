package dev.editgate.reports;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MarkdownReportTest {

    @Test
    void failingReportNamesTheFailureItsCounterexamplesAndDiagnosis() {
        String md = MarkdownReport.render(SampleReports.failing());
        assertThat(md).startsWith("# editgate: FAIL")
                .contains("| **structural** | ❌ **FAILED**")
                .contains("`qkv_row_blocks_move_with_heads` | **FAILED** | 3 | 212 ms | 8675309 |")
                .contains("`(0 1 2)`", "`[1, 2, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11]`")
                .contains("`[3, 0, 1, 2, 5, 4, 6, 7, 8, 11, 9, 10]`", "(17 shrink steps)")
                .contains("> **Diagnosis:** " + SampleReports.DIAGNOSIS)
                .contains("| **numeric** | ⏭ skipped | skipped because stage structural failed")
                .contains("| content hash | 9f1c0e4ab2d37c55 |", "| DJL | 0.36.0 |", "| PyTorch | 2.7.1 |")
                .contains("```sh\neditgate gate --model EleutherAI/pythia-160m");
    }

    @Test
    void passingReportHasEveryStageAndTheLogitErrorSummary() {
        String md = MarkdownReport.render(SampleReports.passing());
        assertThat(md).startsWith("# editgate: PASS")
                .contains("**structural**", "**numeric**", "**functional**", "**behavioural**")
                .contains("## Logit error vs float64 (float16)", "| tolerance | 0.025 |")
                .contains("## Probe answers (greedy, 8 tokens)")
                .doesNotContain("❌");
    }

    @Test
    void tableCellsCannotBreakTheTable() {
        assertThat(MarkdownReport.cell("a|b\n<script>")).isEqualTo("a\\|b &lt;script&gt;");
    }
}
