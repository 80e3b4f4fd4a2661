package dev.editgate.properties;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the body on one value, on the calling thread, or, under a per-try deadline, on a worker
 * thread that is abandoned (interrupted) when the try runs past it.
 */
final class TryRunner implements AutoCloseable {
    private final Duration deadline;
    private ExecutorService worker;

    TryRunner(Duration deadline) {
        this.deadline = deadline;
    }

    /** What the body threw, or {@code null} when it returned normally. */
    <T> Throwable run(CheckedConsumer<T> body, T value) {
        if (deadline == null) return runHere(body, value);
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "editgate-property-try");
                t.setDaemon(true);
                return t;
            });
        }
        Future<Throwable> future = worker.submit(() -> runHere(body, value));
        try {
            return future.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            worker.shutdownNow();
            worker = null;
            return new AssertionError("try exceeded deadline: it ran longer than " + deadline.toMillis() + " ms");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    private static <T> Throwable runHere(CheckedConsumer<T> body, T value) {
        try {
            body.accept(value);
            return null;
        } catch (Throwable t) {
            dropEngineFrames(t);
            return t;
        }
    }

    /** Cuts the stack trace where the body was called, so reports show the body's frames, not the shrinker's. */
    private static void dropEngineFrames(Throwable t) {
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].getClassName().equals(TryRunner.class.getName())) {
                t.setStackTrace(Arrays.copyOf(frames, i));
                return;
            }
        }
    }

    @Override
    public void close() {
        if (worker != null) worker.shutdownNow();
    }
}
