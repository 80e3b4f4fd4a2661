package dev.editgate.gate;

import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.external.ExternalEditSpec;
import dev.editgate.core.external.ExternalHeadPermutationEdit;
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
            case BUILTIN -> new EditUnderTest(BuiltInHeadPermutation.INSTANCE, "built-in head permutation", null);
            case CLASS -> new EditUnderTest(instantiate(choice.value()), "JVM class " + choice.value(), null);
            case MUTANT -> {
                Mutant m = mutant(choice.value());
                yield new EditUnderTest(m.edit(), "mutant " + m.pythonName() + ": " + m.description(), null);
            }
            case COMMAND -> {
                ExternalEditSpec spec = ExternalEditSpec.parse(choice.value(),
                        config.editMode().equals("worker") ? ExternalEditSpec.Mode.WORKER : ExternalEditSpec.Mode.ONE_SHOT,
                        config.editTimeout(), Path.of("").toAbsolutePath());
                ExternalHeadPermutationEdit ext = ExternalHeadPermutationEdit.of(spec, ModelChoice.resolve(config.model(), config.revision()));
                yield new EditUnderTest(ext, "external command (" + config.editMode() + "): " + choice.value()
                        + (ext.sandbox().isolates() ? "; sandbox: " : "; WARNING: ") + ext.sandbox().description(), ext);
            }
        };
    }

    /** A catalogued mutant by name, in snake_case (its Python name) or kebab-case. */
    static Mutant mutant(String name) {
        String key = name.strip().replace('-', '_').toLowerCase(java.util.Locale.ROOT);
        for (Mutant m : Mutant.values()) {
            if (m.pythonName().equals(key)) return m;
        }
        throw new IllegalArgumentException("--edit mutant:" + name + ": unknown mutant; expected one of "
                + java.util.Arrays.stream(Mutant.values()).map(Mutant::pythonName).toList());
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
