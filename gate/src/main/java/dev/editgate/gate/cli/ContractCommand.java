package dev.editgate.gate.cli;

import dev.editgate.core.contract.Contract;
import dev.editgate.core.contract.ContractParser;
import dev.editgate.core.external.ExternalEditSpec;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.gate.contract.ContractEdits;
import dev.editgate.gate.contract.ContractGate;
import dev.editgate.gate.contract.ContractReport;
import dev.editgate.gate.contract.ContractVerdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code editgate contract}: judges an edit that is meant to change the model against the contract its lab declares
 * (docs/contracts.md). Exit 0 when every clause holds, 1 when one fails, 2 on bad usage or input.
 */
@Command(name = "contract", mixinStandardHelpOptions = true,
        description = {"Checks an edit meant to change the model (knowledge edit, merged LoRA, pruning) against its declared contract:",
                "changed tensors, rank and size of each ΔW, NaN/Inf, the original untouched, the intended effect and generalisation",
                "on the lab's prompts, and preservation on generated unrelated prompts (a violation is shrunk to the shortest prompt).",
                "Exit codes: 0 pass, 1 a clause failed, 2 bad usage or input."})
final class ContractCommand implements Callable<Integer> {
    @Option(names = "--contract", paramLabel = "FILE", description = "The contract file (key = value lines, docs/contracts.md).")
    Path contract;

    @Option(names = {"--set", "-C"}, paramLabel = "KEY=VALUE", description = "A contract key, overriding the file and -Deditgate.contract.KEY.")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--edit", required = true, paramLabel = "E",
            description = "rank-one-key-value, head-pruning, merged-lora (built-in), mutant:NAME, class:FQCN (a ContractEdit) or command:'...' (protocol 2).")
    String edit;

    @Mixin ModelOptions model;

    @Option(names = "--edit-mode", paramLabel = "MODE", defaultValue = "worker", description = "command: edits: worker (default) or one-shot.")
    String editMode;

    @Option(names = "--edit-timeout", paramLabel = "SECONDS", defaultValue = "120", description = "command: edits: seconds per request (default 120).")
    long editTimeout;

    @Option(names = "--dtype", paramLabel = "D", defaultValue = "fp32", description = "Compute dtype of the forwards: fp32 (default), fp16, fp64.")
    String dtype;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = "cpu", description = "cpu (default), gpu or auto.")
    String device;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "A tokenizer.json instead of the model folder's.")
    Path tokenizer;

    @Option(names = "--report", paramLabel = "DIR", defaultValue = "target/editgate", description = "Where contract-report.{json,md,html} go (default ${DEFAULT-VALUE}).")
    Path report;

    @Override
    public Integer call() throws Exception {
        Contract c = ContractParser.read(contract, System.getProperties(), set);
        Path folder = model.folder();
        dev.editgate.gate.setup.Preflight.reportFolderWritable(report.toAbsolutePath());
        ExternalEditSpec.Mode mode = switch (editMode) {
            case "worker" -> ExternalEditSpec.Mode.WORKER;
            case "one-shot", "oneshot" -> ExternalEditSpec.Mode.ONE_SHOT;
            default -> throw new IllegalArgumentException("--edit-mode " + editMode + ": expected worker or one-shot");
        };
        ContractGate gate = new ContractGate(c, folder, new ContractGate.Options(ComputeDtype.parse(dtype), device, tokenizer, Duration.ofSeconds(30)));
        ContractVerdict v;
        try (ContractEdits.Resolved r = ContractEdits.resolve(edit, folder, mode, Duration.ofSeconds(editTimeout))) {
            v = gate.judge(r.edit(), r.description(), r.defaultName());
        }
        System.out.print(v.summary());
        Path html = ContractReport.write(v, report.toAbsolutePath());
        System.out.println("verdict: " + (v.passed() ? "PASS" : "FAIL") + "\nreport:  " + html);
        return v.passed() ? EditgateCli.EXIT_PASS : EditgateCli.EXIT_GATE_FAILED;
    }
}
