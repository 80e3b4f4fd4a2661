package dev.editgate.core.external;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an edit may leave in its output folder before editgate opens anything there: the folder itself (not a
 * link to one elsewhere), only regular files (no link, FIFO, device or subfolder), at most {@code maxFiles}
 * of them, none larger than {@code maxFileBytes}. A violation is a failed trial naming the path.
 *
 * @param maxFileBytes the largest output file accepted (the model's size plus room for headers)
 */
public record OutputLimits(int maxFiles, long maxFileBytes) {
    /** Room for safetensors headers and metadata on top of the model's tensor bytes. */
    public static final long HEADER_ROOM = 64L << 20;

    public OutputLimits {
        if (maxFiles < 1) throw new IllegalArgumentException("maxFiles must be positive, got " + maxFiles);
        if (maxFileBytes < 1) throw new IllegalArgumentException("maxFileBytes must be positive, got " + maxFileBytes);
    }

    /** Limits for a model whose files total {@code modelBytes}: 64 files, each at most the model plus 64 MiB. */
    public static OutputLimits forModel(long modelBytes) {
        return new OutputLimits(64, modelBytes + HEADER_ROOM);
    }

    /** The {@code *.safetensors} files of {@code out}, sorted, after checking the folder against the limits. */
    public List<Path> check(Path out) throws IOException {
        if (!NoFollowFiles.isRealDirectory(out)) {
            throw new ExternalEditException("the output folder " + out + " was replaced: it is now " + NoFollowFiles.kind(out));
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(out)) {
            for (Path e : s) {
                if (entries.size() == maxFiles) {
                    throw new ExternalEditException("the output folder " + out + " holds more than " + maxFiles + " entries; at most " + maxFiles
                            + " files are accepted (normally one model.safetensors)");
                }
                if (!NoFollowFiles.isRegularFile(e)) {
                    throw new ExternalEditException("output " + e + " is " + NoFollowFiles.kind(e) + "; the output folder must hold only regular files");
                }
                long size = Files.size(e);
                if (size > maxFileBytes) {
                    throw new ExternalEditException("output " + e + " is " + size + " bytes; at most " + maxFileBytes
                            + " are accepted (the model's size plus " + (HEADER_ROOM >> 20) + " MiB)");
                }
                entries.add(e);
            }
        }
        if (Files.isSymbolicLink(out)) throw new ExternalEditException("the output folder " + out + " was replaced by " + NoFollowFiles.kind(out));
        return entries.stream().filter(f -> f.getFileName().toString().endsWith(".safetensors")).sorted().toList();
    }

    static long sizeOf(Path folder) throws IOException {
        long total = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(folder)) {
            for (Path f : s) if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) total += Files.size(f);
        }
        return total;
    }
}
