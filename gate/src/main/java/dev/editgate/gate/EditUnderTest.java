package dev.editgate.gate;

import dev.editgate.core.edit.GptNeoxHeadPermutation;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.fixtures.mutants.Mutant;
import dev.editgate.gate.config.EditChoice;
import dev.editgate.gate.config.GateConfig;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;

/**
 * The edit a gate run checks, resolved from the {@code edit} setting: the built-in head permutation, a JVM
 * class implementing {@link HeadPermutationEdit} (public no-argument constructor), an external command, or a
 * catalogued mutant. Closing it stops an external worker process.
 */
public record EditUnderTest(HeadPermutationEdit edit, String description, AutoCloseable resource) implements AutoCloseable {

    public static EditUnderTest resolve(GateConfig config) {
        EditChoice choice = config.edit();
        return switch (choice.kind()) {
            case BUILTIN -> new EditUnderTest(GptNeoxHeadPermutation.INSTANCE, "built-in GPT-NeoX head permutation", null);
            case CLASS -> new EditUnderTest(instantiate(choice.value()), "JVM class " + choice.value(), null);
            case MUTANT -> {
                Mutant m = Mutant.byName(choice.value());
                yield new EditUnderTest(m.edit(), "mutant " + m.pythonName() + ": " + m.description(), null);
            }
            case COMMAND -> throw new IllegalArgumentException("TEMP");
        };
    }

    static HeadPermutationEdit instantiate(String className) {
        Class<?> c;
        try {
            c = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("--edit class:" + className + ": class not found on the classpath", e);
        }
        if (!HeadPermutationEdit.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException("--edit class:" + className + ": does not implement " + HeadPermutationEdit.class.getName());
        }
        try {
            return (HeadPermutationEdit) c.getDeclaredConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("--edit class:" + className + ": needs a public no-argument constructor", e);
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalArgumentException("--edit class:" + className + ": cannot be constructed: " + e, e);
        }
    }

    @Override
    public void close() {
        if (resource == null) return;
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the edit: " + e.getMessage(), e);
        }
    }
}
