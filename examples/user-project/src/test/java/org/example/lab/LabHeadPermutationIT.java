package org.example.lab;

import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.junit.HeadPermutationContract;
import java.util.Map;

/**
 * The lab's gate: `mvn verify` fails when the edit is not a correct head permutation. The model defaults
 * to editgate's embedded tiny fixture; point it at the real one with -Deditgate.model=EleutherAI/pythia-160m
 * -Deditgate.layer=6 (found in the local Hugging Face cache).
 */
class LabHeadPermutationIT extends HeadPermutationContract {
    @Override
    protected HeadPermutationEdit edit() {
        return "seed".equals(System.getProperty("lab.edit")) ? new SeedLayoutPermutation() : new LabHeadPermutation();
    }

    @Override
    protected Map<GateKey, String> settings() {
        return Map.of(GateKey.TRIES, "60");
    }
}
