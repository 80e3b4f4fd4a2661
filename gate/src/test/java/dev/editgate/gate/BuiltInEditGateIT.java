package dev.editgate.gate;

import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.gate.junit.HeadPermutationContract;

/**
 * {@code mvn verify} on this repository runs the whole gate on the embedded tiny fixture with the built-in
 * edit, through the same JUnit contract users extend; a regression anywhere in the gate fails the build.
 */
class BuiltInEditGateIT extends HeadPermutationContract {
    @Override
    protected HeadPermutationEdit edit() {
        return BuiltInHeadPermutation.INSTANCE;
    }
}
