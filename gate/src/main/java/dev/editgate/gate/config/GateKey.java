package dev.editgate.gate.config;

/**
 * The gate's one configuration vocabulary. Every key is accepted, with the same meaning, as a CLI flag
 * ({@code --tries 50}), a system property ({@code mvn verify -Deditgate.tries=50}) and a line of a
 * config file ({@code tries=50}); precedence is CLI flag, then system property, then config file, then
 * the default.
 */
public enum GateKey {
    MODEL("model", "fixture:tiny",
            "Checkpoint folder, a Hugging Face model id in the local cache (EleutherAI/pythia-160m), or fixture:NAME ("
                    + "tiny, tiny-fp16, tiny-bf16, tiny-sequential, pythia-160m-shaped), or shapes:FAMILY (gpt_neox, llama, mistral, qwen2, gpt2):"
                    + " the edit over --shapes generated models of that family, a failure shrunk to the smallest config."),
    REVISION("revision", "main", "Branch, tag (step143000) or commit of a cached model id."),
    LAYER("layer", "", "Layer whose heads are permuted, or that a per-layer --edit-kind edits (default: the middle layer, numLayers/2)."),
    EDIT("edit", "builtin",
            "The edit under test: builtin | class:com.example.MyEdit (a HeadPermutationEdit; a KindEdit for other --edit-kind) | command:'python3 my_edit.py' | mutant:NAME."),
    EDIT_KIND("edit-kind", "head-permutation", "The kind of edit: head-permutation | kv-group-permutation | mlp-permutation | residual-permutation"
            + " | qk-scaling | vo-scaling | up-down-scaling (--layer applies to every kind but residual-permutation, which edits the whole model)."),
    EDIT_MODE("edit-mode", "worker", "For command: edits, worker (one long-lived process) or one-shot (a process per trial)."),
    EDIT_TIMEOUT("edit-timeout", "120s", "For command: edits, the time one trial may take before its process tree is killed."),
    DTYPE("dtype", "fp32", "Compute dtype of the functional and behavioural stages: fp32, fp16 or fp64 (fp64 is the reference;"
            + " no bf16: DJL has no bfloat16, bf16 weights are widened exactly to fp32)."),
    DEVICE("device", dev.editgate.core.device.Devices.DEFAULT, "cpu, gpu, or auto (the GPU when DJL sees one)."),
    TOLERANCE("tolerance", "derived", "derived (from the dtype's own error against float64) or fixed (torch.testing defaults)."),
    TOKENIZER("tokenizer", "", "A tokenizer.json to use instead of the model folder's (e.g. ../shared/tokenizers/gpt-neox-20b-tokenizer.json)."),
    PROMPTS("prompts", "", "A text file with one prompt per line (default: the built-in prompt set)."),
    TRIES("tries", "100", "Random permutations tried per property (edge cases included; exhaustive when heads! <= tries)."),
    SHAPES("shapes", "50", "With --model shapes:FAMILY, how many random model shapes to generate (structural and numeric stages on each,"
            + " the functional stage on the smallest few)."),
    SEED("seed", "", "Seed of the generator (default: random, printed in the report)."),
    TIME_BUDGET("time-budget", "30m", "Wall-clock budget; stages not started when it is spent are skipped."),
    REPORT("report", "target/editgate", "Folder for report.json, report.md and report.html."),
    CONFIG("config", "", "A properties file with any of these keys."),
    RUNNER("runner", "", "A lab's runner, command:'python3 my_runner.py' (docs/runner-protocol.md): adds the harness stage, which checks"
            + " the lab's own forward, generation and head patching on the model (see editgate harness).");

    private final String key;
    private final String defaultValue;
    private final String description;

    GateKey(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The bare key as written in a config file, e.g. {@code tries}. */
    public String key() { return key; }

    /** The CLI flag, e.g. {@code --tries}. */
    public String flag() { return "--" + key; }

    /** The system property, e.g. {@code editgate.tries}. */
    public String systemProperty() { return "editgate." + key; }

    public String defaultValue() { return defaultValue; }

    public String description() { return description; }

    public static GateKey fromKey(String key) {
        for (GateKey k : values()) if (k.key.equals(key)) return k;
        throw new IllegalArgumentException("unknown gate setting '" + key + "'; expected one of " + java.util.Arrays.stream(values()).map(GateKey::key).toList());
    }
}
