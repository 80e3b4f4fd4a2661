package dev.editgate.gate.cli;

import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Bad input (a missing file, a malformed checkpoint, an invalid permutation) is the user's to fix:
 * print one clear line and exit 2. Anything else is a bug in editgate and keeps its stack trace.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        if (ex instanceof dev.editgate.gate.setup.SetupException) {
            cl.getErr().println("editgate " + cl.getCommandName() + ": setup problem, the gate did not start: " + ex.getMessage());
            return EditgateCli.EXIT_USAGE;
        }
        if (ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException) {
            cl.getErr().println("editgate " + cl.getCommandName() + ": " + describe(ex));
            return EditgateCli.EXIT_USAGE;
        }
        throw new RuntimeException(ex);
    }

    /**
     * The user-facing line for {@code ex}: its own message, or, when that is only a wrapped exception's
     * {@code toString()} ("java.nio.file.NoSuchFileException: /x"), what the cause means, naming its file.
     */
    static String describe(Exception ex) {
        String msg = ex.getMessage();
        if (ex instanceof UncheckedIOException u && u.getCause() != null) {
            java.io.IOException io = u.getCause();
            String plain = io instanceof java.nio.file.FileSystemException fs && fs.getFile() != null
                    ? fs.getFile() + ": " + (io instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : io instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : String.valueOf(fs.getReason()))
                    : String.valueOf(io.getMessage());
            if (msg == null || msg.equals(io.toString())) return plain;
            if (io.getMessage() != null && !msg.contains(io.getMessage())) return msg + " (" + plain + ")";
        }
        return String.valueOf(msg);
    }
}
