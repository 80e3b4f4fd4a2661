package dev.editgate.gate.config;

import dev.editgate.core.files.InputFile;
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

    /** The lab's runner command ({@code --runner}), when the harness stage should run. */
    public java.util.Optional<String> runner() {
        return java.util.Optional.ofNullable(explicit.get(GateKey.RUNNER)).filter(s -> !s.isBlank());
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
        checkSystemPropertyNames(systemProperties);
        Map<GateKey, String> fromSystem = new EnumMap<>(GateKey.class);
        for (GateKey k : GateKey.values()) {
            String v = systemProperties.getProperty(k.systemProperty());
            if (v != null && !v.isBlank()) fromSystem.put(k, v.strip());
        }
        String configFile = cli.getOrDefault(GateKey.CONFIG, fromSystem.get(GateKey.CONFIG));
        Map<GateKey, String> merged = new EnumMap<>(GateKey.class);
        Map<GateKey, String> fromFile = configFile != null && !configFile.isBlank() ? readConfigFile(Path.of(configFile)) : Map.of();
        merged.putAll(fromFile);
        merged.putAll(fromSystem);
        merged.putAll(cli);
        try {
            return fromValues(merged);
        } catch (IllegalArgumentException e) {
            // a bad value that came from the config file: say which file, and the key as written there
            for (GateKey k : fromFile.keySet()) {
                if (!fromSystem.containsKey(k) && !cli.containsKey(k) && e.getMessage().startsWith(k.flag() + " ")) {
                    throw new IllegalArgumentException("--config " + configFile + ": " + k.key() + "="
                            + e.getMessage().substring(k.flag().length() + 1), e);
                }
            }
            throw e;
        }
    }

    /**
     * {@code editgate.*} system properties that are not gate settings but are known: the fixture cache folder,
     * the shared-folder location the build passes to tests, a test's run count, and the Maven properties of
     * editgate's own and the example project's builds (Surefire and Failsafe hand {@code -D} properties of the
     * {@code mvn} command line to the test JVM).
     */
    public static final java.util.Set<String> OTHER_KNOWN_PROPERTIES = java.util.Set.of(
            "editgate.fixtures.dir", "editgate.shared", "editgate.falseAlarmRuns", "editgate.familyRuns", "editgate.shapeRuns", "editgate.kindRuns",
            "editgate.kindShaped", "editgate.sandbox", "editgate.test.argLine", "editgate.version", "editgate.harnessSeeds", "editgate.harnessShaped");

    /** A misspelled {@code -Deditgate.*} property is an error naming the known keys, as an unknown config-file key is. */
    static void checkSystemPropertyNames(Properties systemProperties) {
        for (String name : systemProperties.stringPropertyNames()) {
            if (!name.startsWith("editgate.") || OTHER_KNOWN_PROPERTIES.contains(name)) continue;
            if (dev.editgate.core.contract.ContractKey.isSystemProperty(name)) continue;   // -Deditgate.contract.KEY (docs/contracts.md)
            if (name.startsWith(dev.editgate.core.contract.ContractKey.SYSTEM_PREFIX)) {
                throw new IllegalArgumentException("-D" + name + ": unknown contract key; expected -D" + dev.editgate.core.contract.ContractKey.SYSTEM_PREFIX
                        + "KEY with KEY one of " + dev.editgate.core.contract.ContractKey.names());
            }
            String key = name.substring("editgate.".length());
            if (java.util.Arrays.stream(GateKey.values()).anyMatch(k -> k.key().equals(key))) continue;
            throw new IllegalArgumentException("-D" + name + ": unknown editgate setting; expected one of "
                    + java.util.Arrays.stream(GateKey.values()).map(GateKey::systemProperty).toList()
                    + " (or " + new java.util.TreeSet<>(OTHER_KNOWN_PROPERTIES) + ")");
        }
    }

    static Map<GateKey, String> readConfigFile(Path file) {
        Properties p = new Properties();
        if (!InputFile.exists(file)) throw new IllegalArgumentException("--config " + file + ": no such file");
        try {
            InputFile.check(file, "a properties file of gate settings", InputFile.MAX_SMALL_FILE);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new IllegalArgumentException("--config " + e.getMessage(), e);
        }
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--config " + file + ": cannot read it as a properties file (" + e.getMessage() + ")", e);
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
        if (dtype.equals("bf16") || dtype.equals("bfloat16")) dev.editgate.core.forward.ComputeDtype.parse(dtype); // says why not
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
            if (!InputFile.exists(promptFile)) {
                throw new IllegalArgumentException("--prompts " + prompts + ": no such file (expected a text file, one prompt per line)");
            }
            checkInput(GateKey.PROMPTS, promptFile, "a text file, one prompt per line", InputFile.MAX_SMALL_FILE);
        }
        String tokenizerText = get.apply(GateKey.TOKENIZER);
        Path tokenizer = tokenizerText.isBlank() ? null : Path.of(tokenizerText);
        if (tokenizer != null && !InputFile.exists(tokenizer)) {
            throw new IllegalArgumentException("--tokenizer " + tokenizerText + ": no such file (expected a Hugging Face tokenizer.json)");
        }
        if (tokenizer != null) checkInput(GateKey.TOKENIZER, tokenizer, "a Hugging Face tokenizer.json", InputFile.MAX_TOKENIZER);
        String report = get.apply(GateKey.REPORT);
        if (report.isBlank()) {
            throw new IllegalArgumentException("--report is empty; expected a folder path (editgate does not default to the current folder)");
        }
        parseInt(GateKey.SHAPES, get.apply(GateKey.SHAPES), 1, MAX_SHAPES);
        dev.editgate.gate.kind.EditKinds.named(get.apply(GateKey.EDIT_KIND)); // an unknown kind names the flag and every kind
        String seedText = get.apply(GateKey.SEED);
        long seed = seedText.isBlank() ? ThreadLocalRandom.current().nextLong() : parseLong(GateKey.SEED, seedText);
        return new GateConfig(
                get.apply(GateKey.MODEL),
                get.apply(GateKey.REVISION),
                layer,
                EditChoice.parse(get.apply(GateKey.EDIT)),
                editMode,
                positiveDuration(GateKey.EDIT_TIMEOUT, get.apply(GateKey.EDIT_TIMEOUT)),
                dtype.replace("float", "fp"),
                device,
                tolerance,
                tokenizer,
                promptFile,
                parseInt(GateKey.TRIES, get.apply(GateKey.TRIES), 1, 1_000_000),
                seed,
                positiveDuration(GateKey.TIME_BUDGET, get.apply(GateKey.TIME_BUDGET)),
                Path.of(report),
                explicit);
    }

    /** The most models {@code --shapes} may ask for. */
    public static final int MAX_SHAPES = 100_000;

    /** How many model shapes {@code --model shapes:FAMILY} generates ({@code --shapes}, default 50). */
    public int shapes() {
        return parseInt(GateKey.SHAPES, explicit.getOrDefault(GateKey.SHAPES, GateKey.SHAPES.defaultValue()), 1, MAX_SHAPES);
    }

    /** The {@code --edit-kind} setting: a built-in kind's name ({@code head-permutation} by default). */
    public String editKind() {
        return dev.editgate.gate.kind.EditKinds.named(explicit.getOrDefault(GateKey.EDIT_KIND, GateKey.EDIT_KIND.defaultValue())).name();
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

    /**
     * The Maven command that reruns a JUnit contract class exactly (same seed): Failsafe's {@code -Dit.test} for
     * an {@code *IT} class, Surefire's {@code -Dtest} otherwise, plus every setting that came from an
     * {@code -Deditgate.*} system property (settings fixed in the test's code rerun by themselves).
     */
    public String mavenReproduceCommand(String testClass, Properties systemProperties) {
        boolean it = testClass.endsWith("IT");
        StringBuilder sb = new StringBuilder(it ? "mvn verify -Dit.test=" : "mvn test -Dtest=").append(testClass);
        for (GateKey k : GateKey.values()) {
            if (k == GateKey.SEED || k == GateKey.REPORT) continue;
            String v = systemProperties.getProperty(k.systemProperty());
            if (v != null && !v.isBlank()) sb.append(' ').append(shellQuote("-D" + k.systemProperty() + "=" + v.strip()));
        }
        return sb.append(" -D").append(GateKey.SEED.systemProperty()).append('=').append(seed).toString();
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

    private static Duration positiveDuration(GateKey k, String text) {
        Duration d = parseDuration(k, text);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(k.flag() + " '" + text + "': expected a positive duration such as 90s, 5m or 2h");
        }
        return d;
    }

    /** The input guard's error, naming the flag. */
    private static void checkInput(GateKey k, Path file, String what, long maxBytes) {
        try {
            InputFile.check(file, what, maxBytes);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new IllegalArgumentException(k.flag() + " " + e.getMessage(), e);
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
