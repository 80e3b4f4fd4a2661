package dev.editgate.gate.cli;

import dev.editgate.core.model.BlockSet;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import java.util.List;

/**
 * Plain-text table of a {@link HeadBlockCorrespondence}: one row per edited head, one column per weight block set of
 * the family's head view (GPT-NeoX: q, k, v, dense; Llama: q_proj, k_proj, v_proj, o_proj; GPT-2: q, k, v, c_proj).
 * A cell names the original block it holds ({@code h3.k}); on grouped-query attention k/v rows exist for KV heads only.
 */
final class HeadBlockTable {
    private HeadBlockTable() {}

    static String render(HeadBlockCorrespondence hb) {
        List<BlockSet> parts = hb.view().parts();
        StringBuilder sb = new StringBuilder(String.format("  %-5s", "head"));
        for (BlockSet s : parts) if (!s.bias()) sb.append(String.format(" %-14s", s.label()));
        sb.append(System.lineSeparator());
        for (int h = 0; h < hb.heads(); h++) {
            sb.append(String.format("  %-5d", h));
            for (int p = 0; p < parts.size(); p++) {
                BlockSet s = parts.get(p);
                if (s.bias()) continue;
                sb.append(String.format(" %-14s", h < s.count() ? cell(hb, hb.source(p, h)) : ""));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }

    private static String cell(HeadBlockCorrespondence hb, int src) {
        if (src < 0) return "-";
        int[] at = hb.locate(src);
        BlockSet s = hb.view().parts().get(at[0]);
        return "h" + at[1] + "." + s.kind().name().toLowerCase(java.util.Locale.ROOT);
    }
}
