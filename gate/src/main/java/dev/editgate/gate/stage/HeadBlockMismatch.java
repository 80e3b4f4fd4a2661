package dev.editgate.gate.stage;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import java.util.ArrayList;
import java.util.List;

/** Says which blocks of the edited layer are not where π puts them, in one short paragraph. */
final class HeadBlockMismatch {
    private HeadBlockMismatch() {}

    static String describe(HeadBlockCorrespondence c, Permutation p) {
        List<String> wrong = new ArrayList<>();
        int[] w = c.qkvWeightSource();
        int[] b = c.qkvBiasSource();
        int[] d = c.denseSource();
        for (int head = 0; head < c.heads(); head++) {
            for (int comp = 0; comp < 3; comp++) {
                int expected = p.apply(head) * 3 + comp;
                String name = HeadBlockCorrespondence.COMPONENTS[comp] + " of head " + head;
                if (w[head * 3 + comp] != expected) {
                    wrong.add("query_key_value.weight " + name + " should be " + HeadBlockCorrespondence.describeQkvSource(expected)
                            + ", is " + HeadBlockCorrespondence.describeQkvSource(w[head * 3 + comp]));
                }
                if (b[head * 3 + comp] != expected) {
                    wrong.add("query_key_value.bias " + name + " should be " + HeadBlockCorrespondence.describeQkvSource(expected)
                            + ", is " + HeadBlockCorrespondence.describeQkvSource(b[head * 3 + comp]));
                }
            }
            if (d[head] != p.apply(head)) {
                wrong.add("dense.weight columns of head " + head + " should be original head " + p.apply(head) + ", are "
                        + (d[head] < 0 ? "no original block" : "original head " + d[head]));
            }
        }
        // every block is listed; the terminal and the HTML report show the first lines and fold the rest (MessageLines)
        return "layer " + c.layer() + ", π = " + p.toCycleString() + ": " + wrong.size() + " blocks are not where new head i = old head π(i) puts them:\n  "
                + String.join("\n  ", wrong);
    }
}
