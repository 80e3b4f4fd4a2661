package dev.editgate.core.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.editgate.core.files.InputFile;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * Reads a {@link Contract} from a contract file (Java properties syntax: {@code key = value}, {@code #} comments),
 * system properties {@code -Deditgate.contract.KEY} and flags, in that order of increasing precedence. Unknown keys
 * and bad values are errors naming the key, where it came from, and what was expected. Files named in the contract
 * resolve against the contract file's folder.
 */
public final class ContractParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_CONTRACT_BYTES = 1 << 20;

    private ContractParser() {}

    /** The contract from {@code file} (may be null: flags and system properties only), system properties and {@code flags}. */
    public static Contract read(Path file, Properties system, Map<String, String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        Path base = Path.of("").toAbsolutePath();
        if (file != null) {
            base = file.toAbsolutePath().getParent();
            Properties p = new Properties();
            InputFile.check(file, "a contract file", MAX_CONTRACT_BYTES);
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("--contract " + file + ": cannot read: " + e.getMessage(), e);
            }
            for (String k : p.stringPropertyNames()) put(values, origin, k, p.getProperty(k), "contract file " + file);
        }
        for (String name : system.stringPropertyNames()) {
            if (name.startsWith(ContractKey.SYSTEM_PREFIX)) {
                put(values, origin, name.substring(ContractKey.SYSTEM_PREFIX.length()), system.getProperty(name), "-D" + name);
            }
        }
        flags.forEach((k, v) -> put(values, origin, k, v, "--set " + k));
        return parse(values, origin, base);
    }

    /** The contract from {@code values} alone (keys as in the file); relative paths resolve against {@code base}. */
    public static Contract parse(Map<String, String> values, Path base) {
        Map<String, String> origin = new LinkedHashMap<>();
        values.keySet().forEach(k -> origin.put(k, "contract key '" + k + "'"));
        Map<String, String> checked = new LinkedHashMap<>();
        values.forEach((k, v) -> put(checked, origin, k, v, origin.get(k)));
        return parse(checked, origin, base);
    }

    private static void put(Map<String, String> values, Map<String, String> origin, String key, String value, String from) {
        String k = key.strip();
        if (ContractKey.of(k).isEmpty()) {
            throw new IllegalArgumentException(from + ": unknown contract key '" + k + "'; expected one of " + ContractKey.names());
        }
        values.put(k, value.strip());
        origin.put(k, from);
    }

    private static Contract parse(Map<String, String> v, Map<String, String> origin, Path base) {
        Values r = new Values(v, origin, base);
        Map<String, Integer> perGlob = new LinkedHashMap<>();
        v.forEach((k, val) -> {
            if (ContractKey.of(k).orElseThrow() == ContractKey.MAX_RANK_FOR) {
                perGlob.put(k.substring(ContractKey.MAX_RANK_FOR.key().length()), r.positiveInt(k).getAsInt());
            }
        });
        EffectBound.Mode effectMode = EffectBound.parseMode("effect.mode", v.getOrDefault("effect.mode", "top1"));
        EffectBound.Mode genMode = EffectBound.parseMode("generalisation.mode", v.getOrDefault("generalisation.mode", "logprob"));
        return new Contract(
                v.getOrDefault("edit.name", ""),
                r.params(),
                Boolean.parseBoolean(r.bool("edit.takes-params")),
                r.positiveInt("edit.requests").orElse(4),
                r.list("tensors.allowed", ","),
                r.positiveInt("max-rank"),
                perGlob,
                r.number("max-relative-norm"),
                new PreservationBound(PreservationBound.parseMetric("preservation.metric", v.getOrDefault("preservation.metric", "kl")),
                        r.number("preservation.bound").orElse(0.01)),
                r.positiveInt("preservation.tries").orElse(200),
                r.positiveInt("preservation.max-length").orElse(16),
                r.path("preservation.text"),
                r.path("preservation.prompts"),
                r.list("preservation.exclude", "||"),
                r.seed(),
                r.list("effect", "||").stream().map(e -> TargetPrompt.parse("effect", e)).toList(),
                new EffectBound(effectMode, r.number("effect.delta").orElse(effectMode == EffectBound.Mode.LOGPROB ? 1.0 : 0)),
                r.list("generalisation", "||").stream().map(e -> TargetPrompt.parse("generalisation", e)).toList(),
                new EffectBound(genMode, r.number("generalisation.delta").orElse(genMode == EffectBound.Mode.LOGPROB ? 1.0 : 0)));
    }

    /** Typed access to the raw values, every error naming where the value came from. */
    private record Values(Map<String, String> v, Map<String, String> origin, Path base) {
        String bool(String key) {
            String s = v.getOrDefault(key, "false").toLowerCase(Locale.ROOT);
            if (!s.equals("true") && !s.equals("false")) throw bad(key, "true or false");
            return s;
        }

        OptionalInt positiveInt(String key) {
            String s = v.get(key);
            if (s == null) return OptionalInt.empty();
            try {
                int n = Integer.parseInt(s);
                if (n >= 1) return OptionalInt.of(n);
            } catch (NumberFormatException e) {
                // below
            }
            throw bad(key, "a positive integer");
        }

        OptionalDouble number(String key) {
            String s = v.get(key);
            if (s == null) return OptionalDouble.empty();
            try {
                double d = Double.parseDouble(s);
                if (d >= 0 && Double.isFinite(d)) return OptionalDouble.of(d);
            } catch (NumberFormatException e) {
                // below
            }
            throw bad(key, "a finite number >= 0");
        }

        Optional<Long> seed() {
            String s = v.get("preservation.seed");
            if (s == null) return Optional.empty();
            try {
                return Optional.of(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw bad("preservation.seed", "an integer");
            }
        }

        List<String> list(String key, String separator) {
            String s = v.get(key);
            List<String> out = new ArrayList<>();
            if (s == null) return out;
            for (String part : s.split(java.util.regex.Pattern.quote(separator))) {
                if (!part.isBlank()) out.add(part.strip());
            }
            return out;
        }

        Optional<Path> path(String key) {
            String s = v.get(key);
            if (s == null || s.isBlank()) return Optional.empty();
            Path p = base.resolve(s);
            if (!InputFile.exists(p)) throw new IllegalArgumentException(origin.get(key) + ": " + key + " = " + s + ": no such file (" + p + ")");
            return Optional.of(p);
        }

        ObjectNode params() {
            String s = v.get("edit.params");
            if (s == null || s.isBlank()) return JSON.createObjectNode();
            try {
                JsonNode n = JSON.readTree(s);
                if (n instanceof ObjectNode o) return o;
            } catch (JsonProcessingException e) {
                // below
            }
            throw bad("edit.params", "a JSON object such as {\"layer\": 1}");
        }

        IllegalArgumentException bad(String key, String expected) {
            return new IllegalArgumentException(origin.get(key) + ": " + key + " = '" + v.get(key) + "' is not " + expected);
        }
    }
}
