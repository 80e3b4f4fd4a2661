package dev.editgate.core.checkpoint;

import dev.editgate.core.model.ModelConfig;
import java.nio.file.Path;
import java.util.Collection;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks config.json's layer count against the tensor table before anything is sized from it: a config that
 * claims more layers than the weights hold (e.g. {@code num_hidden_layers: 2000000000}) fails at once, naming
 * both numbers, instead of building expectations for layers that do not exist.
 */
final class LayerCount {
    /** {@code ...layers.7.} (GPT-NeoX, Llama) or {@code h.7.} (GPT-2). */
    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)(?:layers|h)\\.(\\d{1,9})\\.");

    private LayerCount() {}

    /** The distinct layer indices the tensor names mention. */
    static TreeSet<Integer> layersIn(Collection<String> names) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String n : names) {
            Matcher m = LAYER.matcher(n);
            if (m.find()) out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    static void requireConfigMatches(Path folder, ModelConfig config, Collection<String> tensorNames) {
        TreeSet<Integer> layers = layersIn(tensorNames);
        if (config.numHiddenLayers() > layers.size()) {
            String held = layers.isEmpty() ? "no layer tensors" : layers.size() + (layers.size() == 1 ? " layer" : " layers")
                    + " (" + layers.first() + ".." + layers.last() + ")";
            throw new IllegalArgumentException(folder.resolve("config.json") + ": num_hidden_layers " + config.numHiddenLayers()
                    + " does not match the weights, which hold " + held + "; is config.json from another model?");
        }
    }
}
