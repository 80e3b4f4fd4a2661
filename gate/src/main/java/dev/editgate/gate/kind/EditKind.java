package dev.editgate.gate.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.edit.BlockActions;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.model.ModelLayout;
import dev.editgate.properties.Gen;
import java.util.List;
import java.util.Set;

/**
 * One kind of exact weight symmetry the gate checks (head permutation, KV-group permutation, MLP neuron permutation,
 * residual permutation, power-of-two scalings, or a lab's own kind): its parameter type and generator, the reference
 * action computed from the adapter's block addresses, the tensors it may touch, the invariants it claims, its group law
 * (identity, inverse, composition), its diagnosis and its codec for the external protocol (version 2). The stages are
 * written once against this interface; {@link EditKinds} lists the built-in kinds.
 *
 * @param <P> the parameter: {@link dev.editgate.core.edit.Permutation} or {@link dev.editgate.core.edit.Exponents}
 */
public interface EditKind<P> {
    /** The CLI and protocol name, e.g. {@code mlp-permutation}. */
    String name();

    /** Whether the edit acts on one layer ({@code --layer}); whole-model kinds ignore the layer. */
    boolean perLayer();

    /** Throws an {@link IllegalArgumentException} naming the family and why, when the model lacks the parts this kind acts on. */
    void requireApplicable(ModelLayout layout);

    Class<P> parameterType();

    /**
     * Parameters for {@code layer} of {@code original}, drawn from the property engine's choice sequence so that
     * they shrink toward the identity (fewest moved blocks, smallest exponents).
     */
    Gen<P> generator(Checkpoint original, int layer);

    /**
     * Why the generator can draw nothing but the identity on this model and layer (then the gate cannot judge the edit
     * and says so); empty when it can draw more.
     */
    default java.util.Optional<String> onlyIdentity(Checkpoint original, int layer) { return java.util.Optional.empty(); }

    /** Parameters {@code a}, {@code b} whose composite is still a valid parameter (scalings: halved exponent ranges). */
    default Gen<P> compositionGenerator(Checkpoint original, int layer) { return generator(original, layer); }

    P identity(Checkpoint original, int layer);

    /** Editing by {@code first} then by {@code then} equals editing by the result. */
    P compose(P first, P then);

    P inverse(P p);

    /** What the correct edit does to every block it touches: the reference, from the adapter's block addresses. */
    List<BlockAction> referenceAction(Checkpoint original, int layer, P p);

    /** The reference edit applied (bit for bit what the built-in edit produces). */
    default Checkpoint reference(Checkpoint original, int layer, P p) {
        return BlockActions.apply(original, referenceAction(original, layer, p));
    }

    /** editgate's own correct implementation of this kind. */
    KindEdit<P> builtIn();

    /** The tensors the edit may change (locality): those the reference action addresses. */
    default Set<String> touchedTensors(Checkpoint original, int layer) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (BlockAction a : referenceAction(original, layer, identity(original, layer))) out.add(a.set().tensor());
        return out;
    }

    /** Whether per-block norms are carried and spectra preserved (permutations); scalings claim neither. */
    boolean claimsNormsAndSpectra();

    /** What one block is called in messages: head, KV group, neuron, coordinate. */
    String blockNoun();

    /** The parameter for reports and counterexamples, e.g. {@code (0 1)} or {@code exponents [1,0]}. */
    String format(P p);

    /** The parameter as an int vector (image list or exponents), for reports and caches. */
    int[] encode(P p);

    /** Explains a failing parameter in a researcher's terms; lines of findings, possibly none. */
    default List<String> diagnose(Checkpoint original, Checkpoint edited, int layer, P p) {
        return KindDiagnosis.diagnose(this, original, edited, layer, p);
    }

    /** The {@code params} object of a protocol version 2 request. */
    ObjectNode toJson(P p);

    /** Parses a {@code params} object; errors name the field. */
    P fromJson(JsonNode params, Checkpoint original, int layer);

    /** One sentence of the convention, sent with every protocol v2 request. */
    String convention();
}
