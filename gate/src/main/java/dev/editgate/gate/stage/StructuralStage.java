package dev.editgate.gate.stage;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.structure.BitExactComparison;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import dev.editgate.core.structure.LayoutDiagnosis;
import dev.editgate.core.structure.Locality;
import dev.editgate.gate.GateSession;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import java.util.List;
import java.util.function.Function;

/**
 * Bit-level facts a correct head permutation must satisfy, cheapest first: the identity is a no-op, heads
 * move as whole [3·head_dim] QKV row blocks and head_dim dense column blocks with new head i = old head π(i),
 * nothing outside the layer's attention changes, and applying π⁻¹ afterwards restores every weight.
 */
public final class StructuralStage implements Stage {
    @Override
    public String name() { return "structural"; }

    @Override
    public String purpose() { return "weights move as whole head blocks, bit for bit, and nothing else changes"; }

    @Override
    public String purpose(GateSession s) {
        return s.isHeadPermutation() ? purpose() : "weights change as " + s.kind().name() + "'s reference action says (" + s.kind().blockNoun()
                + " blocks), bit for bit, and nothing else changes";
    }

    @Override
    public List<GateProperty<?>> properties(GateSession s) {
        if (!s.isHeadPermutation()) return KindProperties.structural(s, s.kind());
        int heads = s.heads();
        int layer = s.layer();
        Checkpoint original = s.original();
        Gen<Permutation> perms = Gens.headPermutations(heads, s.original().config().numKeyValueHeads());
        Function<Permutation, String> diagnose = p -> String.join("\n",
                LayoutDiagnosis.diagnose(original, s.applyEdit(p), layer, p).findings());
        return List.of(
                new GateProperty<Permutation>("identity is a bit-exact no-op",
                        "permuting by the identity leaves every tensor bit-identical",
                        Gens.just(Permutation.identity(heads)), 1,
                        p -> {
                            var r = BitExactComparison.compare(original.tensors(), s.applyEdit(p).tensors());
                            if (!r.identical()) {
                                throw new AssertionError("the identity permutation changed " + r.changedNames());
                            }
                        }, diagnose),
                new GateProperty<Permutation>("heads move as whole blocks",
                        "each per-head block of the edited layer (q, k, v, their biases, the output projection's slice) is the original block of head π(i) (of KV head σ(j) for k and v), bit for bit",
                        perms, s.config().tries(),
                        p -> {
                            Checkpoint edited = s.applyEdit(p);
                            HeadBlockCorrespondence c = HeadBlockCorrespondence.compute(original, edited, layer, p);
                            if (!c.consistentWith(p)) throw new AssertionError(HeadBlockMismatch.describe(c, p));
                        }, diagnose),
                new GateProperty<Permutation>("only the edited layer's attention changes",
                        "changed tensors are a subset of " + BuiltInHeadPermutation.touchedTensors(original, layer),
                        perms, s.config().tries(),
                        p -> {
                            var r = Locality.check(original, s.applyEdit(p), BuiltInHeadPermutation.touchedTensors(original, layer));
                            if (!r.holds()) throw new AssertionError("tensors outside the edit changed: " + r.violations());
                        }, diagnose),
                new GateProperty<Permutation>("permute then inverse restores every weight",
                        "applying the edit with π and then with π⁻¹ gives back the original bit for bit",
                        perms, s.config().tries(),
                        p -> {
                            Checkpoint back = s.applyEdit(s.applyEdit(p), p.inverse());
                            var r = BitExactComparison.compare(original.tensors(), back.tensors());
                            if (!r.identical()) {
                                throw new AssertionError("after π then π⁻¹ these tensors differ from the original: " + r.changedNames());
                            }
                        }, diagnose));
    }

    @Override
    public void collectPlots(GateSession s) {
        s.verifyOriginalUnchanged();
    }
}
