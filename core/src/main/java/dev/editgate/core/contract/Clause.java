package dev.editgate.core.contract;

/** The clauses of a {@link Contract}, in the order the gate checks them; each result names the one that failed. */
public enum Clause {
    EDIT_RUNS("the edit runs"),
    ORIGINAL_UNTOUCHED("original untouched"),
    ALLOWED_TENSORS("changed tensors allowed"),
    FINITE("no NaN/Inf"),
    RANK("rank of ΔW"),
    RELATIVE_NORM("relative size of ΔW"),
    EFFECT("intended effect"),
    GENERALISATION("generalisation"),
    PRESERVATION("preservation on unrelated prompts");

    private final String label;

    Clause(String label) {
        this.label = label;
    }

    public String label() { return label; }
}
