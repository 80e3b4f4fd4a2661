package dev.editgate.reports.model;

/** Per-head block norms of one tensor, original vs edited (edited block i should equal original block π(i)). */
public record HeadNorms(String tensor, String[] blockLabels, double[] original, double[] edited) {
    public HeadNorms {
        blockLabels = blockLabels.clone();
        original = original.clone();
        edited = edited.clone();
    }
}
