package dev.editgate.core.tokenize;

/**
 * Greedy continuation of a prompt.
 *
 * @param prompt    the prompt ids
 * @param generated the new ids, one per step
 * @param margins   per step, top-1 minus top-2 logit of the last position: near-ties (margins around the
 *                  dtype's error) can flip under rounding, so compare two runs only where margins are clear
 */
public record GreedyResult(int[] prompt, int[] generated, double[] margins) {

    public GreedyResult {
        if (generated.length != margins.length) throw new IllegalArgumentException("one margin per generated token");
        prompt = prompt.clone();
        generated = generated.clone();
        margins = margins.clone();
    }

    /** Prompt followed by the generated ids. */
    public int[] allTokens() {
        int[] all = java.util.Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        return all;
    }

    /** The smallest margin of any step (infinity when nothing was generated). */
    public double minMargin() {
        double m = Double.POSITIVE_INFINITY;
        for (double x : margins) m = Math.min(m, x);
        return m;
    }
}
