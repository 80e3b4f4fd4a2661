package dev.editgate.core.external;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A worker's stdout split into lines on a daemon thread, with bounded memory: a line longer than
 * {@code maxLine} bytes ends the stream with {@link TooLong} (a reply is one short JSON line; a 2 GB line is
 * an error, not an OutOfMemoryError), and at most a few lines wait unread (the worker blocks on its pipe).
 */
public final class ReplyLines {
    /** What the reader saw next. */
    public sealed interface Event permits Line, TooLong, End {}

    public record Line(String text) implements Event {}

    public record TooLong(int limit) implements Event {}

    public record End() implements Event {}

    private final BlockingQueue<Event> events = new ArrayBlockingQueue<>(16);
    private Thread thread;

    private ReplyLines() {}

    public static ReplyLines read(InputStream in, int maxLine) {
        ReplyLines r = new ReplyLines();
        Thread t = new Thread(() -> r.loop(in, maxLine), "editgate-worker-stdout");
        t.setDaemon(true);
        r.thread = t;
        t.start();
        return r;
    }

    private void loop(InputStream in, int maxLine) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') continue;
                    line.write(buf, start, i - start);
                    start = i + 1;
                    if (line.size() > maxLine) {
                        events.put(new TooLong(maxLine));
                        return;
                    }
                    events.put(new Line(line.toString(StandardCharsets.UTF_8)));
                    line.reset();
                }
                line.write(buf, start, n - start);
                if (line.size() > maxLine) {
                    events.put(new TooLong(maxLine));
                    return;
                }
            }
            if (line.size() > 0) events.put(new Line(line.toString(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // the worker went away: End tells the waiting trial
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            events.put(new End());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the reader thread (after the worker was killed). */
    public void close() {
        thread.interrupt();
    }

    /** The next event, or null after {@code millis}. */
    public Event poll(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }
}
