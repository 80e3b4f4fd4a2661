package dev.editgate.core.external;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleting a tree an edit could reach never follows, opens or chmods what a planted link points to. */
class NoFollowFilesTest {
    @TempDir Path dir;

    @Test
    void deletingAReadOnlyTreeUnlinksPlantedLinksAndLeavesTheirTargetsAlone() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "precious");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("r--r--r--"));
        Path victimDir = Files.createDirectory(dir.resolve("victim-dir"));
        Files.writeString(victimDir.resolve("keep"), "k");
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.writeString(tree.resolve("model.safetensors"), "m");
        Files.createSymbolicLink(tree.resolve("evil"), victim);
        Files.createSymbolicLink(tree.resolve("evil-dir"), victimDir);
        Path sub = Files.createDirectory(tree.resolve("sub"));
        Files.writeString(sub.resolve("x"), "x");
        new ProcessBuilder("mkfifo", tree.resolve("pipe").toString()).start().waitFor();
        NoFollowFiles.makeReadOnly(tree.resolve("model.safetensors"));
        NoFollowFiles.makeReadOnly(sub);
        NoFollowFiles.makeReadOnly(tree);

        assertThat(NoFollowFiles.kind(tree.resolve("evil"))).isEqualTo("a symbolic link to " + victim);
        assertThat(NoFollowFiles.kind(tree.resolve("pipe"))).isEqualTo("a FIFO (named pipe)");
        assertThat(NoFollowFiles.kind(sub)).isEqualTo("a folder");
        NoFollowFiles.deleteTree(tree);

        assertThat(tree).doesNotExist();
        assertThat(Files.readString(victim)).isEqualTo("precious");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim))).isEqualTo("r--r--r--");
        assertThat(victimDir.resolve("keep")).hasContent("k");
    }
}
