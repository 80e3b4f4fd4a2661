package dev.editgate.core.contract;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What a lab declares its edit does, and nothing else (docs/contracts.md): which tensors may change, the rank and
 * relative size of each change, how little unrelated prompts may move, what the edit must do on its target prompts
 * and, optionally, on paraphrases. Built by {@link ContractParser} from a contract file, flags and system properties.
 *
 * @param maxRankFor per-glob rank bounds, overriding {@code maxRank} for the tensors they match (first match wins)
 */
public record Contract(String editName, ObjectNode editParams, boolean takesParams, int requests,
                       List<String> allowedTensors, OptionalInt maxRank, Map<String, Integer> maxRankFor,
                       OptionalDouble maxRelativeNorm, PreservationBound preservation, int preservationTries,
                       int preservationMaxLength, Optional<Path> preservationText, Optional<Path> preservationPrompts,
                       List<String> preservationExclude, Optional<Long> seed,
                       List<TargetPrompt> effect, EffectBound effectBound,
                       List<TargetPrompt> generalisation, EffectBound generalisationBound) {

    public Contract {
        editParams = editParams.deepCopy();
        allowedTensors = List.copyOf(allowedTensors);
        maxRankFor = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(maxRankFor));
        preservationExclude = List.copyOf(preservationExclude);
        effect = List.copyOf(effect);
        generalisation = List.copyOf(generalisation);
        if (allowedTensors.isEmpty()) throw new IllegalArgumentException("contract key 'tensors.allowed' is required: name the tensors the edit may change");
        if (preservationTries < 1) throw new IllegalArgumentException("contract key 'preservation.tries' must be >= 1, got " + preservationTries);
        if (preservationMaxLength < 1) throw new IllegalArgumentException("contract key 'preservation.max-length' must be >= 1, got " + preservationMaxLength);
        if (requests < 1) throw new IllegalArgumentException("contract key 'edit.requests' must be >= 1, got " + requests);
    }

    @Override
    public ObjectNode editParams() { return editParams.deepCopy(); }

    /** True when {@code tensor} matches one of {@link #allowedTensors()}. */
    public boolean allows(String tensor) {
        return allowedTensors.stream().anyMatch(g -> Globs.matches(g, tensor));
    }

    /** The rank bound for {@code tensor}: the first matching {@code max-rank.GLOB}, else {@code max-rank}. */
    public OptionalInt rankBound(String tensor) {
        for (Map.Entry<String, Integer> e : maxRankFor.entrySet()) {
            if (Globs.matches(e.getKey(), tensor)) return OptionalInt.of(e.getValue());
        }
        return maxRank;
    }
}
