package dev.editgate.properties;

import dev.editgate.core.edit.Permutation;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.opentest4j.TestAbortedException;

/**
 * A property to check: "for all values of a generator, the body does not fail". Configure it
 * fluently, then {@link #check} it:
 * <pre>{@code
 * Property.forAll("inverse restores", Gens.permutations(6))
 *         .check(p -> assertEquals(Permutation.identity(6), p.andThen(p.inverse())))
 *         .assertPassed();
 * }</pre>
 *
 * <p>Order of the tries: the counterexample stored in the {@link FailureDatabase} (if any), then
 * either every value (exhaustive: when given, or automatically for a {@link PermutationGen} with at
 * most as many permutations as tries) or the edge cases followed by random values. The first
 * failure is shrunk within the shrink budget and reported.
 *
 * <p>Seed: {@link #seed(long)}, else system property {@value #SEED_PROPERTY}, else random; tries:
 * {@link #tries(int)}, else system property {@value #TRIES_PROPERTY}, else {@value #DEFAULT_TRIES}.
 */
public final class Property<T> {
    public static final String SEED_PROPERTY = "editgate.seed";
    public static final String TRIES_PROPERTY = "editgate.tries";
    public static final int DEFAULT_TRIES = 100;
    public static final Duration DEFAULT_SHRINK_BUDGET = Duration.ofSeconds(30);
    /** Discarded tries (filters, assumptions) allowed per planned try before the property fails. */
    private static final int DISCARDS_PER_TRY = 10;

    private final String name;
    private final Gen<T> gen;
    private Integer tries;
    private Long seed;
    private Duration shrinkBudget = DEFAULT_SHRINK_BUDGET;
    private Duration tryDeadline;
    private List<T> edgeCases;
    private List<long[]> edgeCaseChoices = List.of();
    private Supplier<Stream<T>> exhaustive;
    private Function<? super T, String> classifier = ValueFormat::classify;
    private Function<? super T, String> describer = ValueFormat::describe;
    private FailureDatabase database = FailureDatabase.standard();
    private PropertyListener<? super T> listener = new PropertyListener<>() {};
    private String testFilter;

    private Property(String name, Gen<T> gen) {
        this.name = name;
        this.gen = gen;
    }

