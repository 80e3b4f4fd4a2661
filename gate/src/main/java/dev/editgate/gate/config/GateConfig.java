package dev.editgate.gate.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One gate run's settings, resolved from the {@link GateKey} vocabulary.
 *
 * @param layer the layer to edit, or -1 for "the middle layer of the model"
 * @param seed the generator seed (a random one is drawn when none was given, so every run is reproducible)
 * @param tokenizer a tokenizer.json overriding the model folder's, or null
 * @param prompts a prompt file, or null for the built-in prompt set
 */
public record GateConfig(
        String model,
        String revision,
        int layer,
        EditChoice edit,
        String editMode,
        Duration editTimeout,
        String dtype,
        String device,
        String tolerance,
        Path tokenizer,
        Path prompts,
        int tries,
        long seed,
        Duration timeBudget,
        Path reportDir,
        Map<GateKey, String> explicit) {

    public GateConfig {
        explicit = Map.copyOf(explicit);
    }

    /** The defaults, with a random seed. */
    public static GateConfig defaults() {
        return resolve(Map.of(), new Properties());
    }

    /**
     * Resolves settings: {@code cli} (flags given on the command line) over {@code systemProperties}
     * ({@code editgate.*}) over the config file named by either (key {@code config}) over defaults.
     */
    public static GateConfig resolve(Map<GateKey, String> cli, Properties systemProperties) {
        Map<GateKey, String> fromSystem = new EnumMap<>(GateKey.class);
        for (GateKey k : GateKey.values()) {
            String v = systemProperties.getProperty(k.systemProperty());
            if (v != null && !v.isBlank()) fromSystem.put(k, v.strip());
        }
        String configFile = cli.getOrDefault(GateKey.CONFIG, fromSystem.get(GateKey.CONFIG));
        Map<GateKey, String> merged = new EnumMap<>(GateKey.class);
        if (configFile != null && !configFile.isBlank()) merged.putAll(readConfigFile(Path.of(configFile)));
        merged.putAll(fromSystem);
        merged.putAll(cli);
        return fromValues(merged);
    }

    static Map<GateKey, String> readConfigFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("--config " + file + ": no such file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + file, e);
        }
        Map<GateKey, String> out = new EnumMap<>(GateKey.class);
        for (String name : p.stringPropertyNames()) {
            String key = name.startsWith("editgate.") ? name.substring("editgate.".length()) : name;
            GateKey k;
            try {
                k = GateKey.fromKey(key);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("config file " + file + ": " + e.getMessage(), e);
            }
            out.put(k, p.getProperty(name).strip());
        }
        return out;
    }

    private static GateConfig fromValues(Map<GateKey, String> values) {
        Map<GateKey, String> explicit = new EnumMap<>(values);
        java.util.function.Function<GateKey, String> get = k -> values.getOrDefault(k, k.defaultValue());
        String layerText = get.apply(GateKey.LAYER);
        int layer = layerText.isBlank() ? -1 : parseInt(GateKey.LAYER, layerText, 0, Integer.MAX_VALUE);
        String editMode = get.apply(GateKey.EDIT_MODE).toLowerCase(Locale.ROOT);
        if (!editMode.equals("worker") && !editMode.equals("one-shot")) {
            throw new IllegalArgumentException("--edit-mode '" + editMode + "': expected worker or one-shot");
        }
        String dtype = get.apply(GateKey.DTYPE).toLowerCase(Locale.ROOT);
        if (!Map.of("fp32", 1, "float32", 1, "fp16", 1, "float16", 1, "fp64", 1, "float64", 1).containsKey(dtype)) {
            throw new IllegalArgumentException("--dtype '" + dtype + "': expected fp32, fp16 or fp64");
        }
        String device = get.apply(GateKey.DEVICE).toLowerCase(Locale.ROOT);
        if (!device.equals("cpu") && !device.equals("gpu") && !device.equals("auto")) {
            throw new IllegalArgumentException("--device '" + device + "': expected cpu, gpu or auto");
        }
        String tolerance = get.apply(GateKey.TOLERANCE).toLowerCase(Locale.ROOT);
        if (!tolerance.equals("derived") && !tolerance.equals("fixed")) {
            throw new IllegalArgumentException("--tolerance '" + tolerance + "': expected derived or fixed");
        }
        String prompts = get.apply(GateKey.PROMPTS);
        Path promptFile = null;
        if (!prompts.isBlank()) {
            promptFile = Path.of(prompts);
            if (!Files.isRegularFile(promptFile)) {
                throw new IllegalArgumentException("--prompts " + prompts + ": no such file (expected a text file, one prompt per line)");
            }
        }
        String tokenizerText = get.apply(GateKey.TOKENIZER);
        Path tokenizer = tokenizerText.isBlank() ? null : Path.of(tokenizerText);
        if (tokenizer != null && !Files.isRegularFile(tokenizer)) {
            throw new IllegalArgumentException("--tokenizer " + tokenizerText + ": no such file (expected a Hugging Face tokenizer.json)");
        }
        String seedText = get.apply(GateKey.SEED);
        long seed = seedText.isBlank() ? ThreadLocalRandom.current().nextLong() : parseLong(GateKey.SEED, seedText);
        return new GateConfig(
                get.apply(GateKey.MODEL),
                get.apply(GateKey.REVISION),
                layer,
                EditChoice.parse(get.apply(GateKey.EDIT)),
                editMode,
                parseDuration(GateKey.EDIT_TIMEOUT, get.apply(GateKey.EDIT_TIMEOUT)),
                dtype.replace("float", "fp"),
                device,
                tolerance,
                tokenizer,
                promptFile,
                parseInt(GateKey.TRIES, get.apply(GateKey.TRIES), 1, 1_000_000),
                seed,
                parseDuration(GateKey.TIME_BUDGET, get.apply(GateKey.TIME_BUDGET)),
                Path.of(get.apply(GateKey.REPORT)),
                explicit);
    }

    /** The command line that reruns exactly this configuration (same seed). */
    public String reproduceCommand() {
        Map<GateKey, String> args = new LinkedHashMap<>();
        for (GateKey k : GateKey.values()) {
            if (k == GateKey.CONFIG || k == GateKey.SEED) continue;
            String v = explicit.get(k);
            if (v != null) args.put(k, v);
        }
        args.put(GateKey.SEED, Long.toString(seed));
        StringBuilder sb = new StringBuilder("./editgate gate");
        args.forEach((k, v) -> sb.append(' ').append(k.flag()).append(' ').append(shellQuote(v)));
        return sb.toString();
    }

    static String shellQuote(String s) {
        if (s.matches("[A-Za-z0-9_./:=@+,-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static int parseInt(GateKey k, String text, int min, int max) {
        try {
            int v = Integer.parseInt(text.strip());
            if (v < min || v > max) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k.flag() + " '" + text + "': expected an integer in [" + min + ", " + max + "]");
        }
    }

    private static long parseLong(GateKey k, String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k.flag() + " '" + text + "': expected an integer");
        }
    }

    /** Parses {@code 90s}, {@code 5m}, {@code 2h}, {@code 1500ms} or an ISO-8601 duration ({@code PT5M}). */
    static Duration parseDuration(GateKey k, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) return Duration.parse(t.toUpperCase(Locale.ROOT));
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(k.flag() + " '" + text + "': expected a duration such as 90s, 5m, 2h or PT5M");
        }
    }
}
