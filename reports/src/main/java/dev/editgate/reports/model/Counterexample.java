package dev.editgate.reports.model;

/**
 * A failing permutation before and after shrinking, as image lists (new head i = old head p[i]).
 */
public record Counterexample(int[] shrunk, String shrunkCycles, int[] original, String originalCycles, int shrinkSteps) {
    public Counterexample {
        shrunk = shrunk.clone();
        original = original.clone();
    }
}
