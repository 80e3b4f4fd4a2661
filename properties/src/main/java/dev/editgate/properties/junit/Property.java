package dev.editgate.properties.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a JUnit Jupiter test method as a property: its {@link ForAll} parameters are generated, the
 * method runs once per try, and a failure is shrunk and reported as one JUnit failure whose message
 * is the property report (shrunk and original counterexample, seed, reproduction line). Runs under
 * Surefire and Failsafe like any {@code @Test}. {@code @BeforeEach}/{@code @AfterEach} run once
 * around the whole property, not around each try; parameters without {@code @ForAll} are resolved
 * once by their own resolvers (e.g. {@code @TempDir}) and shared by all tries.
 * <pre>{@code
 * @Property
 * void inverseRestores(@ForAll @Heads(6) Permutation p) {
 *     assertEquals(Permutation.identity(6), p.andThen(p.inverse()));
 * }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(PropertyExtension.class)
public @interface Property {
    /** Tries; 0 means system property {@code editgate.tries}, else 100. */
    int tries() default 0;

    /** Seed as a decimal long; empty means system property {@code editgate.seed}, else random. */
    String seed() default "";

    /** Wall time shrinking may take, in seconds. */
    int shrinkSeconds() default 30;

    /** A single try running longer than this fails; 0 means no deadline. */
    long tryDeadlineMillis() default 0;
}
