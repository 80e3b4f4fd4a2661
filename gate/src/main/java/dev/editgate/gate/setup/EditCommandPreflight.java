package dev.editgate.gate.setup;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.external.ExternalEditException;
import dev.editgate.core.external.ExternalHeadPermutationEdit;
import java.util.List;

/**
 * Before the gate starts, sends an external edit command one identity request through the runner's public
 * API ({@link ExternalHeadPermutationEdit#permuteHeads}). A command that cannot start, exits or dies before it
 * answers (a {@code ModuleNotFoundError}, a wrong path), times out, or answers garbage is a setup problem: the
 * gate stops with exit 2 and the command's stderr. A command that answers, even with an error of its own
 * ({@code ok:false}, a bad output, a modified input), is the edit's business: the gate runs and judges it.
 *
 * <p>In one-shot mode a process that exits non-zero has not answered: the gate cannot tell a missing module
 * from an exception in the edit function there. Worker mode can ({@code ok:false} keeps the worker alive).
 * The worker started here stays alive for the gate's trials.
 */
public final class EditCommandPreflight {
    /** Runner messages that mean the process never answered the request (see ExternalHeadPermutationEdit). */
    private static final List<String> NO_ANSWER = List.of(
            "cannot start", "timed out", "worker died", "gave no reply", "before replying", "garbage reply",
            "reply for request id", "crashed with exit code", "interrupted");

    private EditCommandPreflight() {}

    public static void identityAnswered(ExternalHeadPermutationEdit edit, Checkpoint original, int layer) {
        Permutation identity = Permutation.identity(original.config().numAttentionHeads());
        identityAnswered(() -> edit.permuteHeads(original, layer, identity), "the identity permutation of layer " + layer);
    }

    /** The same check for any first request ({@code what} names it, e.g. "the identity mlp-permutation of layer 1"). */
    public static void identityAnswered(Runnable firstRequest, String what) {
        try {
            firstRequest.run();
        } catch (ExternalEditException e) {
            if (!answered(e.getMessage())) {
                throw new SetupException("the edit command did not answer its first request (" + what
                        + "), so the gate cannot check the edit; fix the command, then rerun:\n" + e.getMessage(), e);
            }
        }
    }

    /** Whether a failed request still got an answer from the command (then the gate judges it). */
    static boolean answered(String runnerMessage) {
        String m = runnerMessage == null ? "" : runnerMessage.lines().findFirst().orElse("");
        if (m.contains(": edit failed: ") || m.contains("edit modified its input")) return true;
        return NO_ANSWER.stream().noneMatch(m::contains);
    }
}
