package dev.editgate.gate.shapes;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns "this config fails, that one-option flip of it passes" into one line a researcher reads as a cause:
 * the first fact about the model (group size 4, head_dim × heads = hidden, biases, tied embeddings, ...) that
 * differs between the two, said as it holds on the failing config, with how well it separates every model the run
 * tried: "fails whenever" when it holds on every failing model and on no passing one (or does so together with a second
 * fact of the failing config: "fails whenever A and B"), else "fails when" and the counts.
 */
final class ShapeDiagnosis {
    private ShapeDiagnosis() {}

    /** A fact about a shape, phrased both ways. */
    record Fact(String holds, String fails, Predicate<Shape> test) {
        String phrase(Shape s) { return test.test(s) ? holds : fails; }
    }

    static final List<Fact> FACTS = List.of(
            new Fact("heads/kv_heads is 4", "heads/kv_heads is not 4", s -> s.groupSize() == 4),
            new Fact("head_dim × heads = hidden", "head_dim × heads ≠ hidden", s -> s.headDimMode() == 0),
            new Fact("biases are present", "biases are absent", Shape::bias),
            new Fact("embeddings are tied", "embeddings are untied", Shape::tied),
            new Fact("there is one KV head (multi-query)", "there are several KV heads", s -> s.kvHeads() == 1 && s.family().equals("llama")),
            new Fact("every query head has its own KV head", "KV heads are shared by query heads", s -> s.groupSize() == 1),
            new Fact("the residual is parallel", "the residual is sequential", Shape::parallel),
            new Fact("rotary covers all of head_dim", "rotary covers part of head_dim", s -> s.rotaryPct() == 1.0),
            new Fact("there is one layer", "there are several layers", s -> s.layers() == 1),
            new Fact("there is one head", "there are several heads", s -> s.heads() == 1),
            new Fact("weights are F32", "weights are half precision", s -> s.dtype() == dev.editgate.core.safetensors.DType.F32));

    /**
     * The diagnosis of {@code failing} against {@code passing} (a one-option flip of it), judged over {@code verdicts}
     * (every shape the run evaluated: true = failed); empty when no listed fact differs (then the option itself is the
     * difference, which the report shows anyway).
     */
    static String diagnose(Shape failing, Shape passing, ShapeOption flipped, Map<Shape, Boolean> verdicts) {
        for (Fact f : FACTS) {
            boolean onFailing = f.test().test(failing);
            if (onFailing == f.test().test(passing)) continue;
            long failingWith = 0, failingAll = 0, passingWith = 0, passingAll = 0;
            for (var e : verdicts.entrySet()) {
                boolean with = f.test().test(e.getKey()) == onFailing;
                if (e.getValue()) { failingAll++; if (with) failingWith++; } else { passingAll++; if (with) passingWith++; }
            }
            String fact = f.phrase(failing);
            if (failingWith == failingAll && passingWith == 0) {
                return "fails whenever " + fact + " (true of all " + failingAll + " failing and none of the " + passingAll + " passing models run)";
            }
            if (failingWith == failingAll) {   // necessary but not sufficient: a second fact of the failing config may complete it
                for (Fact g : FACTS) {
                    if (g == f) continue;
                    boolean gOnFailing = g.test().test(failing);
                    boolean separates = verdicts.entrySet().stream().allMatch(e -> e.getValue()
                            == (f.test().test(e.getKey()) == onFailing && g.test().test(e.getKey()) == gOnFailing));
                    if (separates) {
                        return "fails whenever " + fact + " and " + g.phrase(failing) + " (true of all " + failingAll + " failing and none of the "
                                + passingAll + " passing models run)";
                    }
                }
            }
            return "fails when " + fact + " (true of " + failingWith + " of " + failingAll + " failing models run and of " + passingWith
                    + " of " + passingAll + " passing ones)";
        }
        return "fails when " + flipped.label(failing) + " is " + flipped.value(failing) + " (passes at " + flipped.value(passing) + ")";
    }
}
