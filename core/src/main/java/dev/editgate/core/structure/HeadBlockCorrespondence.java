package dev.editgate.core.structure;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * For one layer of an edited model, which block of the original each per-head block equals bit for bit.
 *
 * <p>Blocks are GPT-NeoX's: QKV weight rows {@code [heads, 3, hd, hidden]} and bias {@code [heads, 3, hd]},
 * indexed (head, component) with component 0=q, 1=k, 2=v; {@code dense.weight} columns {@code [hidden, heads, hd]}.
 * A source is encoded as {@code head*3 + component} for QKV and {@code head} for dense; -1 means the
 * edited block equals no block of the original. When several original blocks are bit-identical (all-zero
 * biases, as in Pythia's step0 checkpoints), the source is the lowest of them; the {@code *Class} arrays map
 * every original block to that lowest identical block, so {@link #consistentWith} accepts any of them.
 */
public record HeadBlockCorrespondence(int layer, int heads, int[] qkvWeightSource, int[] qkvBiasSource, int[] denseSource,
                                      int[] qkvWeightClass, int[] qkvBiasClass, int[] denseClass) {

    public static final String[] COMPONENTS = {"q", "k", "v"};

    public HeadBlockCorrespondence {
        qkvWeightSource = qkvWeightSource.clone();
        qkvBiasSource = qkvBiasSource.clone();
        denseSource = denseSource.clone();
        qkvWeightClass = qkvWeightClass.clone();
        qkvBiasClass = qkvBiasClass.clone();
        denseClass = denseClass.clone();
    }

    /** Without duplicate-block information: every original block is its own class. */
    public HeadBlockCorrespondence(int layer, int heads, int[] qkvWeightSource, int[] qkvBiasSource, int[] denseSource) {
        this(layer, heads, qkvWeightSource, qkvBiasSource, denseSource, identity(3 * heads), identity(3 * heads), identity(heads));
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = i;
        return out;
    }

    public static HeadBlockCorrespondence compute(Checkpoint original, Checkpoint edited, int layer) {
        GptNeoxConfig c = original.config();
        int heads = c.numAttentionHeads();
        Tensor ow = original.tensor(GptNeoxNames.qkvWeight(layer)), ob = original.tensor(GptNeoxNames.qkvBias(layer));
        Tensor od = original.tensor(GptNeoxNames.denseWeight(layer));
        int[] w = matchRowBlocks(ow, edited.tensor(GptNeoxNames.qkvWeight(layer)), 3 * heads);
        int[] b = matchRowBlocks(ob, edited.tensor(GptNeoxNames.qkvBias(layer)), 3 * heads);
        int[] d = matchColumnBlocks(od, edited.tensor(GptNeoxNames.denseWeight(layer)), heads);
        return new HeadBlockCorrespondence(layer, heads, w, b, d,
                matchRowBlocks(ow, ow, 3 * heads), matchRowBlocks(ob, ob, 3 * heads), matchColumnBlocks(od, od, heads));
    }

    @Override public int[] qkvWeightSource() { return qkvWeightSource.clone(); }
    @Override public int[] qkvBiasSource() { return qkvBiasSource.clone(); }
    @Override public int[] denseSource() { return denseSource.clone(); }
    @Override public int[] qkvWeightClass() { return qkvWeightClass.clone(); }
    @Override public int[] qkvBiasClass() { return qkvBiasClass.clone(); }
    @Override public int[] denseClass() { return denseClass.clone(); }

    /** True when q, k, v, bias and dense of every new head i all come from one old head π(i). */
    public boolean consistentWith(Permutation perm) {
        for (int i = 0; i < heads; i++) {
            for (int comp = 0; comp < 3; comp++) {
                int expected = perm.apply(i) * 3 + comp;
                if (qkvWeightSource[i * 3 + comp] != qkvWeightClass[expected]
                        || qkvBiasSource[i * 3 + comp] != qkvBiasClass[expected]) return false;
            }
            if (denseSource[i] != denseClass[perm.apply(i)]) return false;
        }
        return true;
    }

    /** The head permutation all blocks agree on, if there is one. */
    public Optional<Permutation> impliedPermutation() {
        int[] image = new int[heads];
        for (int i = 0; i < heads; i++) {
            int src = qkvWeightSource[i * 3];
            if (src < 0 || src % 3 != 0) return Optional.empty();
            image[i] = src / 3;
        }
        try {
            Permutation p = Permutation.of(image);
            return consistentWith(p) ? Optional.of(p) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Human-readable source of a QKV block, e.g. {@code "old head 3 k"} or {@code "no original block"}. */
    public static String describeQkvSource(int source) {
        return source < 0 ? "no original block" : "old head " + source / 3 + " " + COMPONENTS[source % 3];
    }

    private static int[] matchRowBlocks(Tensor original, Tensor edited, int blocks) {
        if (!sameLayout(original, edited)) return filled(blocks);
        int blockBytes = Math.toIntExact(original.byteSize() / blocks);
        ByteBuffer[] orig = new ByteBuffer[blocks];
        ByteBuffer[] edit = new ByteBuffer[blocks];
        for (int i = 0; i < blocks; i++) {
            orig[i] = original.data().slice(i * blockBytes, blockBytes);
            edit[i] = edited.data().slice(i * blockBytes, blockBytes);
        }
        return match(orig, edit);
    }

    private static int[] matchColumnBlocks(Tensor original, Tensor edited, int blocks) {
        if (!sameLayout(original, edited)) return filled(blocks);
        ByteBuffer[] orig = columnBlocks(original, blocks);
        ByteBuffer[] edit = columnBlocks(edited, blocks);
        return match(orig, edit);
    }

    /** Gathers each column block of a [rows, cols] tensor into a contiguous heap buffer. */
    private static ByteBuffer[] columnBlocks(Tensor t, int blocks) {
        int rows = t.dim(0);
        int rowBytes = t.dim(1) * t.dtype().byteSize();
        int blockBytes = rowBytes / blocks;
        ByteBuffer src = t.data();
        ByteBuffer[] out = new ByteBuffer[blocks];
        for (int i = 0; i < blocks; i++) {
            out[i] = ByteBuffer.allocate(rows * blockBytes);
            for (int r = 0; r < rows; r++) out[i].put(r * blockBytes, src, r * rowBytes + i * blockBytes, blockBytes);
        }
        return out;
    }

    /** For each edited block, the lowest original block with identical bytes, else -1. */
    private static int[] match(ByteBuffer[] orig, ByteBuffer[] edit) {
        int[] hashes = new int[orig.length];
        for (int j = 0; j < orig.length; j++) hashes[j] = orig[j].hashCode();
        int[] out = new int[edit.length];
        for (int i = 0; i < edit.length; i++) {
            out[i] = -1;
            int h = edit[i].hashCode();
            for (int j = 0; j < orig.length; j++) {
                if (hashes[j] == h && orig[j].equals(edit[i])) { out[i] = j; break; }
            }
        }
        return out;
    }

    private static boolean sameLayout(Tensor a, Tensor b) {
        return a.dtype() == b.dtype() && Arrays.equals(a.shape(), b.shape());
    }

    private static int[] filled(int n) {
        int[] out = new int[n];
        Arrays.fill(out, -1);
        return out;
    }
}
