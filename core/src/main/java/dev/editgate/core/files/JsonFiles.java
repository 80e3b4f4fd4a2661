package dev.editgate.core.files;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a small JSON input file (config.json, an index) through {@link InputFile}'s guard, as strict UTF-8,
 * and reports a syntax error in one line without the parser's internals:
 * {@code /m/config.json: not valid JSON at line 1, column 19: Unexpected character (',' (code 44))}.
 */
public final class JsonFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonFiles() {}

    /** Reads and parses {@code file}; {@code root} is the folder its links must stay in (or null). */
    public static JsonNode read(Path file, String what, Path root) {
        InputFile.check(file, what, root, InputFile.MAX_SMALL_FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(file, utf8(file, bytes));
    }

    /** Decodes {@code bytes} as UTF-8, refusing malformed input instead of replacing it by U+FFFD. */
    public static String utf8(Path file, byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not valid UTF-8");
        }
    }

    /** Parses {@code text}; a syntax error is one line naming {@code file}, the line and the column. */
    public static JsonNode parse(Path file, String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": " + oneLine(e));
        }
    }

    /** "not valid JSON at line L, column C: what the parser expected", without the source excerpt. */
    public static String oneLine(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        String what = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("").strip();
        if (what.length() > 200) what = what.substring(0, 197) + "...";
        return "not valid JSON" + where + ": " + what;
    }
}
