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
            String msg = ex.getMessage();
            if (ex instanceof UncheckedIOException u && u.getCause() != null && u.getCause().getMessage() != null
                    && (msg == null || !msg.contains(u.getCause().getMessage()))) {
                msg = u.getCause().getMessage();
            }
            cl.getErr().println("editgate " + cl.getCommandName() + ": " + msg);
            return EditgateCli.EXIT_USAGE;
        }
        throw new RuntimeException(ex);
    }
}
