package dev.editgate.gate.harness;

import dev.editgate.core.forward.Logits;
import dev.editgate.core.runner.PromptLogits;
import dev.editgate.core.tokenize.TextTokenizer;
import dev.editgate.core.tolerance.LogitError;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import java.util.Arrays;
import java.util.List;

/**
 * For a runner that tokenizes: its ids for generated text prompts equal editgate's tokenizer's (the model folder's
 * tokenizer.json), and its logits on them equal editgate's float64 logits within its tolerance. A failure shrinks to
 * the fewest words; a tokenizer that adds (or drops) a BOS token is named as such.
 */
final class TokenizationProperty {
    static final String NAME = "tokenization";
    static final List<String> WORDS = List.of("The", " bigger", " one", " is", " 9.8", " or", " 9.11", "?", " cat", ",", "\n", " Hello");

    private TokenizationProperty() {}

    static String description() {
        return "the runner's ids for text prompts equal editgate's tokenizer's (no BOS added or dropped) and its logits on them "
                + "equal editgate's float64 logits within its tolerance (shrunk to the fewest words)";
    }

    static Gen<String> gen() {
        return Gens.lists(Gens.integers(0, WORDS.size() - 1), 1, 6).map(l -> String.join("", l.stream().map(WORDS::get).toList()));
    }

    static void check(HarnessContext c, TextTokenizer tokenizer, String prompt) {
        int[] want = tokenizer.encode(prompt);
        PromptLogits got = c.runner().logitsOfPrompts(c.runner().originalFolder(), List.of(prompt), c.vocab()).get(0);
        String shown = "prompt \"" + prompt.replace("\n", "\\n") + "\"";
        if (!Arrays.equals(want, got.ids())) {
            throw new HarnessFailure(shown + ": the runner's ids " + Arrays.toString(got.ids()) + " differ from editgate's tokenizer's "
                    + Arrays.toString(want), diagnoseIds(want, got.ids()));
        }
        Logits reference = c.reference().logits(HarnessContext.one(want));
        LogitError e = c.error(reference, got.logits());
        if (c.tolerance().accepts(e)) return;
        throw new HarnessFailure(shown + " (ids " + Arrays.toString(want) + "): " + c.tolerance().explain(e),
                BaselineProperty.diagnose(c, want, reference, got.logits(), e));
    }

    static String diagnoseIds(int[] want, int[] got) {
        if (got.length == want.length + 1 && Arrays.equals(Arrays.copyOfRange(got, 1, got.length), want)) {
            return "the runner's tokenizer adds a BOS token (id " + got[0] + ") that the model's tokenizer.json does not: every position "
                    + "then sees one more token (HF add_bos_token, TransformerLens prepend_bos=True). Tokenize as the model's tokenizer does.";
        }
        if (want.length == got.length + 1 && Arrays.equals(Arrays.copyOfRange(want, 1, want.length), got)) {
            return "the runner's tokenizer drops the BOS token (id " + want[0] + ") that the model's tokenizer.json adds.";
        }
        int p = 0;
        while (p < Math.min(want.length, got.length) && want[p] == got[p]) p++;
        return "the tokenizations differ from position " + p + ": the runner uses another tokenizer (or other settings) than the model folder's tokenizer.json.";
    }
}
