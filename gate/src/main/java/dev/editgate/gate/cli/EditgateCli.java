package dev.editgate.gate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code editgate}: the command-line entry point. Exit codes: 0 pass, 1 gate failed, 2 bad usage, input or
 * setup, 3 inconclusive (a stage could not run or the time budget was spent).
 */
@Command(name = "editgate", mixinStandardHelpOptions = true, version = "editgate 0.1.0",
        description = "Checks weight edits of GPT-NeoX, Llama/Mistral/Qwen2 and GPT-2 models (head permutations first) before experiments run.",
        subcommands = {GateCommand.class, ContractCommand.class, HarnessCommand.class, PermuteCommand.class, DiffCommand.class, LogitsCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class EditgateCli implements Runnable {
    public static final int EXIT_PASS = 0;
    public static final int EXIT_GATE_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INCONCLUSIVE = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'editgate gate' or 'editgate --help'");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new EditgateCli());
        GateCommand.addOptions(cl.getSubcommands().get("gate").getCommandSpec());
        cl.setExecutionExceptionHandler(new UserErrorHandler());
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("editgate: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return EXIT_USAGE;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.exit(commandLine().execute(args));
    }
}
