package dev.editgate.gate.contract;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.contract.Contract;
import dev.editgate.core.contract.ContractParser;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.model.TensorRole;
import dev.editgate.core.tokenize.TextTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contracts the reference edits are declared with on a fixture, as a lab would write them (keys of
 * docs/contracts.md). Family-dependent numbers, stated once here:
 * <ul>
 * <li>the knowledge edit's prompt "My favourite colour is" and its target, the original model's second most likely
 *     next token (a random model has no facts; a reachable target keeps the edit small);</li>
 * <li>the prompts containing "is", the knowledge edit's key token, count as related to it (see {@link #rankOne});</li>
 * <li>on the tied-embedding fixtures (tiny-gpt2, tiny-qwen2) random logits are an order of magnitude peakier (the
 *     input token itself is the top-1, 5-24 logits ahead, against 0.1-1 on the others): there the knowledge edit asks
 *     for a log-prob rise of 3 nats (effect: at least 2.5) instead of top-1, with a 0.5-nat preservation bound;
 *     elsewhere top-1 and 0.02 nats.</li>
 * </ul>
 */
final class ReferenceContracts {
    static final String PROMPT = "My favourite colour is";

    private ReferenceContracts() {}

    static boolean peaky(Checkpoint ck) {
        return ck.config().tiedEmbeddings();
    }

    /** The rank-one key-value edit's contract at the last layer. */
    static Map<String, String> rankOne(Path folder, Checkpoint ck) {
        int layer = ck.config().numHiddenLayers() - 1;
        int target = secondMostLikely(folder, ck, PROMPT);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("edit.name", "rank-one-key-value");
        m.put("edit.params", "{\"layer\": " + layer + (peaky(ck) ? ", \"logprob_rise\": 3" : "") + "}");
        m.put("tensors.allowed", ck.layout().name(TensorRole.MLP_DOWN_WEIGHT, layer));
        m.put("max-rank", "1");
        m.put("max-relative-norm", "1.5");
        m.put("preservation.metric", "kl");
        m.put("preservation.bound", peaky(ck) ? "0.5" : "0.02");
        if (peaky(ck)) {                                         // the target is 10-24 nats below the top-1: ask for a rise
            m.put("effect.mode", "logprob");
            m.put("effect.delta", "2.5");
        }
        m.put("preservation.tries", "150");
        // the key is the prompt's last token ("is") at the last layer: in a 2-layer model the edit answers to that token
        // in any context, as ROME answers to its subject; prompts containing it are related to the edit, not unrelated
        m.put("preservation.exclude", "favourite colour || is");
        m.put("effect", PROMPT + " => #" + target);
        m.put("generalisation", "Your favourite colour is => #" + target + " || my favourite colour is => #" + target);
        m.put("generalisation.mode", "logprob");
        m.put("generalisation.delta", "0.01");
        return m;
    }

    /** Head pruning of head 1 in the last layer: the output projection changes by at most head_dim columns. */
    static Map<String, String> headPruning(Checkpoint ck) {
        int layer = ck.config().numHiddenLayers() - 1;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("edit.name", "head-pruning");
        m.put("edit.params", "{\"layer\": " + layer + ", \"head\": 1}");
        m.put("tensors.allowed", ck.layout().name(TensorRole.O_WEIGHT, layer));
        m.put("max-rank", Integer.toString(ck.config().headDim()));
        m.put("max-relative-norm", "0.8");
        m.put("preservation.metric", "kl");
        m.put("preservation.bound", peaky(ck) ? "6" : "0.3");
        m.put("preservation.tries", "100");
        return m;
    }

    /** A merged rank-4 LoRA on the layer-0 query (or fused QKV / c_attn) projection, 2% of its norm. */
    static Map<String, String> mergedLora(Checkpoint ck) {
        TensorRole role = ck.layout().name(TensorRole.Q_WEIGHT, 0) != null ? TensorRole.Q_WEIGHT : TensorRole.QKV_WEIGHT;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("edit.name", "merged-lora");
        m.put("edit.params", "{\"layer\": 0, \"rank\": 4, \"role\": \"" + role + "\", \"relative_size\": 0.02}");
        m.put("tensors.allowed", ck.layout().name(role, 0));
        m.put("max-rank", "4");
        m.put("max-relative-norm", "0.025");
        m.put("preservation.metric", "kl");
        m.put("preservation.bound", peaky(ck) ? "0.5" : "0.01");
        m.put("preservation.tries", "100");
        return m;
    }

    static Contract parse(Map<String, String> m, long seed) {
        Map<String, String> withSeed = new LinkedHashMap<>(m);
        withSeed.put("preservation.seed", Long.toString(seed));
        return ContractParser.parse(withSeed, Path.of("."));
    }

    static int secondMostLikely(Path folder, Checkpoint ck, String prompt) {
        try (TextTokenizer tok = TextTokenizer.fromFolder(folder); TransformerForward f = TransformerForward.load(ck, ComputeDtype.FLOAT32, "cpu")) {
            int[] ids = tok.encode(prompt);
            double[] row = f.logits(new int[][] {ids}).row(0, ids.length - 1);
            Integer[] idx = new Integer[row.length];
            for (int i = 0; i < idx.length; i++) idx[i] = i;
            Arrays.sort(idx, (a, b) -> Double.compare(row[b], row[a]));
            return idx[1];
        }
    }
}
