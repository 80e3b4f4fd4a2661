package dev.editgate.reports.model;

import java.util.ArrayList;
import java.util.List;

/**
 * What a gate run over generated model shapes ({@code --model shapes:FAMILY}) found: every generated model with its
 * verdict and timings, and when one failed, the smallest failing config the shrinker reached, the one-option flips
 * of it that were tried, the nearest one that passes, and the diagnosis the difference suggests.
 *
 * @param family           the model_type generated (gpt_neox, llama, mistral, qwen2, gpt2)
 * @param planned          models to generate ({@code --shapes N})
 * @param models           the sweep: one row per generated model, in the order they ran (shrinking's models excluded)
 * @param modelsShrinking  models generated while shrinking a failure (0 when nothing failed)
 * @param originalFailing  the first failing config the sweep found, or null
 * @param minimalFailing   the smallest failing config shrinking reached, or null
 * @param minimalFailure   what failed on it: the property, its minimal permutation and message (or null)
 * @param minimalConfigJson the minimal failing model's config.json (its weights are random; the rerun command regenerates them), or null
 * @param flips            every one-option flip of the minimal failing config and its verdict
 * @param nearestPassing   the flip reported as the nearest passing config, or null (none passed, or nothing failed)
 * @param difference       what differs between the minimal failing and the nearest passing config, e.g. {@code group size: 1 → 4}
 * @param diagnosis        one line, e.g. {@code fails whenever heads/kv_heads is not 4}, or empty
 * @param functional       the functional stage on the smallest passing models (empty when the sweep failed)
 * @param meanWriteMillis       mean time to write one generated checkpoint
 * @param meanStructuralMillis  mean structural-stage time per generated model
 * @param meanNumericMillis     mean numeric-stage time per generated model
 */
public record ShapesReport(String family, int planned, List<ShapeRow> models, int modelsShrinking, String originalFailing,
                           String minimalFailing, String minimalFailure, String minimalConfigJson, List<ShapeFlip> flips, String nearestPassing, String difference,
                           String diagnosis, List<ShapeRow> functional, double meanWriteMillis, double meanStructuralMillis,
                           double meanNumericMillis) {

    public ShapesReport {
        models = models == null ? List.of() : List.copyOf(models);
        flips = flips == null ? List.of() : List.copyOf(flips);
        functional = functional == null ? List.of() : List.copyOf(functional);
    }

    /**
     * One generated model.
     *
     * @param failure the first failed property and its minimal permutation, or the stage's error; empty when it passed
     */
    public record ShapeRow(String config, String verdict, long writeMillis, long structuralMillis, long numericMillis, String failure) {}

    /** One one-option flip of the minimal failing config: the option, its value there and here, and the verdict. */
    public record ShapeFlip(String option, String from, String to, String config, String verdict) {}

    /** Summary lines, for the top of the section. */
    public List<String> summaryLines() {
        List<String> out = new ArrayList<>();
        List<ShapeRow> skipped = models.stream().filter(m -> m.verdict().equals("NOT_APPLICABLE")).toList();
        out.add((models.size() - skipped.size()) + " of " + planned + " generated " + family + " models ran"
                + (minimalFailing != null ? " (the sweep stops at the first failure)" : "")
                + (skipped.isEmpty() ? "" : ", " + skipped.size() + " had nothing for the edit kind to judge (e.g. " + skipped.get(0).failure() + ")")
                + "; structural and numeric stages, mean per model: write " + fmt(meanWriteMillis) + " ms, structural " + fmt(meanStructuralMillis)
                + " ms, numeric " + fmt(meanNumericMillis) + " ms");
        if (!functional.isEmpty()) {
            out.add("functional stage on the " + functional.size() + " smallest: "
                    + String.join(", ", functional.stream().map(ShapeRow::verdict).toList()));
        }
        if (minimalFailing != null) {
            out.add("minimal failing config: " + minimalFailing);
            if (minimalFailure != null && !minimalFailure.isBlank()) out.add("  failure: " + minimalFailure);
            if (originalFailing != null && !originalFailing.equals(minimalFailing)) {
                out.add("  (shrunk from " + originalFailing + ", " + modelsShrinking + " models while shrinking)");
            }
            out.add(nearestPassing != null ? "nearest passing config: " + nearestPassing + "  (differs: " + difference + ")"
                    : "no one-option flip of it passes (" + flips.size() + " tried)");
            if (diagnosis != null && !diagnosis.isBlank()) out.add("diagnosis: " + diagnosis);
        }
        return out;
    }

    /** The report's tables: flips, the functional stage on the smallest models, and every generated model. */
    public List<Table> tables() {
        List<Table> out = new ArrayList<>();
        if (!flips.isEmpty()) {
            out.add(new Table("One-option flips of the minimal failing config", List.of("option", "minimal", "flipped", "config", "verdict"),
                    flips.stream().map(f -> List.of(f.option(), f.from(), f.to(), f.config(), f.verdict())).toList()));
        }
        if (!functional.isEmpty()) {
            out.add(new Table("Functional stage on the smallest generated models", List.of("config", "verdict", "failure"),
                    functional.stream().map(r -> List.of(r.config(), r.verdict(), r.failure())).toList()));
        }
        out.add(new Table("Generated models (" + family + ")", List.of("#", "config", "verdict", "write ms", "structural ms", "numeric ms", "failure"),
                java.util.stream.IntStream.range(0, models.size()).mapToObj(i -> {
                    ShapeRow r = models.get(i);
                    return List.of(Integer.toString(i + 1), r.config(), r.verdict(), Long.toString(r.writeMillis()),
                            Long.toString(r.structuralMillis()), Long.toString(r.numericMillis()), r.failure());
                }).toList()));
        return out;
    }

    private static String fmt(double ms) {
        return String.format(java.util.Locale.ROOT, "%.1f", ms);
    }
}
