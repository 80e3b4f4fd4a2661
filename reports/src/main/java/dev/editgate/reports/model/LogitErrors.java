package dev.editgate.reports.model;

/**
 * Logit error of edited models against the float64 original, next to the tolerance.
 *
 * @param baselineErrors |unedited model in the compute dtype - float64 original| samples: the dtype's own error
 * @param editedErrors |edited model - float64 original| samples, over all functional trials
 * @param tolerance the derived bound an edited model's max error must stay under
 * @param worstLocation e.g. "prompt 2, position 7, token 311"
 */
public record LogitErrors(
        String mode,
        double tolerance,
        double baselineMaxError,
        double editedMaxError,
        double editedMaxRelError,
        String worstLocation,
        double[] baselineErrors,
        double[] editedErrors) {

    public LogitErrors {
        baselineErrors = baselineErrors.clone();
        editedErrors = editedErrors.clone();
    }
}
