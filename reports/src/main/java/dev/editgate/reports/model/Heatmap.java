package dev.editgate.reports.model;

/** A matrix of values (e.g. heads x patching metric), original vs edited. */
public record Heatmap(String title, String[] rowLabels, String[] columnLabels, double[][] original, double[][] edited) {
    public Heatmap {
        rowLabels = rowLabels.clone();
        columnLabels = columnLabels.clone();
        original = deepCopy(original);
        edited = deepCopy(edited);
    }

    private static double[][] deepCopy(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) out[i] = m[i].clone();
        return out;
    }
}
