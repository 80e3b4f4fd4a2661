package dev.editgate.gate.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.model.ModelLayout;
import dev.editgate.properties.Gen;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A permutation symmetry (heads, KV groups, MLP neurons, residual coordinates): parameter a {@link Permutation} in
 * editgate's gather convention (new block i = old block p[i]), composition {@link Permutation#andThen}, per-block norms
 * carried and spectra preserved. Its protocol v2 params are {@code {"permutation": [ints]}}.
 */
public final class PermutationKind implements EditKind<Permutation> {
    private final String name;
    private final boolean perLayer;
    private final String noun;
    private final String convention;
    private final Consumer<ModelLayout> applicability;
    private final BiFunction<Checkpoint, Integer, Integer> size;
    private final BiFunction<Checkpoint, Integer, Gen<Permutation>> generator;
    private final ActionFunction actions;
    private final KindEdit<Permutation> builtIn;
    private final Diagnoser diagnoser;

    /** The reference action of a parameter. */
    @FunctionalInterface
    public interface ActionFunction {
        List<BlockAction> actions(Checkpoint original, int layer, Permutation p);
    }

    /** A kind-specific diagnosis (the head permutation's layout diagnosis); null: the generic hypotheses. */
    @FunctionalInterface
    public interface Diagnoser {
        List<String> diagnose(Checkpoint original, Checkpoint edited, int layer, Permutation p);
    }

    PermutationKind(String name, boolean perLayer, String noun, String convention, Consumer<ModelLayout> applicability,
                    BiFunction<Checkpoint, Integer, Integer> size, BiFunction<Checkpoint, Integer, Gen<Permutation>> generator,
                    ActionFunction actions, KindEdit<Permutation> builtIn, Diagnoser diagnoser) {
        this.name = name;
        this.perLayer = perLayer;
        this.noun = noun;
        this.convention = convention;
        this.applicability = applicability;
        this.size = size;
        this.generator = generator;
        this.actions = actions;
        this.builtIn = builtIn;
        this.diagnoser = diagnoser;
    }

    @Override
    public String name() { return name; }

    @Override
    public boolean perLayer() { return perLayer; }

    @Override
    public void requireApplicable(ModelLayout layout) { applicability.accept(layout); }

    @Override
    public Class<Permutation> parameterType() { return Permutation.class; }

    @Override
    public Gen<Permutation> generator(Checkpoint original, int layer) { return generator.apply(original, layer); }

    @Override
    public Permutation identity(Checkpoint original, int layer) { return Permutation.identity(size.apply(original, layer)); }

    @Override
    public Permutation compose(Permutation first, Permutation then) { return first.andThen(then); }

    @Override
    public Permutation inverse(Permutation p) { return p.inverse(); }

    @Override
    public List<BlockAction> referenceAction(Checkpoint original, int layer, Permutation p) { return actions.actions(original, layer, p); }

    @Override
    public KindEdit<Permutation> builtIn() { return builtIn; }

    @Override
    public boolean claimsNormsAndSpectra() { return true; }

    @Override
    public String blockNoun() { return noun; }

    @Override
    public String format(Permutation p) { return p.toCycleString(); }

    @Override
    public int[] encode(Permutation p) { return p.toArray(); }

    @Override
    public List<String> diagnose(Checkpoint original, Checkpoint edited, int layer, Permutation p) {
        return diagnoser != null ? diagnoser.diagnose(original, edited, layer, p) : EditKind.super.diagnose(original, edited, layer, p);
    }

    @Override
    public ObjectNode toJson(Permutation p) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        var arr = o.putArray("permutation");
        for (int v : p.toArray()) arr.add(v);
        return o;
    }

    @Override
    public Permutation fromJson(JsonNode params, Checkpoint original, int layer) {
        JsonNode arr = params == null ? null : params.get("permutation");
        int n = size.apply(original, layer);
        if (arr == null || !arr.isArray() || arr.size() != n) {
            throw new IllegalArgumentException(name + " params: expected {\"permutation\": [" + n + " ints]}, got " + params);
        }
        int[] image = new int[n];
        for (int i = 0; i < n; i++) {
            if (!arr.get(i).canConvertToInt()) throw new IllegalArgumentException(name + " params: permutation[" + i + "] is not an integer");
            image[i] = arr.get(i).asInt();
        }
        return Permutation.of(image);
    }

    @Override
    public String convention() { return convention; }

    @Override
    public String toString() { return name; }
}
