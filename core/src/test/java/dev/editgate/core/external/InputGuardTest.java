package dev.editgate.core.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.SafetensorsWriter;
import dev.editgate.core.safetensors.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The input guard's per-trial check by inode stamps: a trial that left the copy alone is accepted without re-hashing,
 * and every way of changing the copy's bytes (in place with the mtime put back, through a shared memory map,
 * replacing the file) still fails with the tensor or file named, as the full re-hash always did.
 */
class InputGuardTest {
    @TempDir Path model;
    @TempDir Path scratch;

    @BeforeEach
    void folder() throws IOException {
        SafetensorsWriter.write(model.resolve("model.safetensors"), List.of(
                Tensor.of("a", DType.F32, new long[] {4}, new double[] {1, 2, 3, 4}),
                Tensor.of("b", DType.F32, new long[] {2}, new double[] {5, 6})), Map.of());
        Files.writeString(model.resolve("config.json"), "{}");
    }

    private InputGuard guard() {
        InputGuard g = new InputGuard(model, scratch);
        assumeTrue(FileStamps.trustworthy(g.folder()), "the temp folder's file system does not set ctime on every write");
        return g;
    }

    /** Makes the read-only copy writable again, then lets a full check confirm the new stamps (chmod changes ctime). */
    private static Path writable(InputGuard g) throws IOException {
        Path f = g.folder().resolve("model.safetensors");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        g.verify();
        long before = g.fullChecks();
        g.verify();
        assertThat(g.fullChecks()).as("the chmod-ed copy is confirmed again after one full check").isEqualTo(before);
        return f;
    }

    @Test
    void trialsThatLeaveTheCopyAloneAreCheckedWithoutReadingIt() {
        try (InputGuard g = guard()) {
            g.verify();
            long afterFirst = g.fullChecks();
            assertThat(afterFirst).as("the copy is confirmed when made, or by the first full check").isLessThanOrEqualTo(1);
            for (int i = 0; i < 5; i++) g.verify();
            assertThat(g.fullChecks()).isEqualTo(afterFirst);
            g.verifyFully();
            assertThat(g.fullChecks()).as("verifyFully always re-hashes").isEqualTo(afterFirst + 1);
        }
    }

    @Test
    void aWriteInPlaceWithTheMtimePutBackIsCaughtByTheChangeTime() throws IOException {
        try (InputGuard g = guard()) {
            Path f = writable(g);
            FileTime mtime = Files.getLastModifiedTime(f);
            FileStamps.Stamp confirmed = FileStamps.read(g.folder()).orElseThrow().get("model.safetensors");
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.seek(raf.length() - 1); // last byte of the last tensor, "b"
                raf.write(0x7f);
            }
            Files.setLastModifiedTime(f, mtime);
            FileStamps.Stamp now = FileStamps.read(g.folder()).orElseThrow().get("model.safetensors");
            assertThat(List.of(now.size(), now.mtime(), now.ino())).isEqualTo(List.of(confirmed.size(), confirmed.mtime(), confirmed.ino()));
            assertThat(now.ctime()).as("only the ctime tells").isNotEqualTo(confirmed.ctime());
            assertThatThrownBy(g::verify).isInstanceOf(ExternalEditException.class)
                    .hasMessage("edit modified its input: " + f + " tensor b changed");
            g.restore();
            g.verify();
        }
    }

    @Test
    void aWriteThroughASharedMemoryMapIsCaught() throws IOException {
        try (InputGuard g = guard()) {
            Path f = writable(g);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size());
                map.put((int) ch.size() - 16, (byte) 0x55); // inside tensor "a" (the data ends with a's 16 bytes, then b's 8)
            }
            assertThatThrownBy(g::verify).isInstanceOf(ExternalEditException.class)
                    .hasMessage("edit modified its input: " + f + " tensor a changed");
        }
    }

    @Test
    void aReplacedFileIsCaughtRightAfterAConfirmingCheck() throws IOException {
        try (InputGuard g = guard()) {
            g.verify();
            Path f = g.folder().resolve("config.json");
            Files.setPosixFilePermissions(g.folder(), PosixFilePermissions.fromString("rwx------"));
            Files.delete(f);
            Files.writeString(f, "{}"); // same bytes, new inode
            assertThatThrownBy(g::verify).isInstanceOf(ExternalEditException.class)
                    .hasMessage("edit modified its input: " + f + " was replaced or touched");
        }
    }

    @Test
    void onAFileSystemWithoutTrustworthyChangeTimesEveryTrialReHashes() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).type().equals("tmpfs"), "no tmpfs at /dev/shm");
        Path parent = Files.createTempDirectory(shm, "editgate-guard-test-");
        try (InputGuard g = new InputGuard(model, parent)) {
            assertThat(FileStamps.trustworthy(g.folder())).isFalse();
            for (int i = 1; i <= 3; i++) {
                g.verify();
                assertThat(g.fullChecks()).isEqualTo(i);
            }
        } finally {
            NoFollowFiles.deleteTree(parent);
        }
    }

    @Test
    void aGuardTrustsStampsOnAnyFileSystemWhenTheSandboxKeepsTheCopyReadOnly() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm");
        Path parent = Files.createTempDirectory(shm, "editgate-guard-test-");
        try (InputGuard g = new InputGuard(model, parent, true)) {
            g.verify();
            long n = g.fullChecks();
            g.verify();
            g.verify();
            assertThat(g.fullChecks()).isEqualTo(n);
        } finally {
            NoFollowFiles.deleteTree(parent);
        }
    }
}