    public static <T> Property<T> forAll(String name, Gen<T> gen) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a property needs a name");
        return new Property<>(name, gen);
    }

    /** How many values to test (edge cases and the database replay included). */
    public Property<T> tries(int tries) {
        if (tries < 1) throw new IllegalArgumentException("tries must be >= 1, was " + tries);
        this.tries = tries;
        return this;
    }

    public Property<T> seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Wall time shrinking may take; when it runs out, the smallest failure so far is reported. */
    public Property<T> shrinkBudget(Duration budget) {
        this.shrinkBudget = budget;
        return this;
    }

    /** A single try running longer than this fails with "try exceeded deadline". */
    public Property<T> tryDeadline(Duration deadline) {
        this.tryDeadline = deadline;
        return this;
    }

    /** Values tried before the random ones (replaces a permutation generator's own edge cases; empty for none). */
    public Property<T> edgeCases(List<T> edgeCases) {
        this.edgeCases = List.copyOf(edgeCases);
        return this;
    }

    /**
     * Choice sequences tried after the edge cases and before the random values: values the generator builds from
     * them (e.g. a lab's own prompts, encoded), which shrink like any generated value when they fail.
     */
    public Property<T> edgeCaseChoices(List<long[]> encodings) {
        this.edgeCaseChoices = encodings.stream().map(long[]::clone).toList();
        return this;
    }

    /** Tests every value of {@code all} instead of random values. */
    public Property<T> exhaustive(Supplier<Stream<T>> all) {
        this.exhaustive = all;
        return this;
    }

    /** Label for the statistics of tested values ({@code null}: no label). Default for permutations: "moved heads = k". */
    public Property<T> classify(Function<? super T, String> label) {
        this.classifier = label;
        return this;
    }

    /** How values are printed in reports. Default for permutations: cycle notation plus image list. */
    public Property<T> describe(Function<? super T, String> describer) {
        this.describer = describer;
        return this;
    }

    public Property<T> database(FailureDatabase database) {
        this.database = database;
        return this;
    }

    public Property<T> listener(PropertyListener<? super T> listener) {
        this.listener = listener;
        return this;
    }

    /** The test that runs this property as {@code Class#method}, for the reproduction line of the report. */
    public Property<T> testFilter(String classAndMethod) {
        this.testFilter = classAndMethod;
        return this;
    }

    /** Checks the property; the body fails by throwing. */
    public PropertyResult<T> check(CheckedConsumer<T> body) {
        return new Run(body).execute();
    }

    /** Checks that {@code predicate} holds for all values. */
    public PropertyResult<T> checkThat(Predicate<T> predicate) {
        return check(value -> {
            if (!predicate.test(value)) {
                throw new AssertionError("expected the predicate to hold, but it was false for " + describer.apply(value));
            }
        });
    }

    /** One execution of {@link #check}: its counters and outcome. */
    private final class Run {
        private final CheckedConsumer<T> body;
        private final long start = System.nanoTime();
        private final long runSeed = resolveSeed();
        private int planned = resolveTries();
        private final Map<String, Long> statistics = new TreeMap<>();
        private TryRunner runner;
        private int triesRun;
        private boolean wasExhaustive;

        Run(CheckedConsumer<T> body) {
            this.body = body;
        }

        PropertyResult<T> execute() {
            try (TryRunner tryRunner = new TryRunner(tryDeadline)) {
                runner = tryRunner;
                Supplier<Stream<T>> all = exhaustiveValues();
                if (all != null && exhaustive == null) planned = Math.toIntExact(((PermutationSpace) gen).count());
                listener.onStart(name, planned);
                Optional<long[]> stored = database.load(name);
                if (stored.isPresent()) {
                    TestCase replayed = runChoices(stored.get());
                    if (replayed.status() != TestCase.Status.DISCARDED && count(replayed)) {
                        return failed(replayed, "replaying the " + database);
                    }
                }
                if (all != null) {
                    wasExhaustive = true;
                    Iterator<T> it = all.get().iterator();
                    while (it.hasNext()) {
                        TestCase tc = runValue(it.next());
                        if (count(tc)) return failed(tc, "exhaustive try " + triesRun);
                    }
                    return passed();
                }
                for (T value : edgeCasesToTry()) {
                    if (triesRun >= planned) break;
                    TestCase tc = runValue(value);
                    if (count(tc)) return failed(tc, "edge case");
                }
                for (long[] encoding : edgeCaseChoices) {
                    if (triesRun >= planned) break;
                    TestCase tc = runChoices(encoding);
                    if (count(tc)) return failed(tc, "edge case");
                }
                SplittableRandom random = new SplittableRandom(runSeed);
                int discarded = 0;
                while (triesRun < planned) {
                    TestCase tc = runChoices(null, random.split());
                    if (tc.status() == TestCase.Status.DISCARDED) {
                        if (++discarded > DISCARDS_PER_TRY * planned) return tooManyDiscards(discarded, tc);
                        continue;
                    }
                    if (count(tc)) return failed(tc, "random try " + triesRun);
                }
                return passed();
            }
        }

        /** Records a tested (not discarded) case; true when it failed. */
        private boolean count(TestCase tc) {
            if (tc.status() == TestCase.Status.DISCARDED) return false;
            triesRun++;
            @SuppressWarnings("unchecked") String label = classifier.apply((T) tc.value());
            if (label != null) statistics.merge(label, 1L, Long::sum);
            listener.onTry(triesRun, planned, tc.failed() ? 1 : 0);
            return tc.failed();
        }

        private TestCase runValue(T value) {
            Optional<long[]> encoding = encodingOf(value);
            if (encoding.isPresent()) return runChoices(encoding.get());
            Throwable failure = runner.run(body, value);
            return new TestCase(null, List.of(), statusOf(failure), value, failure);
        }

        private TestCase runChoices(long[] prefix) {
            return runChoices(prefix, null);
        }

        private TestCase runChoices(long[] prefix, SplittableRandom random) {
            Choices choices = random != null ? Choices.random(random) : Choices.replay(prefix);
            T value;
            try {
                value = gen.generate(choices);
            } catch (Rejected e) {
                return new TestCase(choices.recorded(), choices.spans(), TestCase.Status.DISCARDED, null, null);
            }
            Throwable failure = runner.run(body, value);
            return new TestCase(choices.recorded(), choices.spans(), statusOf(failure), value, failure);
        }

        private TestCase.Status statusOf(Throwable failure) {
            if (failure == null) return TestCase.Status.PASSED;
            return failure instanceof TestAbortedException ? TestCase.Status.DISCARDED : TestCase.Status.FAILED;
        }

        @SuppressWarnings("unchecked")
        private PropertyResult<T> failed(TestCase original, String foundBy) {
            TestCase shrunk = original;
            int steps = 0;
            if (original.choices() != null) {
                int[] stepCount = {0};
                Shrinker shrinker = new Shrinker(this::runChoices, shrinkBudget,
                        tc -> listener.onShrinkStep(++stepCount[0], (T) tc.value()));
                shrunk = shrinker.shrink(original);
                steps = shrinker.steps();
                database.save(name, shrunk.choices());
            }
            T originalValue = (T) original.value();
            T shrunkValue = (T) shrunk.value();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            String report = failureReport(originalValue, shrunkValue, steps, shrunk.failure(), foundBy, elapsed);
            return new PropertyResult<>(name, false, triesRun, runSeed, elapsed, wasExhaustive,
                    Optional.ofNullable(originalValue), Optional.ofNullable(shrunkValue), steps,
                    Optional.of(shrunk.failure()), statistics, report);
        }

        private PropertyResult<T> passed() {
            database.remove(name);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            StringBuilder report = new StringBuilder("Property '" + name + "' passed " + triesRun
                    + (wasExhaustive ? " tries (all values)" : " tries") + " (seed " + runSeed + ", "
                    + millis(elapsed) + ")");
            statistics.forEach((label, n) -> report.append("\n  ").append(label).append(": ").append(n)
                    .append(String.format(" (%.0f%%)", 100.0 * n / Math.max(1, triesRun))));
            return new PropertyResult<>(name, true, triesRun, runSeed, elapsed, wasExhaustive,
                    Optional.empty(), Optional.empty(), 0, Optional.empty(), statistics, report.toString());
        }

        private PropertyResult<T> tooManyDiscards(int discarded, TestCase last) {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            AssertionError error = new AssertionError("property '" + name + "' discarded " + discarded
                    + " generated values (filters or assumptions) after " + triesRun + " tries; expected at most "
                    + DISCARDS_PER_TRY + " per planned try: loosen the filter or generate valid values directly");
            String report = error.getMessage() + "\n  seed: " + runSeed + "\n  reproduce: " + reproduction();
            return new PropertyResult<>(name, false, triesRun, runSeed, elapsed, false, Optional.empty(),
                    Optional.empty(), 0, Optional.of(error), statistics, report);
        }

        private String failureReport(T original, T shrunk, int steps, Throwable failure, String foundBy, Duration elapsed) {
            StringBuilder sb = new StringBuilder();
            sb.append("Property '").append(name).append("' failed after ").append(triesRun).append(" of ")
                    .append(planned).append(" tries (seed ").append(runSeed).append(", ").append(millis(elapsed)).append(")\n");
            sb.append("  shrunk counterexample:   ").append(describer.apply(shrunk)).append('\n');
            sb.append("  original counterexample: ").append(describer.apply(original)).append(" (found by ").append(foundBy).append(")\n");
            sb.append("  shrink steps:            ").append(steps).append('\n');
            sb.append("  failure:                 ").append(String.valueOf(failure).replace("\n", "\n                           ")).append('\n');
            sb.append("  reproduce:               ").append(reproduction());
            return sb.toString();
        }

        private String reproduction() {
            String seedFlag = "-D" + SEED_PROPERTY + "=" + runSeed;
            return testFilter == null ? seedFlag
                    : "mvn verify -Dtest='" + testFilter + "' " + seedFlag + "   (under Failsafe: -Dit.test='" + testFilter + "')";
        }
    }

    private Supplier<Stream<T>> exhaustiveValues() {
        if (exhaustive != null) return exhaustive;
        if (gen instanceof PermutationSpace pg && pg.count() <= resolveTries()) {
            @SuppressWarnings("unchecked") Supplier<Stream<T>> all = () -> (Stream<T>) pg.all();
            return all;
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private List<T> edgeCasesToTry() {
        if (edgeCases != null) return edgeCases;
        if (gen instanceof PermutationSpace pg) return (List<T>) pg.edgeCases();
        return List.of();
    }

    /** The choices that generate {@code value}, when the generator can say (permutations). */
    private Optional<long[]> encodingOf(T value) {
        if (gen instanceof PermutationSpace pg && value instanceof Permutation p && pg.allows(p)) {
            return Optional.of(pg.encode(p));
        }
        return Optional.empty();
    }

    private long resolveSeed() {
        if (seed != null) return seed;
        String text = System.getProperty(SEED_PROPERTY);
        if (text != null && !text.isBlank()) {
            try {
                return Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + SEED_PROPERTY + "=" + text + " is not a number; expected a long like -D"
                        + SEED_PROPERTY + "=123");
            }
        }
        return ThreadLocalRandom.current().nextLong();
    }

    private int resolveTries() {
        if (tries != null) return tries;
        String text = System.getProperty(TRIES_PROPERTY);
        if (text != null && !text.isBlank()) {
            try {
                int n = Integer.parseInt(text.strip());
                if (n >= 1) return n;
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("-D" + TRIES_PROPERTY + "=" + text + " is not a positive number of tries");
        }
        return DEFAULT_TRIES;
    }

    private static String millis(Duration d) {
        return d.toMillis() + " ms";
    }
}
