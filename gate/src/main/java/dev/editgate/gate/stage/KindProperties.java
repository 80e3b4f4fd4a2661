package dev.editgate.gate.stage;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.edit.BlockActions;
import dev.editgate.core.structure.BitExactComparison;
import dev.editgate.core.structure.Locality;
import dev.editgate.gate.GateSession;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.ReferenceComparison;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The properties every edit kind is checked against, written once over {@link EditKind}: identity is a bit-exact
 * no-op, the edited blocks equal the reference action bit for bit (with a "should be / is" table), nothing outside the
 * kind's tensors changes, the inverse restores every weight, and editing by a then b equals editing by their composite.
 * The head permutation keeps its own, equivalent structural properties and messages ({@link StructuralStage}).
 */
final class KindProperties {
    private KindProperties() {}

    /** Two parameters, edited one after the other. */
    record Pair<P>(P first, P then) {}

    static <P> List<GateProperty<?>> structural(GateSession s, EditKind<P> kind) {
        int layer = s.layer();
        Checkpoint original = s.original();
        kind.onlyIdentity(original, layer).ifPresent(why -> {
            throw new IllegalStateException(why);
        });
        Gen<P> params = kind.generator(original, layer);
        Set<String> touched = kind.touchedTensors(original, layer);
        Function<P, String> diagnose = p -> String.join("\n", kind.diagnose(original, s.applyEdit(p), layer, p));
        int tries = s.config().tries();
        String scope = kind.perLayer() ? "layer " + layer + "'s " + kind.name() + " tensors" : "the tensors " + kind.name() + " acts on";
        Gen<P> firsts = kind.compositionGenerator(original, layer);
        Gen<Pair<P>> pairs = Gens.combine(firsts, firsts, Pair::new);
        return List.of(
                property(kind, "identity is a bit-exact no-op", "editing by the identity leaves every tensor bit-identical",
                        Gens.just(kind.identity(original, layer)), 1, p -> {
                            var r = BitExactComparison.compare(original.tensors(), s.applyEdit(p).tensors());
                            if (!r.identical()) throw new AssertionError("the identity " + kind.format(p) + " changed " + r.changedNames());
                        }, diagnose),
                property(kind, kind.blockNoun() + " blocks equal the reference action",
                        "every " + kind.blockNoun() + " block the edit touches equals the reference action's (" + kind.convention() + "), bit for bit",
                        params, tries, p -> requireReference(s, kind, p), diagnose),
                property(kind, "only " + scope + " change", "changed tensors are a subset of " + abbreviate(touched),
                        params, tries, p -> {
                            var r = Locality.check(original, s.applyEdit(p), touched);
                            if (!r.holds()) throw new AssertionError("tensors outside the edit changed: " + r.violations());
                        }, diagnose),
                property(kind, "edit then inverse restores every weight",
                        "applying the edit with p and then with its inverse gives back the original bit for bit",
                        params, tries, p -> {
                            Checkpoint back = s.applyEdit(s.applyEdit(p), kind.inverse(p));
                            var r = BitExactComparison.compare(original.tensors(), back.tensors());
                            if (!r.identical()) {
                                throw new AssertionError("after " + kind.format(p) + " then its inverse " + kind.format(kind.inverse(p))
                                        + " these tensors differ from the original: " + r.changedNames());
                            }
                        }, diagnose),
                new GateProperty<Pair<P>>("composition: a then b equals their composite",
                        "editing by a then by b gives the same tensors, bit for bit, as editing once by compose(a, b)",
                        pairs, tries, ab -> {
                            Checkpoint twice = s.applyEdit(s.applyEdit(ab.first()), ab.then());
                            P composite = kind.compose(ab.first(), ab.then());
                            var r = BitExactComparison.compare(s.applyEdit(composite).tensors(), twice.tensors());
                            if (!r.identical()) {
                                throw new AssertionError(kind.format(ab.first()) + " then " + kind.format(ab.then()) + " differs from their composite "
                                        + kind.format(composite) + " in " + r.changedNames());
                            }
                        }, ab -> "", ab -> kind.format(ab.first()) + " then " + kind.format(ab.then()),
                        ab -> concat(kind.encode(ab.first()), kind.encode(ab.then()))));
    }

    /** How many 2-D tensors a whole-model kind checks spectra of (the smallest ones): every matrix of the model would cost minutes at scale. */
    static final int WHOLE_MODEL_SPECTRA = 3;

