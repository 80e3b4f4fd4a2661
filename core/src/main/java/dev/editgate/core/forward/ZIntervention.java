package dev.editgate.core.forward;

import java.util.Set;

/**
 * Changes the per-head z of one layer during a forward ({@link TransformerForward#logitsWithZ}). It receives the
 * layer's z as computed (a copy widened to double) and edits it in place; the forward then rounds it back
 * to the compute dtype (exactly, when values are left alone) and continues with {@code dense}.
 *
 * <pre>{@code
 * LayerTrace clean = model.trace(cleanTokens, 6);
 * Logits patched = model.logitsWithZ(corruptTokens, 6, ZIntervention.patchHeads(clean, 3));
 * }</pre>
 */
@FunctionalInterface
public interface ZIntervention {

    void apply(HeadZ z);

    /** Leaves z as it is (the forward must then equal {@link TransformerForward#logits}). */
    static ZIntervention none() {
        return z -> { };
    }

    /** Zero-ablates the given heads. */
    static ZIntervention zeroHeads(int... heads) {
        int[] hs = heads.clone();
        return z -> {
            for (int h : hs) z.zeroHead(h);
        };
    }

    /** Zero-ablates the given heads. */
    static ZIntervention zeroHeads(Set<Integer> heads) {
        return zeroHeads(heads.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Replaces the given heads' z by their values in {@code source} (another prompt or model, same seq). */
    static ZIntervention patchHeads(LayerTrace source, Set<Integer> heads) {
        return patchHeads(source.z(), heads.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Replaces the given heads' z by their values in {@code source} (another prompt or model, same seq). */
    static ZIntervention patchHeads(LayerTrace source, int... heads) {
        return patchHeads(source.z(), heads);
    }

    /** Replaces the given heads' z by their values in {@code source}. */
    static ZIntervention patchHeads(HeadZ source, int... heads) {
        int[] hs = heads.clone();
        return z -> {
            for (int h : hs) z.copyHeadFrom(source, h, h);
        };
    }

    /** This intervention, then {@code next}. */
    default ZIntervention andThen(ZIntervention next) {
        return z -> {
            apply(z);
            next.apply(z);
        };
    }
}
