package dev.editgate.gate.stage;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import java.util.List;

/** Says which blocks of the edited layer are not where π puts them, in one short paragraph. */
final class HeadBlockMismatch {
    private HeadBlockMismatch() {}

    static String describe(HeadBlockCorrespondence c, Permutation p) {
        List<String> wrong = c.mismatches(p);
        int shown = Math.min(6, wrong.size());
        String more = wrong.size() > shown ? "\n  ... and " + (wrong.size() - shown) + " more" : "";
        return "layer " + c.layer() + ", π = " + p.toCycleString() + ": " + wrong.size() + " blocks are not where new head i = old head π(i) puts them:\n  "
                + String.join("\n  ", wrong.subList(0, shown)) + more;
    }
}
