package dev.editgate.core.numeric;

/**
 * NaN and infinity counts of one tensor.
 *
 * @param tensor     the tensor's name
 * @param firstIndex flat (row-major) index of the first non-finite element, -1 when there is none
 */
public record NonFiniteScan(String tensor, long nanCount, long infCount, long firstIndex) {

    /** True when the tensor holds no NaN and no infinity. */
    public boolean isFinite() { return nanCount == 0 && infCount == 0; }

    public long nonFiniteCount() { return nanCount + infCount; }

    @Override
    public String toString() {
        return isFinite() ? tensor + ": all finite"
                : tensor + ": " + nanCount + " NaN, " + infCount + " Inf, first at flat index " + firstIndex;
    }
}
