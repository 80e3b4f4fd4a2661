package dev.editgate.core.structure;

import dev.editgate.core.checkpoint.Checkpoint;
import java.util.LinkedHashSet;
import java.util.Set;

/** Which tensors an edit changed, and whether they lie inside the set it may change. */
public final class Locality {
    private Locality() {}

    public record Result(Set<String> changed, Set<String> allowed, Set<String> violations) {
        public Result {
            changed = Set.copyOf(changed);
            allowed = Set.copyOf(allowed);
            violations = Set.copyOf(violations);
        }

        public boolean holds() { return violations.isEmpty(); }
    }

    public static Result check(Checkpoint original, Checkpoint edited, Set<String> allowed) {
        Set<String> changed = BitExactComparison.changedNames(original.tensors(), edited.tensors());
        Set<String> violations = new LinkedHashSet<>(changed);
        violations.removeAll(allowed);
        return new Result(changed, allowed, violations);
    }
}
