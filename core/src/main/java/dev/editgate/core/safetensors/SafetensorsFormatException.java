package dev.editgate.core.safetensors;

import java.nio.file.Path;

/** A safetensors file that breaks the format; the message names the file and what was expected. */
public class SafetensorsFormatException extends IllegalArgumentException {
    public SafetensorsFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
