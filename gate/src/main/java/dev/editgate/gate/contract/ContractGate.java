package dev.editgate.gate.contract;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.FolderFingerprint;
import dev.editgate.core.contract.Clause;
import dev.editgate.core.contract.ClauseResult;
import dev.editgate.core.contract.Contract;
import dev.editgate.core.contract.ContractEdit;
import dev.editgate.core.contract.DeltaChecks;
import dev.editgate.core.contract.EditRequest;
import dev.editgate.core.contract.EffectBound;
import dev.editgate.core.contract.TargetPrompt;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.tokenize.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Judges an edit that is meant to change the model against its {@link Contract}: runs the edit (once, or once per
 * generated request when the contract says it takes parameters), then checks every clause: the original untouched,
 * changed tensors allowed, no NaN/Inf, rank and relative size of each ΔW, the intended effect and generalisation on
 * the lab's prompts, and preservation on generated unrelated prompts (shrunk on failure).
 */
public final class ContractGate {
    /** Where and how to run: compute dtype and device of the forwards, a tokenizer.json (null: the model folder's), shrink budget. */
    public record Options(ComputeDtype dtype, String device, Path tokenizer, Duration shrinkBudget) {
        public static Options defaults() { return new Options(ComputeDtype.FLOAT32, "cpu", null, Duration.ofSeconds(30)); }
    }

    private final Contract contract;
    private final Path modelFolder;
    private final Options options;

    public ContractGate(Contract contract, Path modelFolder, Options options) {
        this.contract = contract;
        this.modelFolder = modelFolder;
        this.options = options;
    }

    public Contract contract() { return contract; }

