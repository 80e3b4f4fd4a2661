package dev.editgate.gate.contract;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.contract.ContractEdit;
import dev.editgate.core.contract.EditRequest;
import dev.editgate.core.contract.HeadPruningEdit;
import dev.editgate.core.contract.MergedLoraEdit;
import dev.editgate.core.contract.RankOneKeyValueEdit;
import dev.editgate.core.external.ExternalEditSpec;
import dev.editgate.core.external.ExternalHeadPermutationEdit;
import dev.editgate.fixtures.mutants.ContractMutant;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Resolves {@code --edit} for the contract gate: a built-in reference edit ({@code rank-one-key-value},
 * {@code head-pruning}, {@code merged-lora}, optionally prefixed {@code builtin:}), {@code mutant:NAME}
 * ({@link ContractMutant}), {@code class:FQCN} (a {@link ContractEdit} with a public no-argument constructor) or
 * {@code command:'...'} (an external process answering protocol-2 requests, docs/external-edit-protocol.md).
 */
public final class ContractEdits {
    private ContractEdits() {}

    /** An edit ready to run, the name it is sent under by default, and what to close afterwards. */
    public record Resolved(ContractEdit edit, String description, String defaultName, AutoCloseable resource) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (resource != null) resource.close();
        }
    }

    public static final Map<String, ContractEdit> BUILT_IN = Map.of(
            RankOneKeyValueEdit.NAME, new RankOneKeyValueEdit(),
            HeadPruningEdit.NAME, new HeadPruningEdit(),
            MergedLoraEdit.NAME, new MergedLoraEdit());

    public static Resolved resolve(String spec, Path modelFolder, ExternalEditSpec.Mode mode, java.time.Duration timeout) {
        String s = spec.strip();
        if (s.startsWith("builtin:")) s = s.substring("builtin:".length());
        ContractEdit builtIn = BUILT_IN.get(s.equals("rome") ? RankOneKeyValueEdit.NAME : s);
        if (builtIn != null) return new Resolved(builtIn, "built-in " + s, s.equals("rome") ? RankOneKeyValueEdit.NAME : s, null);
        if (s.startsWith("mutant:")) {
            String name = s.substring("mutant:".length());
            ContractMutant m = ContractMutant.byName(name).orElseThrow(() -> new IllegalArgumentException("--edit " + spec
                    + ": no such contract mutant; expected one of " + Arrays.stream(ContractMutant.values()).map(ContractMutant::cliName).toList()));
            return new Resolved(m, "mutant " + m.cliName() + " (" + m.description() + ")", RankOneKeyValueEdit.NAME, null);
        }
        if (s.startsWith("class:")) {
            String fqcn = s.substring("class:".length());
            try {
                Object o = Class.forName(fqcn).getConstructor().newInstance();
                if (!(o instanceof ContractEdit e)) throw new IllegalArgumentException("--edit " + spec + ": " + fqcn + " does not implement " + ContractEdit.class.getName());
                return new Resolved(e, "class " + fqcn, "lab-edit", null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("--edit " + spec + ": cannot instantiate " + fqcn + " (" + e + "); it needs a public no-argument constructor", e);
            }
        }
        if (s.startsWith("command:")) {
            ExternalEditSpec es = ExternalEditSpec.parse(s.substring("command:".length()), mode == null ? ExternalEditSpec.Mode.WORKER : mode,
                    timeout == null ? java.time.Duration.ofSeconds(120) : timeout, Path.of("").toAbsolutePath());
            ExternalHeadPermutationEdit ext = ExternalHeadPermutationEdit.of(es, modelFolder);
            ContractEdit e = (Checkpoint original, EditRequest r) -> {
                var fields = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                fields.put("edit", r.edit());
                if (r.params().has("layer")) fields.set("layer", r.params().get("layer"));
                fields.set("params", r.params());
                fields.put("convention", "params as the lab's contract defines them; prompt_ids/target_id are token ids of prompt/target");
                Checkpoint edited = ext.request(original, fields);
                ext.verifyInputUnchanged(); // a contract makes few, costly requests: each gets the full re-hash, as before
                return edited;
            };
            return new Resolved(e, "command " + String.join(" ", es.command()), "lab-edit", ext);
        }
        throw new IllegalArgumentException("--edit " + spec + ": expected one of " + List.copyOf(BUILT_IN.keySet())
                + ", builtin:NAME, mutant:NAME, class:FQCN or command:'...'");
    }
}
