package dev.editgate.gate.config;

/**
 * Which edit the gate checks, from the {@code edit} setting.
 *
 * @param kind builtin, class (a JVM {@code HeadPermutationEdit}), command (an external process) or mutant (a catalogued buggy edit)
 * @param value the class name, command line or mutant name; empty for builtin
 */
public record EditChoice(Kind kind, String value) {
    public enum Kind { BUILTIN, CLASS, COMMAND, MUTANT }

    public static EditChoice parse(String text) {
        String t = text.strip();
        if (t.isEmpty() || t.equals("builtin")) return new EditChoice(Kind.BUILTIN, "");
        int colon = t.indexOf(':');
        if (colon > 0) {
            String prefix = t.substring(0, colon);
            String rest = t.substring(colon + 1).strip();
            Kind kind = switch (prefix) {
                case "class" -> Kind.CLASS;
                case "command", "cmd" -> Kind.COMMAND;
                case "mutant" -> Kind.MUTANT;
                default -> null;
            };
            if (kind != null) {
                if (rest.isEmpty()) throw new IllegalArgumentException("--edit " + t + ": nothing after '" + prefix + ":'");
                return new EditChoice(kind, rest);
            }
        }
        throw new IllegalArgumentException("--edit '" + t + "': expected builtin, class:com.example.MyEdit, command:'python3 edit.py' or mutant:NAME");
    }

    @Override
    public String toString() {
        return kind == Kind.BUILTIN ? "builtin" : kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + value;
    }
}
