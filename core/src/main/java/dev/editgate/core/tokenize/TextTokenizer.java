package dev.editgate.core.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.editgate.core.files.InputFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model folder's {@code tokenizer.json}, loaded offline with DJL's {@link HuggingFaceTokenizer} (Rust
 * {@code tokenizers}). Encodes without adding special tokens, as Pythia's tokenizer does by default.
 */
public final class TextTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final Path file;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, Path file) {
        this.tokenizer = tokenizer;
        this.file = file;
    }

    /** Loads {@code modelFolder/tokenizer.json}; the error names the file when it is missing. */
    public static TextTokenizer fromFolder(Path modelFolder) {
        return fromFile(modelFolder.resolve("tokenizer.json"));
    }

    /** Loads a {@code tokenizer.json} file. */
    public static TextTokenizer fromFile(Path tokenizerJson) {
        if (!InputFile.exists(tokenizerJson)) {
            throw new UncheckedIOException(tokenizerJson + ": tokenizer.json not found; a Hugging Face model folder has one",
                    new java.nio.file.NoSuchFileException(tokenizerJson.toString()));
        }
        InputFile.check(tokenizerJson, "a Hugging Face tokenizer.json", InputFile.MAX_TOKENIZER);
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
            return new TextTokenizer(t, tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException(tokenizerJson + ": cannot load tokenizer: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(tokenizerJson + ": not a valid tokenizer.json: " + e.getMessage(), e);
        }
    }

    public Path file() { return file; }

    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return tokenizer.decode(l, false);
    }

    @Override
    public void close() { tokenizer.close(); }
}
