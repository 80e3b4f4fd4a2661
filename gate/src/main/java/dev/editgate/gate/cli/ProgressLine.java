package dev.editgate.gate.cli;

import dev.editgate.gate.GateListener;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
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
 *
 * <p>The whole-run ETA adds the current stage's remaining trials at its measured rate to the later stages'
 * durations in the previous comparable run (same model, dtype and tries, read from the report folder); with no
 * such run it is shown only in the last stage. It only counts down: a new estimate above the shown one is
 * ignored until the shown one has run out.
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
    private volatile int plannedThisProperty;         // 0 between properties
    private volatile int doneThisProperty;
    private int failures;
    private int stageIndex;
    private final java.util.Map<String, Duration> previous;
    private final List<String> order = List.of("structural", "numeric", "functional", "behavioural");
    private volatile long stageStart = System.nanoTime();
    private volatile long planStart = -1;
    private long shownEtaNanos = -1;
    private long shownAt;

    ProgressLine(PrintStream out, boolean interactive) {
        this(out, interactive, HEARTBEAT, java.util.Map.of());
    }

    ProgressLine(PrintStream out, boolean interactive, Duration heartbeatEvery) {
        this(out, interactive, heartbeatEvery, java.util.Map.of());
    }

    /** @param previous each stage's duration in the previous comparable run (may be empty) */
    ProgressLine(PrintStream out, boolean interactive, Duration heartbeatEvery, java.util.Map<String, Duration> previous) {
        this.out = out;
        this.interactive = interactive;
        this.previous = java.util.Map.copyOf(previous);
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
        String counts = plannedTotal <= 0 ? ""
                : plannedThisProperty > 0 ? ", trial " + doneThisProperty + " of " + plannedThisProperty + " (" + done + " of " + plannedTotal + " in this stage)"
                : ", " + done + " of " + plannedTotal + " trials";
        line("[" + stage + "] still working: " + activity + counts + " (" + seconds(Duration.ofNanos(System.nanoTime() - runStart))
                + " into the run" + eta().map(e -> ", run ETA " + e).orElse("") + ")");
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
        stageStart = System.nanoTime();
        planStart = -1;
        failures = 0;
        doneBefore = 0;
        done = 0;
        plannedTotal = 0;
        plannedThisProperty = 0;
        activity = "preparing";
        line((interactive ? "" : "[" + name + "] ") + "stage " + stageIndex + " of 4: " + name + eta().map(e -> " (run ETA " + e + ")").orElse(""));
    }

    @Override
    public void stagePlanned(String name, long totalTries) {
        plannedTotal = totalTries;
        planStart = System.nanoTime();
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
        doneThisProperty = 0;
        activity = property;
        if (bar != null) bar.setExtraMessage(message(property, ""));
    }

    @Override
    public void tryDone(String stageName, String property, int doneInProperty, int planned, int failuresSoFar) {
        done = doneBefore + doneInProperty;
        doneThisProperty = doneInProperty;
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(message(property, failuresSoFar > 0 ? "failing" : "") + eta().map(e -> " | run ETA " + e).orElse(""));
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
        plannedThisProperty = 0;
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

    /** The whole run's remaining time as shown ("~42 s"), or empty when there is no basis for one. */
    synchronized java.util.Optional<String> eta() {
        java.util.Optional<Long> estimate = estimateNanos();
        if (estimate.isEmpty()) return java.util.Optional.empty();
        long now = System.nanoTime();
        long counted = shownEtaNanos < 0 ? -1 : shownEtaNanos - (now - shownAt);
        long show = counted > 0 ? Math.min(counted, estimate.get()) : estimate.get();
        shownEtaNanos = show;
        shownAt = now;
        return java.util.Optional.of("~" + Math.max(1, Math.round(show / 1e9)) + " s");
    }

    /** Current stage remaining (measured rate, else the previous run's duration) plus the later stages' previous durations. */
    private java.util.Optional<Long> estimateNanos() {
        int at = order.indexOf(stage);
        if (at < 0) return java.util.Optional.empty();
        long now = System.nanoTime();
        long current;
        if (planStart > 0 && done > 0 && plannedTotal > 0) {
            current = (long) ((now - planStart) / (double) done * Math.max(0, plannedTotal - done));
        } else if (previous.containsKey(stage)) {
            current = Math.max(0, previous.get(stage).toNanos() - (now - stageStart));
        } else {
            return java.util.Optional.empty();
        }
        long later = 0;
        for (String s : order.subList(at + 1, order.size())) {
            Duration d = previous.get(s);
            if (d == null) return java.util.Optional.empty();
            later += d.toNanos();
        }
        return java.util.Optional.of(current + later);
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
