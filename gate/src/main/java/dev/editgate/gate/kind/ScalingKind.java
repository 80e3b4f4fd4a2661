package dev.editgate.gate.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.edit.Exponents;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.edit.PowerOfTwo;
import dev.editgate.core.model.ModelLayout;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A power-of-two scaling symmetry (qk, vo, SwiGLU up/down): parameter {@link Exponents}, one per query head or neuron,
 * composition adds them. Parameters are grouped into <i>slots</i> that must share one exponent (the query heads of one
 * KV group; one neuron each). The generator proposes, per slot, exponents in {@value #MAX_EXPONENT}-bounded ranges
 * that keep every scaled value of every block finite and normal in the model's dtype, so the edit and its inverse are
 * bit-exact; it shrinks toward all zeros. No norm or spectrum claims.
 */
public final class ScalingKind implements EditKind<Exponents> {
    /** Exponents lie in -3..3 (factors 1/8..8). */
    public static final int MAX_EXPONENT = 3;

    private final String name;
    private final String noun;
    private final String convention;
    private final Consumer<ModelLayout> applicability;
    private final java.util.function.ToIntFunction<Checkpoint> size;
    private final SlotFunction slotSize;
    private final ActionFunction actions;
    private final KindEdit<Exponents> builtIn;

    /** The reference action of a parameter. */
    @FunctionalInterface
    public interface ActionFunction {
        List<BlockAction> actions(Checkpoint original, int layer, Exponents e);
    }

    /** Parameter entries per slot (the KV group size for head scalings, 1 for neurons). */
    @FunctionalInterface
    public interface SlotFunction {
        int entriesPerSlot(Checkpoint original);
    }

    ScalingKind(String name, String noun, String convention, Consumer<ModelLayout> applicability,
                java.util.function.ToIntFunction<Checkpoint> size, SlotFunction slotSize, ActionFunction actions, KindEdit<Exponents> builtIn) {
        this.name = name;
        this.noun = noun;
        this.convention = convention;
        this.applicability = applicability;
        this.size = size;
        this.slotSize = slotSize;
        this.actions = actions;
        this.builtIn = builtIn;
    }

    @Override
    public String name() { return name; }

    @Override
    public boolean perLayer() { return true; }

    @Override
    public void requireApplicable(ModelLayout layout) { applicability.accept(layout); }

    @Override
    public Class<Exponents> parameterType() { return Exponents.class; }

    @Override
    public Gen<Exponents> generator(Checkpoint original, int layer) { return gen(original, layer, 1); }

    /** Halved ranges: a + b stays inside the safe range of each slot. */
    @Override
    public Gen<Exponents> compositionGenerator(Checkpoint original, int layer) { return gen(original, layer, 2); }

    private Gen<Exponents> gen(Checkpoint original, int layer, int divisor) {
        int[][] ranges = safeRanges(original, layer);
        int per = slotSize.entriesPerSlot(original), n = size.applyAsInt(original);
        @SuppressWarnings("unchecked")
        Gen<Integer>[] slots = new Gen[ranges.length];
        for (int j = 0; j < ranges.length; j++) {
            int lo = (int) Math.ceil(Math.max(ranges[j][0], -MAX_EXPONENT) / (double) divisor);
            int hi = Math.floorDiv(Math.min(ranges[j][1], MAX_EXPONENT), divisor);
            slots[j] = Gens.integers(lo, hi);
        }
        return choices -> {
            int[] e = new int[n];
            // the last slot is drawn first, so that shortlex shrinking leaves the nonzero exponents on the first heads
            for (int j = slots.length - 1; j >= 0; j--) {
                int v = slots[j].generate(choices);
                for (int r = 0; r < per; r++) e[j * per + r] = v;
            }
            return new Exponents(e);
        };
    }

    @Override
    public java.util.Optional<String> onlyIdentity(Checkpoint original, int layer) {
        for (int[] r : safeRanges(original, layer)) if (r[0] < 0 || r[1] > 0) return java.util.Optional.empty();
        String dtype = referenceAction(original, layer, identity(original, layer)).stream().map(a -> original.tensor(a.set().tensor()).dtype().name())
                .distinct().reduce((a, b) -> a + "/" + b).orElse("?");
        return java.util.Optional.of(name + ": no exponent but 0 multiplies every value of layer " + layer + "'s blocks exactly in " + dtype
                + " (each slot's blocks hold values that would overflow, leave the normal range, or subnormal values on the side that"
                + " would be scaled down), so only the identity could be tried and the edit cannot be judged on this model and layer");
    }

    /**
     * {@code [slot] -> {lo, hi}}: the exponents of each slot that keep every value of every block it scales finite and
     * normal (blocks scaled by 1/c count with their range negated). Computed from one reference action whose exponent
     * at slot j is j+1, so each block's exponent names its slot and its direction.
     */
    int[][] safeRanges(Checkpoint original, int layer) {
        int per = slotSize.entriesPerSlot(original), n = size.applyAsInt(original);
        int slots = n / per;
        int[] marker = new int[n];
        for (int i = 0; i < n; i++) marker[i] = i / per + 1;
        int[][] ranges = new int[slots][];
        for (int j = 0; j < slots; j++) ranges[j] = new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
        for (BlockAction a : actions.actions(original, layer, new Exponents(marker))) {
            var t = original.tensor(a.set().tensor());
            for (int i = 0; i < a.set().count(); i++) {
                int m = a.exponent(i);
                if (m == 0) continue;
                int slot = Math.abs(m) - 1, sign = Integer.signum(m);
                int[] r = PowerOfTwo.safeRange(t, a.set().axis(), a.set().start(i), a.set().length());
                int lo = sign > 0 ? r[0] : -r[1], hi = sign > 0 ? r[1] : -r[0];
                ranges[slot][0] = Math.max(ranges[slot][0], lo);
                ranges[slot][1] = Math.min(ranges[slot][1], hi);
            }
        }
        for (int[] r : ranges) {
            if (r[0] > 0 || r[1] < 0) { r[0] = 0; r[1] = 0; }
        }
        return ranges;
    }

    @Override
    public Exponents identity(Checkpoint original, int layer) { return Exponents.zeros(size.applyAsInt(original)); }

    @Override
    public Exponents compose(Exponents first, Exponents then) { return first.andThen(then); }

    @Override
    public Exponents inverse(Exponents e) { return e.inverse(); }

    @Override
    public List<BlockAction> referenceAction(Checkpoint original, int layer, Exponents e) { return actions.actions(original, layer, e); }

    @Override
    public KindEdit<Exponents> builtIn() { return builtIn; }

    @Override
    public boolean claimsNormsAndSpectra() { return false; }

    @Override
    public String blockNoun() { return noun; }

    @Override
    public String format(Exponents e) { return "exponents " + e.toListString(); }

    @Override
    public int[] encode(Exponents e) { return e.values(); }

    @Override
    public ObjectNode toJson(Exponents e) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        var arr = o.putArray("exponents");
        for (int v : e.values()) arr.add(v);
        return o;
    }

    @Override
    public Exponents fromJson(JsonNode params, Checkpoint original, int layer) {
        JsonNode arr = params == null ? null : params.get("exponents");
        int n = size.applyAsInt(original);
        if (arr == null || !arr.isArray() || arr.size() != n) {
            throw new IllegalArgumentException(name + " params: expected {\"exponents\": [" + n + " ints]}, got " + params);
        }
        int[] e = new int[n];
        for (int i = 0; i < n; i++) {
            if (!arr.get(i).canConvertToInt()) throw new IllegalArgumentException(name + " params: exponents[" + i + "] is not an integer");
            e[i] = arr.get(i).asInt();
        }
        return new Exponents(e);
    }

    @Override
    public String convention() { return convention; }

    @Override
    public String toString() { return name; }
}
