package dev.editgate.core.external;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The last bytes a process wrote to a stream, in a fixed ring buffer, plus how many it wrote in all: an edit
 * that prints gigabytes costs a pump thread's time, never memory or disk. {@link #mark()} and
 * {@link #since(long)} give one trial's part of a long-lived worker's stream.
 */
public final class OutputTail {
    /** Bytes shown in a failure message. */
    public static final int SHOWN = 4096;

    private final byte[] ring;
    private long total;
    private Thread pump;

    public OutputTail(int capacity) {
        this.ring = new byte[capacity];
    }

    /** Reads {@code in} to its end on a daemon thread. */
    public static OutputTail pump(InputStream in, String threadName) {
        OutputTail tail = new OutputTail(SHOWN * 4);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) tail.append(buf, 0, n);
            } catch (IOException ignored) {
                // the process went away
            }
        }, threadName);
        t.setDaemon(true);
        tail.pump = t;
        t.start();
        return tail;
    }

    /** Waits at most {@code millis} for the stream to end (the pipe closes once every writer is gone). */
    public void awaitEnd(long millis) {
        Thread t = pump;
        if (t == null) return;
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public synchronized void append(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) ring[(int) ((total + i) % ring.length)] = b[off + i];
        total += len;
    }

    /** The position to pass to {@link #since(long)} later. */
    public synchronized long mark() {
        return total;
    }

    /**
     * What was written since {@code mark}: at most {@link #SHOWN} bytes (the end), headed by how many earlier
     * bytes were dropped when there were more.
     */
    public synchronized String since(long mark) {
        long written = total - mark;
        int keep = (int) Math.min(written, SHOWN);
        byte[] out = new byte[keep];
        for (int i = 0; i < keep; i++) out[i] = ring[(int) ((total - keep + i) % ring.length)];
        String text = new String(out, StandardCharsets.UTF_8);
        return written > keep ? "[" + (written - keep) + " earlier bytes dropped; the last " + keep + " of " + written + " follow]\n" + text : text;
    }

    /** Keeps the head and the end of a long text (a worker's error reply), saying how much was dropped in between. */
    public static String bounded(String s, int max) {
        if (s.length() <= max) return s;
        int head = max / 4;
        int end = max - head;
        return s.substring(0, head) + "\n[… " + (s.length() - max) + " characters dropped …]\n" + s.substring(s.length() - end);
    }
}
