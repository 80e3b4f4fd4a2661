package dev.editgate.properties.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.editgate.core.edit.Permutation;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import dev.editgate.properties.PropertyFailedError;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs sample classes with deliberately failing properties through the Jupiter engine. The samples
 * are static nested classes: Surefire excludes them ({@code **}{@code /*$*}) and Jupiter does not
 * run them as part of this class, so they only run here.
 */
class PropertyExtensionTest {

    /** Deliberately failing and passing properties; never run on their own. */
    static class Samples {
        @Property(seed = "42")
        void headThreeStaysInPlace(@ForAll @Heads(6) Permutation p) {
            assertThat(p.apply(3)).as("head at position 3").isEqualTo(3);
        }

        @Property(tries = 50)
        void inverseUndoes(@ForAll @Heads(8) Permutation p) {
            assertThat(p.andThen(p.inverse())).isEqualTo(Permutation.identity(8));
        }

        @Property(seed = "7")
        void sumOfTwoSmallInts(@ForAll("small") int a, @ForAll("small") int b) {
            assertThat(a + b).as("a + b").isLessThan(150);
        }

        Gen<Integer> small() {
            return Gens.integers(0, 100);
        }

        @Property
        void permutationWithoutHeads(@ForAll Permutation p) {
        }
    }

    private static EngineExecutionResults run(String method, Class<?>... parameterTypes) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(Samples.class, method, parameterTypesOf(parameterTypes)))
                .execute();
    }

    private static String parameterTypesOf(Class<?>... types) {
        return String.join(",", List.of(types).stream().map(Class::getName).toList());
    }

    private static Throwable onlyFailure(EngineExecutionResults results) {
        results.testEvents().assertStatistics(s -> s.started(1).failed(1).succeeded(0));
        Event failed = results.testEvents().failed().list().get(0);
        return failed.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
    }

    @Test
    void aFailingPropertyIsOneJUnitFailureWhoseMessageIsTheReport() {
        Throwable failure = onlyFailure(run("headThreeStaysInPlace", Permutation.class));
        assertThat(failure).isInstanceOf(PropertyFailedError.class);
        assertThat(failure.getMessage())
                .contains("Property 'PropertyExtensionTest$Samples#headThreeStaysInPlace' failed")
                .contains("shrunk counterexample:   (0 3) = [3,1,2,0,4,5]")
                .contains("original counterexample:")
                .contains("seed 42")
                .contains("head at position 3")
                .contains("reproduce:               mvn verify -Dtest='PropertyExtensionTest$Samples#headThreeStaysInPlace' -Deditgate.seed=42");
        assertThat(failure.getCause()).as("the shrunk failure is the cause").isInstanceOf(AssertionError.class);
    }

    @Test
    void aPassingPropertyIsOnePassingTest() {
        EngineExecutionResults results = run("inverseUndoes", Permutation.class);
        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertThat(results.allEvents().reportingEntryPublished().list()).hasSize(1);
    }

    @Test
    void severalGeneratedParametersShrinkTogetherAndAreNamedInTheReport() {
        Throwable failure = onlyFailure(run("sumOfTwoSmallInts", int.class, int.class));
        assertThat(failure.getMessage()).contains("shrunk counterexample:   a = 50, b = 100");
    }

    @Test
    void aPermutationParameterWithoutHeadsFailsWithAnActionableMessage() {
        Throwable failure = onlyFailure(run("permutationWithoutHeads", Permutation.class));
        assertThat(failure).hasMessageContaining("add @Heads(n)");
    }

    @Test
    void theSampleClassRunsAsFourTestsWithThreeFailures() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(Samples.class)).execute()
                .testEvents().assertStatistics(s -> s.started(4).succeeded(1).failed(3));
    }
}
