package dev.editgate.gate.contract;

import dev.editgate.core.contract.Clause;
import dev.editgate.core.contract.ClauseResult;
import dev.editgate.core.contract.NextTokenDivergence;
import dev.editgate.core.contract.PreservationBound;
import dev.editgate.core.tokenize.TextTokenizer;
import dev.editgate.properties.FailureDatabase;
import dev.editgate.properties.Property;
import dev.editgate.properties.PropertyResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The preservation clause as a property: for every generated unrelated prompt (the lab's prompts first, as edge
 * cases), every position's next-token distribution of the edited model stays within the bound. A violation shrinks
 * to the shortest prompt of the simplest tokens that still violates it; a violation found on a text span is shrunk
 * again as random tokens, so it can lose its text structure too.
 */
public final class PreservationCheck {
    private final ModelPair models;
    private final PreservationBound bound;
    private final PromptGen gen;
    private final TextTokenizer tok;
    private final List<String> exclude;
    private final Duration shrinkBudget;

    public PreservationCheck(ModelPair models, PreservationBound bound, PromptGen gen, TextTokenizer tok, List<String> exclude, Duration shrinkBudget) {
        this.models = models;
        this.bound = bound;
        this.gen = gen;
        this.tok = tok;
        this.exclude = List.copyOf(exclude);
        this.shrinkBudget = shrinkBudget;
    }

    /** What one run found: the clause result, the finding when it failed, and how many prompts were tried. */
    public record Outcome(ClauseResult result, Optional<PreservationFinding> finding, int promptsTried, long seed) {}

    public Outcome run(int tries, long seed, List<long[]> labPrompts) {
        PropertyResult<Prompt> r = property(tries, seed, labPrompts).check(this::holds);
        if (r.passed()) {
            return new Outcome(ClauseResult.passed(Clause.PRESERVATION, r.triesRun() + " unrelated prompts, every position within " + bound,
                    List.of("seed " + r.seed())), Optional.empty(), r.triesRun(), r.seed());
        }
        if (r.shrunk().isEmpty()) {
            return new Outcome(ClauseResult.failed(Clause.PRESERVATION, "the prompt generator failed: " + r.report(), List.of()),
                    Optional.empty(), r.triesRun(), r.seed());
        }
        Prompt shrunk = r.shrunk().get();
        int steps = r.shrinkSteps();
        if (!shrunk.source().equals("random tokens")) {        // a text span: shrink it again token by token
            PropertyResult<Prompt> again = property(1, seed, List.of(gen.encode(shrunk.ids()))).check(this::holds);
            if (!again.passed() && again.shrunk().isPresent()) {
                shrunk = again.shrunk().get();
                steps += again.shrinkSteps();
            }
        }
        PreservationFinding f = finding(shrunk, r.original().orElse(shrunk), r.triesRun(), steps,
                r.report().contains("(found by edge case)") ? "the lab's prompt list" : "a generated prompt");
        return new Outcome(ClauseResult.failed(Clause.PRESERVATION, summary(f), details(f)), Optional.of(f), r.triesRun(), r.seed());
    }

    private Property<Prompt> property(int tries, long seed, List<long[]> edgeCases) {
        return Property.forAll("preservation on unrelated prompts", gen.filter(p -> !related(p)))
                .tries(tries).seed(seed).shrinkBudget(shrinkBudget).database(FailureDatabase.none())
                .edgeCaseChoices(edgeCases).describe(Prompt::describe)
                .classify(p -> p.source() + ", " + (p.length() <= 4 ? "1-4" : p.length() <= 8 ? "5-8" : "9+") + " tokens");
    }

    /** True when the prompt's text contains one of the contract's related strings: not unrelated, skipped. */
    boolean related(Prompt p) {
        for (String s : exclude) if (p.text().contains(s)) return true;
        return false;
    }

    private void holds(Prompt p) {
        NextTokenDivergence[] d = models.divergence(p.ids());
        for (NextTokenDivergence x : d) {
            if (!x.within(bound)) throw new AssertionError("position " + x.position() + " breaks " + bound + ": " + x);
        }
    }

    private PreservationFinding finding(Prompt shrunk, Prompt found, int tried, int steps, String foundBy) {
        NextTokenDivergence[] d = models.divergence(shrunk.ids());
        List<String> texts = new ArrayList<>();
        for (int id : shrunk.ids()) texts.add(tok.decode(new int[] {id}));
        return new PreservationFinding(shrunk, found, tried, steps, foundBy, Arrays.asList(d), texts);
    }

    private String summary(PreservationFinding f) {
        int worst = 0;
        for (int i = 0; i < f.positions().size(); i++) {
            if (f.positions().get(i).measure(bound.metric()) > f.positions().get(worst).measure(bound.metric())) worst = i;
        }
        NextTokenDivergence w = f.positions().get(worst);
        return String.format(Locale.ROOT, "minimal prompt %s (%d token%s, shrunk from %d; found after %d prompt%s by %s): position %d breaks %s (%s)",
                f.shrunk().describe(), f.shrunk().length(), f.shrunk().length() == 1 ? "" : "s", f.found().length(), f.promptsTried(),
                f.promptsTried() == 1 ? "" : "s", f.foundBy(), w.position(), bound, w);
    }

    private List<String> details(PreservationFinding f) {
        List<String> out = new ArrayList<>();
        out.add("found:  " + f.found().describe() + " (" + f.found().source() + ")");
        out.add("shrunk: " + f.shrunk().describe() + " in " + f.shrinkSteps() + " steps");
        for (int i = 0; i < f.positions().size(); i++) {
            NextTokenDivergence d = f.positions().get(i);
            String token = f.tokenTexts().get(i).replace("\n", "\\n");
            out.add(String.format(Locale.ROOT, "  pos %d  token %d \"%s\"  next-token KL %.4g  top-1 %d -> %d  max |Δlogit| %.3g  %s",
                    i, f.shrunk().ids()[i], token, d.kl(), d.originalTop1(), d.editedTop1(), d.maxLogitDiff(), d.within(bound) ? "ok" : "BREAKS"));
        }
        return out;
    }
}
