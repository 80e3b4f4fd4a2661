package dev.editgate.reports.model;

/** Singular values (descending) of one tensor, original vs edited, and their condition numbers. */
public record Spectrum(String tensor, double[] original, double[] edited, double conditionOriginal, double conditionEdited) {
    public Spectrum {
        original = original.clone();
        edited = edited.clone();
    }
}
