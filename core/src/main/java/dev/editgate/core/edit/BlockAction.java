package dev.editgate.core.edit;

import dev.editgate.core.model.BlockSet;

/**
 * What a symmetry does to one block set: new block i = original block {@code source[i]} times {@code 2^exponent[i]}.
 * Permutations have zero exponents, scalings the identity source; every reference edit of every kind is a list of these
 * (see {@link BlockActions}), computed from the adapter's block addresses.
 */
public record BlockAction(BlockSet set, int[] source, int[] exponent) {
    public BlockAction {
        if (source.length != set.count() || exponent.length != set.count()) {
            throw new IllegalArgumentException(set.label() + " of '" + set.tensor() + "': " + source.length + " sources and " + exponent.length
                    + " exponents for " + set.count() + " blocks");
        }
        source = source.clone();
        exponent = exponent.clone();
    }

    /** Blocks moved by the gather map {@code perm}, not scaled. */
    public static BlockAction move(BlockSet set, int[] perm) { return new BlockAction(set, perm, new int[set.count()]); }

    /** Blocks kept in place and scaled by {@code 2^exponent[i]}. */
    public static BlockAction scale(BlockSet set, int[] exponent) { return new BlockAction(set, Gather.identity(set.count()), exponent); }

    @Override
    public int[] source() { return source.clone(); }

    @Override
    public int[] exponent() { return exponent.clone(); }

    public int source(int i) { return source[i]; }

    public int exponent(int i) { return exponent[i]; }
}
