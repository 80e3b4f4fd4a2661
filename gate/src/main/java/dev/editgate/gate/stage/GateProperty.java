package dev.editgate.gate.stage;

import dev.editgate.core.edit.Permutation;
import dev.editgate.gate.GateSession;
import dev.editgate.properties.FailureDatabase;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Property;
import dev.editgate.properties.PropertyListener;
import dev.editgate.properties.PropertyResult;
import dev.editgate.reports.model.Counterexample;
import dev.editgate.reports.model.PropertyReport;
import java.util.function.Function;

/**
 * One property of a stage over the edit kind's parameters (permutations of the edited layer's heads for the head
 * permutation), run by the engine with the session's seed and tries, reported with its shrunk counterexample and,
 * when it failed, a diagnosis.
 *
 * @param body throws (an AssertionError with what broke) when the property does not hold for a parameter
 * @param diagnose explains a failing parameter in a researcher's terms (may return an empty string)
 * @param format the parameter as the report shows it (cycles for a permutation)
 * @param encode the parameter as an int vector (the image list of a permutation)
 */
public record GateProperty<P>(String name, String description, Gen<P> gen, int tries, Check<P> body,
                              Function<P, String> diagnose, Function<P, String> format, Function<P, int[]> encode) {

    /** A property body: throws when the property fails for {@code perm}. */
    @FunctionalInterface
    public interface Check<P> {
        void check(P perm) throws Throwable;
    }

    /** A property over head permutations, shown in cycle notation. */
    public GateProperty(String name, String description, Gen<P> gen, int tries, Check<P> body, Function<P, String> diagnose) {
        this(name, description, gen, tries, body, diagnose, p -> ((Permutation) p).toCycleString(), p -> ((Permutation) p).toArray());
    }

    public GateProperty(String name, String description, Gen<P> gen, int tries, Check<P> body) {
        this(name, description, gen, tries, body, p -> "");
    }

    public PropertyReport run(GateSession session, String stage) {
        session.listener().propertyStarted(stage, name, tries);
        session.editFailures().reset();
        PropertyResult<P> r = Property.forAll(name, gen)
                .tries(tries)
                .seed(session.config().seed())
                .database(FailureDatabase.inDirectory(session.config().reportDir().resolve("failures")))
                .listener(new PropertyListener<>() {
                    @Override
                    public void onTry(int done, int planned, int failures) {
                        session.listener().tryDone(stage, name, done, planned, failures);
                    }

                    @Override
                    public void onShrinkStep(int steps, P current) {
                        session.listener().shrinking(stage, name, steps);
                    }
                })
                .check(p -> body.check(p));
        PropertyReport report = session.editFailures().sameErrorOnEveryCall()
                .filter(err -> !r.passed())
                .map(err -> sameErrorEverywhere(r, err, session.editFailures().calls()))
                .orElseGet(() -> toReport(r));
        session.listener().propertyFinished(stage, report);
        return report;
    }

    /** The edit threw the same error on every call: no counterexample to show, the error once. */
    private PropertyReport sameErrorEverywhere(PropertyResult<P> r, String error, int calls) {
        String msg = "the edit failed on every one of its " + calls + (calls == 1 ? " call" : " calls")
                + " with the same error (no permutation works, so there is nothing to shrink):\n" + error;
        return new PropertyReport(name, description, PropertyReport.Status.FAILED, r.triesRun(), r.elapsed(), r.seed(),
                null, msg, "", r.statistics());
    }

    private PropertyReport toReport(PropertyResult<P> r) {
        if (r.passed()) {
            return new PropertyReport(name, description, PropertyReport.Status.PASSED, r.triesRun(), r.elapsed(), r.seed(),
                    null, "", "", r.statistics());
        }
        P shrunk = r.shrunk().orElseThrow();
        P original = r.original().orElse(shrunk);
        Counterexample ce = new Counterexample(encode.apply(shrunk), format.apply(shrunk), encode.apply(original),
                format.apply(original), r.shrinkSteps());
        String failure = r.failure().map(GateProperty::message).orElse("");
        String diagnosis;
        try {
            diagnosis = diagnose.apply(shrunk);
        } catch (RuntimeException | AssertionError e) {
            diagnosis = ""; // the edit itself failed on this permutation: the failure message already says how
        }
        return new PropertyReport(name, description, PropertyReport.Status.FAILED, r.triesRun(), r.elapsed(), r.seed(),
                ce, failure, diagnosis, r.statistics());
    }

    /** A one-line message for a failure or an unexpected error. */
    public static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        else if (!(t instanceof AssertionError)) m = t.getClass().getSimpleName() + ": " + m;
        return m;
    }
}
