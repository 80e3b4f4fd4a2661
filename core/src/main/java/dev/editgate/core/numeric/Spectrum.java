package dev.editgate.core.numeric;

import java.util.Arrays;

/**
 * Singular values of a matrix, descending, and its condition number σ_max / σ_min
 * ({@code +Infinity} when σ_min is 0, {@code NaN} for an empty matrix).
 */
public record Spectrum(double[] singularValues, double conditionNumber) {

    public Spectrum {
        singularValues = singularValues.clone();
        for (int i = 1; i < singularValues.length; i++) {
            if (singularValues[i] > singularValues[i - 1]) {
                throw new IllegalArgumentException("singular values must be descending: " + singularValues[i - 1]
                        + " before " + singularValues[i] + " at " + i);
            }
        }
    }

    /** Builds a spectrum from descending singular values, computing the condition number. */
    public static Spectrum of(double[] descending) {
        if (descending.length == 0) return new Spectrum(descending, Double.NaN);
        double max = descending[0], min = descending[descending.length - 1];
        return new Spectrum(descending, min == 0 ? Double.POSITIVE_INFINITY : max / min);
    }

    @Override public double[] singularValues() { return singularValues.clone(); }

    public int size() { return singularValues.length; }

    public double max() { return singularValues.length == 0 ? Double.NaN : singularValues[0]; }

    public double min() { return singularValues.length == 0 ? Double.NaN : singularValues[singularValues.length - 1]; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Spectrum s && Arrays.equals(singularValues, s.singularValues)
                && Double.compare(conditionNumber, s.conditionNumber) == 0;
    }

    @Override
    public int hashCode() { return Arrays.hashCode(singularValues) * 31 + Double.hashCode(conditionNumber); }

    @Override
    public String toString() {
        int n = singularValues.length;
        String head = n <= 6 ? Arrays.toString(singularValues)
                : "[" + singularValues[0] + ", " + singularValues[1] + ", ..., " + singularValues[n - 1] + "] (" + n + ")";
        return "Spectrum" + head + " cond=" + conditionNumber;
    }
}