    /** Runs {@code edit} (named {@code editDescription} in reports; {@code defaultName} when the contract names none). */
    public ContractVerdict judge(ContractEdit edit, String editDescription, String defaultName) {
        long start = System.nanoTime();
        long seed = contract.seed().orElseGet(() -> new SplittableRandom().nextLong());
        Checkpoint original = Checkpoint.load(modelFolder);
        FolderFingerprint fingerprint = FolderFingerprint.of(modelFolder);
        String name = contract.editName().isBlank() ? defaultName : contract.editName();
        try (TextTokenizer tok = options.tokenizer() != null ? TextTokenizer.fromFile(options.tokenizer()) : TextTokenizer.fromFolder(modelFolder);
             TransformerForward base = TransformerForward.load(original, options.dtype(), options.device())) {
            Inputs in = inputs(tok, original.config().vocabSize());
            List<EditRequest> requests = new ArrayList<>();
            if (contract.takesParams()) {
                SplittableRandom r = new SplittableRandom(seed);
                for (int i = 0; i < contract.requests(); i++) requests.add(generatedRequest(name, in, tok, r.split()));
            } else {
                requests.add(request(name, in, tok));
            }
            Map<Clause, List<ClauseResult>> all = new EnumMap<>(Clause.class);
            Optional<PreservationFinding> finding = Optional.empty();
            int tried = 0;
            for (int i = 0; i < requests.size(); i++) {
                EditRequest req = requests.get(i);
                String tag = requests.size() == 1 ? "" : "request " + (i + 1) + " " + req.params().path("prompt").asText() + ": ";
                Judged j = judgeOne(edit, req, original, fingerprint, base, in, tok, seed + i, (contract.preservationTries() + requests.size() - 1) / requests.size());
                j.results.forEach(cr -> all.computeIfAbsent(cr.clause(), k -> new ArrayList<>()).add(prefixed(cr, tag)));
                if (finding.isEmpty()) finding = j.finding;
                tried += j.promptsTried;
            }
            List<ClauseResult> merged = new ArrayList<>();
            all.forEach((clause, list) -> merged.add(merge(clause, list)));
            return new ContractVerdict(modelFolder.toString(), editDescription, requests.get(0).toString(), merged, finding, tried, seed,
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private record Judged(List<ClauseResult> results, Optional<PreservationFinding> finding, int promptsTried) {}

    private Judged judgeOne(ContractEdit edit, EditRequest req, Checkpoint original, FolderFingerprint fingerprint,
                            TransformerForward base, Inputs in, TextTokenizer tok, long seed, int tries) {
        List<ClauseResult> out = new ArrayList<>();
        Checkpoint edited;
        try {
            edited = edit.apply(original, req);
            if (edited == null) throw new IllegalStateException("the edit returned null instead of a checkpoint");
            if (!edited.config().equals(original.config())) throw new IllegalStateException("the edit changed the model's config");
        } catch (RuntimeException e) {
            out.add(ClauseResult.failed(Clause.EDIT_RUNS, "the edit threw " + e, List.of()));
            fingerprint.changed().ifPresent(c -> out.add(ClauseResult.failed(Clause.ORIGINAL_UNTOUCHED, c, List.of())));
            return new Judged(out, Optional.empty(), 0);
        }
        out.add(ClauseResult.passed(Clause.EDIT_RUNS, "the edit returned a checkpoint for " + req, List.of()));
        Optional<String> touched = fingerprint.changed();
        out.add(touched.map(c -> ClauseResult.failed(Clause.ORIGINAL_UNTOUCHED, c, List.of()))
                .orElse(ClauseResult.passed(Clause.ORIGINAL_UNTOUCHED, "the model folder is unchanged", List.of())));
        Set<String> changed = DeltaChecks.changed(original, edited);
        out.add(DeltaChecks.allowedTensors(contract, changed));
        ClauseResult finite = DeltaChecks.finite(edited, changed);
        out.add(finite);
        List<DeltaChecks.Delta> deltas = DeltaChecks.deltas(original, edited, changed);
        out.add(DeltaChecks.rank(contract, deltas));
        out.add(DeltaChecks.relativeNorm(contract, deltas));
        if (finite.failed()) {
            for (Clause c : List.of(Clause.EFFECT, Clause.GENERALISATION, Clause.PRESERVATION)) out.add(ClauseResult.skipped(c, "the edited weights hold NaN/Inf"));
            return new Judged(out, Optional.empty(), 0);
        }
        try (TransformerForward ed = TransformerForward.load(edited, options.dtype(), options.device())) {
            ModelPair pair = new ModelPair(base, ed);
            List<TargetPrompt> effect = contract.takesParams()
                    ? List.of(new TargetPrompt(req.params().path("prompt").asText(), "#" + req.params().path("target_id").asInt()))
                    : contract.effect();
            out.add(EffectCheck.judge(Clause.EFFECT, effect, contract.effectBound(), pair, tok));
            out.add(EffectCheck.judge(Clause.GENERALISATION, contract.generalisation(), contract.generalisationBound(), pair, tok));
            PreservationCheck pc = new PreservationCheck(pair, contract.preservation(), in.gen, tok, exclusions(req), options.shrinkBudget());
            PreservationCheck.Outcome o = pc.run(tries, seed, in.labPrompts);
            out.add(o.result());
            return new Judged(out, o.finding(), o.promptsTried());
        }
    }

    /** The contract's related strings, plus the request's own prompt when the edit takes parameters. */
    private List<String> exclusions(EditRequest req) {
        List<String> out = new ArrayList<>(contract.preservationExclude());
        if (contract.takesParams() && !req.params().path("prompt").asText().isEmpty()) out.add(req.params().path("prompt").asText());
        return out;
    }

    private static ClauseResult prefixed(ClauseResult r, String tag) {
        if (tag.isEmpty()) return r;
        return new ClauseResult(r.clause(), r.status(), tag + r.summary(), r.details());
    }

    private static ClauseResult merge(Clause clause, List<ClauseResult> list) {
        if (list.size() == 1) return list.get(0);
        Optional<ClauseResult> failed = list.stream().filter(ClauseResult::failed).findFirst();
        List<String> details = new ArrayList<>();
        list.forEach(r -> { details.add(r.summary()); details.addAll(r.details()); });
        if (failed.isPresent()) return ClauseResult.failed(clause, failed.get().summary(), details);
        boolean allSkipped = list.stream().allMatch(r -> r.status() == ClauseResult.Status.SKIPPED);
        return new ClauseResult(clause, allSkipped ? ClauseResult.Status.SKIPPED : ClauseResult.Status.PASSED,
                list.size() + " requests: " + list.get(0).summary(), details);
    }

    // ------------------------------------------------------------------ inputs

    private record Inputs(OrdinaryVocabulary pool, PromptGen gen, List<long[]> labPrompts) {}

    private Inputs inputs(TextTokenizer tok, int vocab) {
        List<int[]> lab = new ArrayList<>();
        contract.preservationPrompts().ifPresent(p -> {
            for (String line : lines(p)) {
                int[] ids = tok.encode(line);
                if (ids.length > 0) lab.add(ids);
            }
        });
        int[] text = contract.preservationText().map(p -> tok.encode(String.join("\n", lines(p)))).orElse(new int[0]);
        List<Integer> extra = new ArrayList<>();
        lab.forEach(ids -> { for (int id : ids) extra.add(id); });
        OrdinaryVocabulary pool = OrdinaryVocabulary.of(tok, vocab, extra.stream().mapToInt(Integer::intValue).toArray());
        int longest = lab.stream().mapToInt(a -> a.length).max().orElse(0);
        PromptGen gen = new PromptGen(pool, text, Math.max(contract.preservationMaxLength(), longest), tok);
        List<long[]> encoded = lab.stream().map(gen::encode).toList();
        return new Inputs(pool, gen, encoded);
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).map(l -> l.replace("\\n", "\n")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The request for a once-only edit: the contract's params, plus the first effect prompt's prompt/target when absent. */
    private EditRequest request(String name, Inputs in, TextTokenizer tok) {
        ObjectNode params = contract.editParams();
        if (!contract.effect().isEmpty()) {
            TargetPrompt t = contract.effect().get(0);
            if (!params.has("prompt")) params.put("prompt", t.prompt());
            if (!params.has("target")) params.put("target", t.target());
            if (!params.has("prompt_ids")) ids(params.putArray("prompt_ids"), EffectCheck.promptIds(t, tok));
            if (!params.has("target_id")) params.put("target_id", EffectCheck.targetId(t, tok));
        }
        return new EditRequest(name, params);
    }

    /** A generated request: a prompt from the generator and a target from the ordinary vocabulary. */
    private EditRequest generatedRequest(String name, Inputs in, TextTokenizer tok, SplittableRandom r) {
        ObjectNode params = contract.editParams();
        int len = 2 + r.nextInt(Math.max(1, contract.preservationMaxLength() - 1));
        int[] ids = new int[len];
        for (int i = 0; i < len; i++) ids[i] = in.pool.id(r.nextInt(in.pool.size()));
        int target = in.pool.id(r.nextInt(in.pool.size()));
        params.put("prompt", tok.decode(ids));
        params.put("target", tok.decode(new int[] {target}));
        ids(params.putArray("prompt_ids"), ids);
        params.put("target_id", target);
        return new EditRequest(name, params);
    }

    private static void ids(ArrayNode a, int[] ids) {
        for (int id : ids) a.add(id);
    }

    static String fmt(double x) { return String.format(Locale.ROOT, "%.4g", x); }
}
