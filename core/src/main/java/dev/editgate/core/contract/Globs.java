package dev.editgate.core.contract;

import java.util.regex.Pattern;

/**
 * Tensor-name patterns of a contract: {@code *} matches within one dot-separated part, {@code **} across parts,
 * {@code ?} one character; everything else literally. {@code gpt_neox.layers.*.mlp.dense_4h_to_h.weight}.
 */
public final class Globs {
    private Globs() {}

    public static boolean matches(String glob, String name) {
        return toRegex(glob).matcher(name).matches();
    }

    static Pattern toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^.]*");
            } else if (c == '?') {
                re.append("[^.]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
