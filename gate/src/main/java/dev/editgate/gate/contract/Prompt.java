package dev.editgate.gate.contract;

import java.util.Arrays;

/** A generated or given prompt: its token ids, its text (decoded), and where it came from. */
public record Prompt(int[] ids, String text, String source) {
    public Prompt {
        ids = ids.clone();
        if (ids.length == 0) throw new IllegalArgumentException("a prompt needs at least one token");
    }

    @Override
    public int[] ids() { return ids.clone(); }

    public int length() { return ids.length; }

    /** {@code "text" [ids]}, with newlines escaped. */
    public String describe() {
        return "\"" + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + "\" " + Arrays.toString(ids);
    }

    @Override
    public String toString() { return describe(); }

    @Override
    public boolean equals(Object o) { return o instanceof Prompt p && Arrays.equals(ids, p.ids); }

    @Override
    public int hashCode() { return Arrays.hashCode(ids); }
}
