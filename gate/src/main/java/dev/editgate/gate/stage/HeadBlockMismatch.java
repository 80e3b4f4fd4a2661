package dev.editgate.gate.stage;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import java.util.List;

/** Says which blocks of the edited layer are not where π puts them, in one short paragraph. */
final class HeadBlockMismatch {
    private HeadBlockMismatch() {}

    static String describe(HeadBlockCorrespondence c, Permutation p) {
        List<String> wrong = c.mismatches(p);
        // every block is listed; the terminal and the HTML report show the first lines and fold the rest (MessageLines)
        return "layer " + c.layer() + ", π = " + p.toCycleString() + ": " + wrong.size() + " blocks are not where new head i = old head π(i) puts them:\n  "
                + String.join("\n  ", wrong);
    }
}
