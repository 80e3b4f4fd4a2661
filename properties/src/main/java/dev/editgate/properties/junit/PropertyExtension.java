package dev.editgate.properties.junit;

import dev.editgate.core.edit.Permutation;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import dev.editgate.properties.PropertyFailedError;
import dev.editgate.properties.PropertyResult;
import dev.editgate.properties.ValueFormat;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Runs {@link Property} methods: resolves each {@link ForAll} parameter to a placeholder so that
 * JUnit can start the test, then intercepts the single invocation and instead checks the property,
 * calling the method once per try with generated arguments (other parameters keep what their own
 * resolvers gave). A failed property throws one {@link PropertyFailedError} whose message is the report.
 */
public final class PropertyExtension implements ParameterResolver, InvocationInterceptor {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.isAnnotated(ForAll.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == boolean.class) return false;
        if (type == int.class) return 0;
        if (type == long.class) return 0L;
        if (type.isPrimitive()) {
            throw new ExtensionConfigurationException("@ForAll " + type + " is not supported; use int, long, boolean or an object type");
        }
        return null; // replaced by generated values in interceptTestMethod
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        invocation.skip();
        Method method = invocationContext.getExecutable();
        Object target = invocationContext.getTarget().orElse(null);
        Property settings = method.getAnnotation(Property.class);
        Parameter[] parameters = method.getParameters();
        int[] generated = IntStream.range(0, parameters.length).filter(i -> parameters[i].isAnnotationPresent(ForAll.class)).toArray();
        if (generated.length == 0) {
            throw new ExtensionConfigurationException("@Property method " + method.getName()
                    + " has no @ForAll parameter; expected at least one, e.g. @ForAll @Heads(6) Permutation p");
        }
        List<Gen<?>> gens = new ArrayList<>();
        for (int i : generated) gens.add(generatorFor(parameters[i], context.getRequiredTestClass(), target));
        List<Object> resolved = invocationContext.getArguments();

        String testFilter = testFilter(context.getRequiredTestClass(), method);
        dev.editgate.properties.Property<Object> property;
        CallWith call;
        if (generated.length == 1) {
            @SuppressWarnings("unchecked") Gen<Object> gen = (Gen<Object>) gens.get(0);
            property = dev.editgate.properties.Property.forAll(testFilter, gen);
            call = value -> new Object[] {value};
        } else {
            Gen<Object> tuple = choices -> gens.stream().map(g -> (Object) g.generate(choices)).toArray();
            property = dev.editgate.properties.Property.forAll(testFilter, tuple)
                    .describe(value -> describeArguments(parameters, generated, (Object[]) value));
            call = value -> (Object[]) value;
        }
        property.testFilter(testFilter).shrinkBudget(Duration.ofSeconds(settings.shrinkSeconds()));
        if (settings.tries() > 0) property.tries(settings.tries());
        if (!settings.seed().isBlank()) property.seed(parseSeed(settings.seed(), method));
        if (settings.tryDeadlineMillis() > 0) property.tryDeadline(Duration.ofMillis(settings.tryDeadlineMillis()));

        method.setAccessible(true);
        PropertyResult<Object> result = property.check(value -> {
            Object[] args = resolved.toArray();
            Object[] values = call.arguments(value);
            for (int k = 0; k < generated.length; k++) args[generated[k]] = values[k];
            try {
                method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        context.publishReportEntry("editgate", result.report());
        if (!result.passed()) throw new PropertyFailedError(result.report(), result.failure().orElse(null));
    }

    /** Turns the generated value into the generated arguments, in parameter order. */
    private interface CallWith {
        Object[] arguments(Object value);
    }

    private static Gen<?> generatorFor(Parameter parameter, Class<?> testClass, Object target) {
        ForAll forAll = parameter.getAnnotation(ForAll.class);
        if (!forAll.value().isEmpty()) return provided(forAll.value(), testClass, target, parameter);
        Class<?> type = parameter.getType();
        if (type == Permutation.class) {
            Heads heads = parameter.getAnnotation(Heads.class);
            if (heads == null) {
                throw new ExtensionConfigurationException("@ForAll Permutation " + parameter.getName()
                        + " needs the number of heads: add @Heads(n), or name a provider method with @ForAll(\"method\")");
            }
            return Gens.permutations(heads.value());
        }
        if (type == int.class || type == Integer.class) return Gens.integers(Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (type == long.class || type == Long.class) return Gens.longs(Long.MIN_VALUE, Long.MAX_VALUE);
        if (type == boolean.class || type == Boolean.class) return Gens.booleans();
        throw new ExtensionConfigurationException("no default generator for @ForAll " + type.getSimpleName() + " "
                + parameter.getName() + "; name a method returning Gen<" + type.getSimpleName() + "> with @ForAll(\"method\")");
    }

    private static Gen<?> provided(String name, Class<?> testClass, Object target, Parameter parameter) {
        Optional<Method> provider = ReflectionSupport.findMethod(testClass, name);
        if (provider.isEmpty() || !Gen.class.isAssignableFrom(provider.get().getReturnType())) {
            throw new ExtensionConfigurationException("@ForAll(\"" + name + "\") on parameter " + parameter.getName()
                    + ": expected a no-argument method " + name + "() returning Gen in " + testClass.getName());
        }
        Method m = provider.get();
        Object instance = Modifier.isStatic(m.getModifiers()) ? null : target;
        return (Gen<?>) ReflectionSupport.invokeMethod(m, instance);
    }

    private static String describeArguments(Parameter[] parameters, int[] generated, Object[] values) {
        return IntStream.range(0, generated.length)
                .mapToObj(k -> parameterLabel(parameters[generated[k]], generated[k]) + " = " + ValueFormat.describe(values[k]))
                .collect(Collectors.joining(", "));
    }

    private static String parameterLabel(Parameter p, int index) {
        return p.isNamePresent() ? p.getName() : "argument " + (index + 1);
    }

    /** {@code Class#method} as Surefire's {@code -Dtest} expects it (nested classes keep their {@code $}). */
    private static String testFilter(Class<?> testClass, Method method) {
        String className = testClass.getName().substring(testClass.getPackageName().isEmpty() ? 0 : testClass.getPackageName().length() + 1);
        return className + "#" + method.getName();
    }

    private static long parseSeed(String seed, Method method) {
        try {
            return Long.parseLong(seed.strip());
        } catch (NumberFormatException e) {
            throw new ExtensionConfigurationException("@Property(seed = \"" + seed + "\") on " + method.getName()
                    + " is not a number; expected a long such as \"42\"");
        }
    }
}
