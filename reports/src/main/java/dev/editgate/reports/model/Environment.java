package dev.editgate.reports.model;

import java.util.List;

/** Versions and machine facts needed to trust or reproduce a run; {@code notes} holds caveats (e.g. "BF16 widened to F32"). */
public record Environment(
        String editgateVersion,
        String javaVersion,
        String os,
        String djlVersion,
        String pytorchVersion,
        String device,
        List<String> notes) {

    public Environment {
        notes = List.copyOf(notes);
    }
}
