package dev.editgate.properties.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A generated parameter of a {@link Property} method. {@code @ForAll("name")} takes values from the
 * no-argument method {@code name()} of the test class (static or not) returning a
 * {@code dev.editgate.properties.Gen}; a bare {@code @ForAll} works for {@code Permutation} (with
 * {@link Heads}), {@code int}, {@code long} and {@code boolean}.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ForAll {
    /** Name of the provider method; empty for the default generator of the parameter's type. */
    String value() default "";
}
