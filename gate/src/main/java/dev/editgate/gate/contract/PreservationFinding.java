package dev.editgate.gate.contract;

import dev.editgate.core.contract.NextTokenDivergence;
import java.util.List;

/**
 * A preservation violation: the shrunk prompt with the divergence at each of its positions (and each position's
 * token text), the prompt first found, how many prompts were tried until then, and how it was found.
 */
public record PreservationFinding(Prompt shrunk, Prompt found, int promptsTried, int shrinkSteps, String foundBy,
                                  List<NextTokenDivergence> positions, List<String> tokenTexts) {
    public PreservationFinding {
        positions = List.copyOf(positions);
        tokenTexts = List.copyOf(tokenTexts);
    }
}
