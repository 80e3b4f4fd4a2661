package dev.editgate.gate.cli;

import dev.editgate.gate.GateListener;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The CLI's live progress. Setup phases (fixture generation, loading, starting the edit command, forward
 * passes, calibration, original-side probes) are labelled lines. On a terminal each stage then gets one
 * progress bar whose total is the stage's whole plan, known before its first trial, so its ETA does not
 * jump up as properties start (a property that fails early takes its unrun trials off the plan). Elsewhere
 * (CI logs) it prints one plain line per phase, property and stage, and a "still working" line whenever
 * {@link #HEARTBEAT} passed without one.
 */
final class ProgressLine implements GateListener, AutoCloseable {
    static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private final PrintStream out;
    private final boolean interactive;
    private final long runStart = System.nanoTime();
    private final ScheduledExecutorService heartbeat;
    private ProgressBar bar;
    private volatile long lastLine = System.nanoTime();
    private volatile String activity = "starting";
    private volatile String stage = "setup";
    private volatile long done;
    private volatile long plannedTotal;
    private long doneBefore;
    private int plannedThisProperty;
    private int failures;
    private int stageIndex;

    ProgressLine(PrintStream out, boolean interactive) {
        this(out, interactive, HEARTBEAT);
    }

    ProgressLine(PrintStream out, boolean interactive, Duration heartbeatEvery) {
        this.out = out;
        this.interactive = interactive;
        if (interactive) {
            heartbeat = null;
        } else {
            heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "editgate-progress-heartbeat");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, heartbeatEvery.toMillis() / 10);
            heartbeat.scheduleAtFixedRate(() -> beat(heartbeatEvery), every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void beat(Duration every) {
        if (System.nanoTime() - lastLine < every.toNanos()) return;
        String counts = plannedTotal > 0 ? ", " + done + " of " + plannedTotal + " trials" : "";
        line("[" + stage + "] still working: " + activity + counts + " (" + seconds(Duration.ofNanos(System.nanoTime() - runStart)) + " into the run)");
    }

    private synchronized void line(String s) {
        out.println(s);
        out.flush();
        lastLine = System.nanoTime();
    }

    @Override
    public void phase(String label) {
        activity = label;
        line((interactive ? "  " : "[" + stage + "] ") + label + " ...");
    }

    @Override
    public void stageStarted(String name) {
        stage = name;
        stageIndex++;
        failures = 0;
        doneBefore = 0;
        done = 0;
        plannedTotal = 0;
        activity = "preparing";
        line((interactive ? "" : "[" + name + "] ") + "stage " + stageIndex + " of 4: " + name);
    }

    @Override
    public void stagePlanned(String name, long totalTries) {
        plannedTotal = totalTries;
        activity = "running properties";
        if (interactive) {
            bar = new ProgressBarBuilder().setTaskName(String.format("%-11s", name)).setInitialMax(Math.max(1, totalTries))
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(150).continuousUpdate()
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out)).setUnit(" trials", 1).build();
        }
    }

    @Override
    public void propertyStarted(String stageName, String property, int plannedTries) {
        plannedThisProperty = plannedTries;
        activity = property;
        if (bar != null) bar.setExtraMessage(message(property, ""));
    }

    @Override
    public void tryDone(String stageName, String property, int doneInProperty, int planned, int failuresSoFar) {
        done = doneBefore + doneInProperty;
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(message(property, failuresSoFar > 0 ? "failing" : ""));
        }
    }

    @Override
    public void shrinking(String stageName, String property, int steps) {
        activity = property + " (shrinking, step " + steps + ")";
        if (bar != null) bar.setExtraMessage(message(property, "shrinking, step " + steps));
    }

    @Override
    public void propertyFinished(String stageName, PropertyReport report) {
        doneBefore += report.tries();
        done = doneBefore;
        // trials a failing property did not run come off the plan: the ETA moves forward, never back
        plannedTotal = Math.max(doneBefore, plannedTotal - Math.max(0, plannedThisProperty - report.tries()));
        if (report.status() == PropertyReport.Status.FAILED) failures++;
        if (bar != null) {
            bar.maxHint(Math.max(1, plannedTotal));
            bar.stepTo(doneBefore);
        } else {
            line(String.format("[%s] %-52s %-6s %5d tries %8s", stageName, report.name(),
                    report.status() == PropertyReport.Status.PASSED ? "ok" : "FAILED", report.tries(), seconds(report.elapsed())));
        }
    }

    @Override
    public void stageFinished(StageReport report) {
        activity = "between stages";
        plannedTotal = 0;
        if (bar != null) {
            bar.setExtraMessage(report.status() + (failures > 0 ? ", " + failures + " failed" : ""));
            bar.close();
            bar = null;
            lastLine = System.nanoTime();
        } else if (report.status() == StageReport.Status.SKIPPED) {
            line("[" + report.name() + "] skipped: " + report.reason().replaceFirst("^skipped: ", ""));
        } else if (interactive) {
            line(report.name() + ": " + report.status() + " " + report.reason());
        } else {
            line("[" + report.name() + "] " + report.status() + " in " + seconds(report.elapsed())
                    + (report.status() == StageReport.Status.ERROR ? ": " + report.reason() : ""));
        }
    }

    /** Trials planned for the current stage (its plan, less what failing properties did not run). */
    long planned() { return plannedTotal; }

    private String message(String property, String state) {
        String f = failures > 0 ? failures + " failed; " : "";
        return f + property + (state.isEmpty() ? "" : " (" + state + ")");
    }

    @Override
    public void close() {
        if (heartbeat != null) heartbeat.shutdownNow();
        if (bar != null) bar.close();
        bar = null;
    }

    static String seconds(Duration d) {
        return String.format("%.2f s", d.toNanos() / 1e9);
    }
}
