package dev.editgate.core.model;

import java.util.List;

/**
 * A layout an edit may wrongly assume for one tensor: the block sets it would move, in place of the true ones.
 * The diagnosis rebuilds the tensor under this layout with the intended permutation and compares bit for bit.
 *
 * @param key   stable identifier, e.g. {@code component-major}
 * @param text  what the finding says when the edited tensor matches, in the researcher's terms
 * @param parts the mistaken block sets of {@code tensor} (kinds as the mistaken code thinks of them)
 */
public record MistakenLayout(String key, String tensor, String text, List<BlockSet> parts) {
    public MistakenLayout {
        parts = List.copyOf(parts);
    }
}
