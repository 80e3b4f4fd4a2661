package dev.editgate.gate;

import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.external.ExternalEditSpec;
import dev.editgate.core.external.ExternalHeadPermutationEdit;
import dev.editgate.fixtures.mutants.Mutant;
import dev.editgate.gate.config.EditChoice;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;

/**
 * The edit a gate run checks, resolved from the {@code edit} and {@code edit-kind} settings: the built-in edit of the
 * kind, a JVM class (a {@link HeadPermutationEdit} for head permutations, a {@link KindEdit} for any kind; public
 * no-argument constructor), an external command, or a catalogued mutant of the kind. Closing it stops an external
 * worker process.
 *
 * @param edit the head-permutation edit (null for other kinds)
 * @param kindEdit the same edit seen through the kind seam
 */
public record EditUnderTest(EditKind<?> kind, KindEdit<?> kindEdit, HeadPermutationEdit edit, String description, AutoCloseable resource)
        implements AutoCloseable {

    public EditUnderTest(HeadPermutationEdit edit, String description, AutoCloseable resource) {
        this(EditKinds.HEAD_PERMUTATION, (KindEdit<dev.editgate.core.edit.Permutation>) edit::permuteHeads, edit, description, resource);
    }

    public static EditUnderTest resolve(GateConfig config) {
        EditChoice choice = config.edit();
        EditKind<?> kind = EditKinds.named(config.editKind());
        if (kind != EditKinds.HEAD_PERMUTATION) return resolveKind(config, kind);
        return switch (choice.kind()) {
            case BUILTIN -> new EditUnderTest(BuiltInHeadPermutation.INSTANCE, "built-in head permutation", null);
            case CLASS -> new EditUnderTest(instantiate(choice.value()), "JVM class " + choice.value(), null);
            case MUTANT -> {
                Mutant m = mutant(choice.value());
                if (!m.kind().equals(kind.name())) throw wrongKind(m, kind);
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

    private static EditUnderTest resolveKind(GateConfig config, EditKind<?> kind) {
        EditChoice choice = config.edit();
        return switch (choice.kind()) {
            case BUILTIN -> new EditUnderTest(kind, kind.builtIn(), null, "built-in " + kind.name(), null);
            case CLASS -> new EditUnderTest(kind, instantiateKindEdit(choice.value()), null, "JVM class " + choice.value(), null);
            case MUTANT -> {
                Mutant m = mutant(choice.value());
                if (!m.kind().equals(kind.name())) throw wrongKind(m, kind);
                yield new EditUnderTest(kind, m.kindEdit(), null, "mutant " + m.pythonName() + ": " + m.description(), null);
            }
            case COMMAND -> {
                ExternalEditSpec spec = ExternalEditSpec.parse(choice.value(),
                        config.editMode().equals("worker") ? ExternalEditSpec.Mode.WORKER : ExternalEditSpec.Mode.ONE_SHOT,
                        config.editTimeout(), Path.of("").toAbsolutePath());
                ExternalHeadPermutationEdit ext = ExternalHeadPermutationEdit.of(spec, ModelChoice.resolve(config.model(), config.revision()));
                yield new EditUnderTest(kind, external(kind, ext), null, "external command (" + config.editMode() + ", protocol 2): " + choice.value()
                        + (ext.sandbox().isolates() ? "; sandbox: " : "; WARNING: ") + ext.sandbox().description(), ext);
            }
        };
    }

    private static <P> KindEdit<P> external(EditKind<P> kind, ExternalHeadPermutationEdit runner) {
        return new dev.editgate.gate.kind.ExternalKindEdit<>(kind, runner);
    }

    private static IllegalArgumentException wrongKind(Mutant m, EditKind<?> kind) {
        return new IllegalArgumentException("--edit mutant:" + m.pythonName() + " is a " + m.kind() + " mutant; run it with --edit-kind "
                + m.kind() + " (the gate was asked for " + kind.name() + ")");
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
        Object o = construct(className, HeadPermutationEdit.class);
        return (HeadPermutationEdit) o;
    }

    static KindEdit<?> instantiateKindEdit(String className) {
        return (KindEdit<?>) construct(className, KindEdit.class);
    }

    private static Object construct(String className, Class<?> expected) {
        Class<?> c;
        try {
            c = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("--edit class:" + className + ": class not found on the classpath", e);
        }
        if (!expected.isAssignableFrom(c)) {
            throw new IllegalArgumentException("--edit class:" + className + ": does not implement " + expected.getName());
        }
        try {
            return c.getDeclaredConstructor().newInstance();
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
