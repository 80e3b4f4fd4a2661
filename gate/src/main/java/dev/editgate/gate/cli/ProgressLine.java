package dev.editgate.gate.cli;

import dev.editgate.gate.GateListener;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The CLI's live progress: on a terminal, one progress bar per stage (trials done of planned, failures,
 * elapsed and ETA, "shrinking" while a counterexample is minimised); elsewhere (CI logs) one plain line
 * per finished property and stage.
 */
final class ProgressLine implements GateListener {
    private final PrintStream out;
    private final boolean interactive;
    private ProgressBar bar;
    private long doneBefore;
    private long plannedTotal;
    private int failures;

    ProgressLine(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void stageStarted(String stage) {
        failures = 0;
        doneBefore = 0;
        plannedTotal = 0;
        if (interactive) {
            bar = new ProgressBarBuilder().setTaskName(String.format("%-11s", stage)).setInitialMax(1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(150).continuousUpdate()
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out)).setUnit(" trials", 1).build();
        } else {
            out.println("[" + stage + "] running");
        }
    }

    @Override
    public void propertyStarted(String stage, String property, int plannedTries) {
        plannedTotal += plannedTries;
        if (bar != null) {
            bar.maxHint(plannedTotal);
            bar.setExtraMessage(message(property, ""));
        }
    }

    @Override
    public void tryDone(String stage, String property, int done, int planned, int failuresSoFar) {
        if (bar != null) {
            bar.stepTo(doneBefore + done);
            bar.setExtraMessage(message(property, failuresSoFar > 0 ? "failing" : ""));
        }
    }

    @Override
    public void shrinking(String stage, String property, int steps) {
        if (bar != null) bar.setExtraMessage(message(property, "shrinking, step " + steps));
    }

    @Override
    public void propertyFinished(String stage, PropertyReport report) {
        doneBefore += report.tries();
        if (report.status() == PropertyReport.Status.FAILED) failures++;
        if (bar != null) {
            plannedTotal = Math.max(plannedTotal, doneBefore);
            bar.maxHint(plannedTotal);
            bar.stepTo(doneBefore);
        } else {
            out.printf("[%s] %-52s %-6s %5d tries %8s%n", stage, report.name(),
                    report.status() == PropertyReport.Status.PASSED ? "ok" : "FAILED", report.tries(), seconds(report.elapsed()));
        }
    }

    @Override
    public void stageFinished(StageReport report) {
        if (bar != null) {
            bar.setExtraMessage(report.status() + (failures > 0 ? ", " + failures + " failed" : ""));
            bar.close();
            bar = null;
        } else if (report.status() == StageReport.Status.SKIPPED) {
            out.println("[" + report.name() + "] skipped: " + report.reason().replaceFirst("^skipped: ", ""));
        } else {
            out.println("[" + report.name() + "] " + report.status() + " in " + seconds(report.elapsed()));
        }
    }

    private String message(String property, String state) {
        String f = failures > 0 ? failures + " failed; " : "";
        return f + property + (state.isEmpty() ? "" : " (" + state + ")");
    }

    static String seconds(Duration d) {
        return String.format("%.2f s", d.toNanos() / 1e9);
    }
}
