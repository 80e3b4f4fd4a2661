package dev.editgate.reports.model;

import java.util.List;

/** A titled table of strings (probe results). */
public record Table(String title, List<String> columns, List<List<String>> rows) {
    public Table {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
    }
}
