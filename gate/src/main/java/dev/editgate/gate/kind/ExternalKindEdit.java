package dev.editgate.gate.kind;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.external.ExternalHeadPermutationEdit;

/**
 * An external edit of any kind: each call is a protocol version 2 request naming the kind, carrying its parameters
 * ({@link EditKind#toJson}) and convention; the process, sandbox, input guard and output checks are the external
 * runner's ({@link ExternalHeadPermutationEdit}). Head permutations keep sending version 1 requests.
 */
public record ExternalKindEdit<P>(EditKind<P> kind, ExternalHeadPermutationEdit runner) implements KindEdit<P> {
    @Override
    public Checkpoint edit(Checkpoint original, int layer, P params) {
        return runner.edit(original, kind.name(), kind.perLayer() ? layer : null, kind.toJson(params), kind.convention());
    }
}
