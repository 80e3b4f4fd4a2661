package dev.editgate.core.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds a model offline: a folder path, or a Hugging Face model id (plus revision) in the local hub
 * cache, laid out as {@code <cache>/models--ORG--NAME/snapshots/<commit>/} with
 * {@code refs/<revision>} holding the commit a branch or tag names.
 */
public final class ModelLocator {
    private final List<Path> cacheRoots;

    public ModelLocator(List<Path> cacheRoots) {
        this.cacheRoots = List.copyOf(cacheRoots);
    }

    /** Cache roots in Hugging Face's order: {@code $HF_HUB_CACHE}, {@code $HF_HOME/hub}, {@code ~/.cache/huggingface/hub}. */
    public static ModelLocator fromEnvironment() {
        return fromEnvironment(System.getenv(), System.getProperty("user.home"));
    }

    static ModelLocator fromEnvironment(Map<String, String> env, String home) {
        List<Path> roots = new ArrayList<>();
        if (env.get("HF_HUB_CACHE") != null) roots.add(Path.of(env.get("HF_HUB_CACHE")));
        if (env.get("HF_HOME") != null) roots.add(Path.of(env.get("HF_HOME"), "hub"));
        if (env.get("XDG_CACHE_HOME") != null) roots.add(Path.of(env.get("XDG_CACHE_HOME"), "huggingface", "hub"));
        roots.add(Path.of(home, ".cache", "huggingface", "hub"));
        return new ModelLocator(roots);
    }

    public List<Path> cacheRoots() { return cacheRoots; }

    /**
     * Resolves {@code model} (a folder, or an id like {@code EleutherAI/pythia-160m}) at {@code revision}
     * ({@code null} means {@code main}; a branch, tag such as {@code step143000}, or a commit hash).
     */
    public Path resolve(String model, String revision) {
        return resolve(model, revision, "--model");
    }

    /** {@link #resolve(String, String)}, naming the command's own flag (e.g. {@code --original}) in errors. */
    public Path resolve(String model, String revision, String modelFlag) {
        Path asPath = Path.of(model);
        if (Files.isDirectory(asPath)) return asPath;
        if (!model.matches("[A-Za-z0-9][\\w.-]*(/[\\w.-]+)?") || model.contains("..")) {
            throw new IllegalArgumentException(modelFlag + " '" + model + "' is " + (dev.editgate.core.files.InputFile.exists(asPath)
                    ? "not a folder (it " + dev.editgate.core.files.InputFile.describe(asPath) + ")" : "neither an existing folder")
                    + " nor a Hugging Face model id like EleutherAI/pythia-160m");
        }
        String rev = revision == null || revision.isBlank() ? "main" : revision.strip();
        requireRevisionName("--revision", rev);
        String repoDir = "models--" + model.replace("/", "--");
        List<String> looked = new ArrayList<>();
        for (Path root : cacheRoots) {
            Path repo = root.resolve(repoDir);
            looked.add(repo.toString());
            if (!Files.isDirectory(repo)) continue;
            String commit = rev;
            Path ref = repo.resolve("refs").resolve(rev);
            if (dev.editgate.core.files.InputFile.exists(ref)) {
                dev.editgate.core.files.InputFile.check(ref, "a revision ref holding a commit hash", repo, 4096);
                try {
                    commit = Files.readString(ref).strip();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + ref, e);
                }
                requireRevisionName(ref.toString(), commit);
            }
            Path snapshot = repo.resolve("snapshots").resolve(commit);
            if (Files.isDirectory(snapshot)) return snapshot;
            looked.add(snapshot + " (revision " + rev + ")");
        }
        throw new IllegalArgumentException("model '" + model + "' at revision '" + rev + "' is not a folder and not in the local "
                + "Hugging Face cache (no network here). Looked in:\n  " + String.join("\n  ", looked)
                + "\nFetch it on a machine with network access with:\n  huggingface-cli download " + model
                + (rev.equals("main") ? "" : " --revision " + rev)
                + "\nand copy the cache folder here (or set HF_HUB_CACHE), or pass --model PATH to a checkpoint folder.");
    }

    /**
     * A revision is a branch, tag or commit hash, used as one file name under {@code refs/} and
     * {@code snapshots/}: a path separator or {@code ..} would resolve outside the cache, so both are refused.
     */
    static void requireRevisionName(String what, String rev) {
        if (rev.contains("/") || rev.contains("\\") || rev.contains("..") || rev.indexOf('\0') >= 0 || rev.length() > 255) {
            throw new IllegalArgumentException(what + " '" + rev + "' is not a branch, tag or commit hash: path separators and '..' "
                    + "are not allowed in a revision");
        }
    }
}
