package dev.editgate.reports.model;

import java.util.List;

/** The data behind the report's plots; any part may be absent (null / empty) when its stage did not run. */
public record Plots(
        LogitErrors logitErrors,
        List<HeadNorms> headNorms,
        List<Spectrum> spectra,
        List<Table> probeTables,
        List<Heatmap> heatmaps) {

    public Plots {
        headNorms = headNorms == null ? List.of() : List.copyOf(headNorms);
        spectra = spectra == null ? List.of() : List.copyOf(spectra);
        probeTables = probeTables == null ? List.of() : List.copyOf(probeTables);
        heatmaps = heatmaps == null ? List.of() : List.copyOf(heatmaps);
    }

    public static Plots empty() {
        return new Plots(null, List.of(), List.of(), List.of(), List.of());
    }
}