    /**
     * The numeric properties of a non-head kind: no NaN or Inf in the touched tensors (every kind); for permutations also
     * per-block norms carried exactly and spectra of the touched matrices preserved (scalings claim neither).
     */
    static <P> List<GateProperty<?>> numeric(GateSession s, EditKind<P> kind) {
        int layer = s.layer();
        Checkpoint original = s.original();
        Gen<P> params = kind.generator(original, layer);
        Set<String> touched = kind.touchedTensors(original, layer);
        List<GateProperty<?>> out = new java.util.ArrayList<>();
        out.add(property(kind, "no NaN or Inf in edited tensors", "every tensor the edit may touch is finite", params, s.config().tries(), p -> {
            Checkpoint edited = s.applyEdit(p);
            for (String t : touched) {
                var scan = dev.editgate.core.numeric.NonFinite.scan(edited.tensor(t));
                if (scan.nanCount() + scan.infCount() > 0) {
                    throw new AssertionError(t + ": " + scan.nanCount() + " NaN and " + scan.infCount() + " Inf values, the first at flat index "
                            + scan.firstIndex());
                }
            }
        }, p -> ""));
        if (!kind.claimsNormsAndSpectra()) return out;
        out.add(property(kind, "per-" + kind.blockNoun() + " block norms are carried exactly",
                "the Frobenius norm of every " + kind.blockNoun() + " block of the edited model equals that of the original block the reference moves there",
                params, s.config().tries(), p -> {
                    Checkpoint edited = s.applyEdit(p);
                    for (BlockAction a : kind.referenceAction(original, layer, p)) {
                        var o = original.tensor(a.set().tensor());
                        var e = edited.tensor(a.set().tensor());
                        for (int i = 0; i < a.set().count(); i++) {
                            double want = blockNorm(o, a.set(), a.source(i)), got = blockNorm(e, a.set(), i);
                            if (Double.compare(want, got) != 0) {
                                throw new AssertionError(a.set().label() + " (" + a.set().tensor() + ") block of " + kind.blockNoun() + " " + i + " has norm " + got
                                        + ", expected " + want + " (the original block " + a.source(i) + " the reference moves there)");
                            }
                        }
                    }
                }, p -> ""));
        List<String> matrices = touched.stream().filter(t -> original.tensor(t).rank() == 2)
                .sorted(java.util.Comparator.comparingLong(t -> original.tensor(t).numel()))
                .limit(kind.perLayer() ? Long.MAX_VALUE : WHOLE_MODEL_SPECTRA).toList();
        java.util.Map<String, dev.editgate.core.numeric.Spectrum> before = new java.util.LinkedHashMap<>();
        for (String t : matrices) before.put(t, dev.editgate.core.numeric.Spectra.of(original.tensor(t)));
        out.add(property(kind, "singular values and condition numbers are preserved",
                "the spectra of " + abbreviate(new java.util.LinkedHashSet<>(matrices)) + " equal the original's (relative " + NumericStage.SPECTRUM_REL_TOL + ")",
                params, Math.min(NumericStage.SPECTRUM_TRIES, s.config().tries()), p -> {
                    Checkpoint edited = s.applyEdit(p);
                    for (var e : before.entrySet()) {
                        var after = dev.editgate.core.numeric.Spectra.of(edited.tensor(e.getKey()));
                        if (!dev.editgate.core.numeric.Spectra.sameSpectrum(e.getValue(), after, NumericStage.SPECTRUM_REL_TOL)) {
                            throw new AssertionError(e.getKey() + ": singular values changed (condition number " + e.getValue().conditionNumber()
                                    + " -> " + after.conditionNumber() + ")");
                        }
                    }
                }, p -> ""));
        return out;
    }

    /** Frobenius norm of block i of {@code s} in {@code t}. */
    static double blockNorm(dev.editgate.core.safetensors.Tensor t, dev.editgate.core.model.BlockSet s, int i) {
        int cols = t.rank() == 2 ? t.dim(1) : 1, rows = t.dim(0);
        int outer = s.axis() == 0 ? s.length() : rows, inner = s.axis() == 0 ? cols : s.length();
        double sum = 0;
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                long idx = s.axis() == 0 ? (long) (s.start(i) + a) * cols + b : (long) a * cols + s.start(i) + b;
                double v = t.getDouble(idx);
                sum += v * v;
            }
        }
        return Math.sqrt(sum);
    }

    static <P> void requireReference(GateSession s, EditKind<P> kind, P p) {
        Checkpoint original = s.original();
        Checkpoint edited = s.applyEdit(p);
        List<BlockAction> actions = kind.referenceAction(original, s.layer(), p);
        Checkpoint reference = BlockActions.apply(original, actions);
        var wrong = ReferenceComparison.compare(actions, edited, reference);
        if (wrong.isEmpty()) return;
        int blocks = wrong.stream().mapToInt(m -> m.blocks().size()).sum();
        throw new AssertionError((kind.perLayer() ? "layer " + s.layer() + ", " : "") + kind.name() + " " + kind.format(p) + ": " + blocks
                + " " + kind.blockNoun() + " blocks are not what the reference makes (" + kind.convention() + "):\n  "
                + String.join("\n  ", ReferenceComparison.table(wrong, original, edited, kind.blockNoun())));
    }

    static <P> GateProperty<P> property(EditKind<P> kind, String name, String description, Gen<P> gen, int tries,
                                        GateProperty.Check<P> body, Function<P, String> diagnose) {
        return new GateProperty<>(name, description, gen, tries, body, diagnose, kind::format, kind::encode);
    }

    static String abbreviate(Set<String> names) {
        if (names.size() <= 8) return names.toString();
        return "[" + String.join(", ", names.stream().limit(6).toList()) + ", ... (" + names.size() + " tensors)]";
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
