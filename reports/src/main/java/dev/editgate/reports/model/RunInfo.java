package dev.editgate.reports.model;

import java.util.List;

/**
 * What was gated: the model (as the user named it and as resolved), the layer and edit, and the run's knobs.
 *
 * @param contentHash SHA-256 over the checkpoint's tensor names, dtypes, shapes and bytes (hex, first 16 chars)
 * @param edit human description of the edit under test, e.g. "built-in GPT-NeoX head permutation"
 * @param editCalls how often the edit ran and how many requests reused a result (null in reports written before it)
 */
public record RunInfo(
        String model,
        String revision,
        String modelFolder,
        String contentHash,
        String computeDtype,
        String weightDtype,
        String device,
        int layer,
        int heads,
        String edit,
        long seed,
        int tries,
        List<String> prompts,
        EditCalls editCalls,
        String editKind,
        boolean wholeModel) {

    public RunInfo {
        prompts = List.copyOf(prompts);
        if (editKind == null) editKind = "head-permutation";
    }

    /** A head-permutation run (the edit kind every report had before there were others). */
    public RunInfo(String model, String revision, String modelFolder, String contentHash, String computeDtype, String weightDtype,
                   String device, int layer, int heads, String edit, long seed, int tries, List<String> prompts, EditCalls editCalls) {
        this(model, revision, modelFolder, contentHash, computeDtype, weightDtype, device, layer, heads, edit, seed, tries, prompts, editCalls,
                "head-permutation", false);
    }

    /** What the edit acted on, for headers: {@code layer 6 (12 heads)}, or {@code the whole model} for a whole-model kind. */
    public String scope() {
        return wholeModel ? "the whole model" : "layer " + layer + " (" + heads + " heads)";
    }

    /** Without edit-call counts. */
    public RunInfo(String model, String revision, String modelFolder, String contentHash, String computeDtype, String weightDtype,
                   String device, int layer, int heads, String edit, long seed, int tries, List<String> prompts) {
        this(model, revision, modelFolder, contentHash, computeDtype, weightDtype, device, layer, heads, edit, seed, tries, prompts, null);
    }
}
