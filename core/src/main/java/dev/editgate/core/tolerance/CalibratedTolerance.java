package dev.editgate.core.tolerance;

import dev.editgate.core.forward.ComputeDtype;

/**
 * A tolerance fixed for one model, prompt set and dtype.
 *
 * @param baseline      the original model in {@code dtype} against the original in float64
 * @param allowedMaxAbs for {@link TolerancePolicy.Derived}: factor · baseline.maxAbs + floor; for
 *                      {@link TolerancePolicy.Fixed}: atol (the bound at a zero reference logit)
 */
public record CalibratedTolerance(TolerancePolicy policy, ComputeDtype dtype, LogitError baseline, double allowedMaxAbs) {

    public static CalibratedTolerance of(TolerancePolicy policy, ComputeDtype dtype, LogitError baseline) {
        double allowed = policy instanceof TolerancePolicy.Derived d
                ? d.factor() * baseline.maxAbs() + d.absFloor()
                : ((TolerancePolicy.Fixed) policy).atol();
        return new CalibratedTolerance(policy, dtype, baseline, allowed);
    }

    /** Whether an edited model's error against the float64 original is acceptable (never with NaN/Inf). */
    public boolean accepts(LogitError editedVsFloat64) {
        if (!editedVsFloat64.allFinite() || Double.isNaN(editedVsFloat64.maxAbs())) return false;
        if (policy instanceof TolerancePolicy.Fixed f) return editedVsFloat64.worstFixedExcess(f.rtol()) <= f.atol();
        return editedVsFloat64.maxAbs() <= allowedMaxAbs;
    }

    /** One paragraph: the verdict, the worst element, and where the bound comes from. */
    public String explain(LogitError e) {
        String verdict = accepts(e) ? "within tolerance" : "OUT OF TOLERANCE";
        String where = String.format("max |Δ| %.3e at (sequence %d, position %d, token %d)", e.maxAbs(), e.worstBatch(), e.worstPos(), e.worstToken());
        String bound = policy instanceof TolerancePolicy.Derived d ? String.format(
                    "allowed %.3e = %.3g × baseline %.3e (the unedited model in %s against float64) + floor %.1e",
                    allowedMaxAbs, d.factor(), baseline.maxAbs(), dtype, d.absFloor())
                : fixedBound((TolerancePolicy.Fixed) policy, e);
        String extra = String.format("max relative %.3e of the position's logit range, mean |Δ| %.3e, %d ulps of %s%s",
                e.maxRel(), e.meanAbs(), e.maxUlps(), dtype, e.allFinite() ? "" : ", " + e.nonFinite() + " NaN/Inf logits");
        return verdict + ": " + where + "; " + bound + "; " + extra + ".";
    }

    private String fixedBound(TolerancePolicy.Fixed f, LogitError e) {
        return String.format("fixed |Δ| ≤ %.1e + %.1e·|ref| element-wise; worst excess over rtol·|ref| %.3e (the unedited model's own: %.3e)",
                f.atol(), f.rtol(), e.worstFixedExcess(f.rtol()), baseline.worstFixedExcess(f.rtol()));
    }
}
