package dev.editgate.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLocatorTest {
    @TempDir Path dir;
    static final String MAIN = "b3e3ab0c8ecff8e4d0e2a5f7c3e5d1a0f9e8d7c6";
    static final String STEP = "0123456789abcdef0123456789abcdef01234567";
    Path cache;

    @BeforeEach
    void fakeHubCache() throws IOException {
        cache = dir.resolve("hub");
        Path repo = cache.resolve("models--EleutherAI--pythia-160m");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), MAIN + "\n");
        Files.writeString(repo.resolve("refs/step143000"), STEP);
        Files.createDirectories(repo.resolve("snapshots").resolve(MAIN));
        Files.createDirectories(repo.resolve("snapshots").resolve(STEP));
    }

    @Test
    void resolvesRefsAndCommits() {
        ModelLocator loc = new ModelLocator(List.of(dir.resolve("empty"), cache));
        Path snaps = cache.resolve("models--EleutherAI--pythia-160m/snapshots");
        assertThat(loc.resolve("EleutherAI/pythia-160m", null)).isEqualTo(snaps.resolve(MAIN));
        assertThat(loc.resolve("EleutherAI/pythia-160m", "main")).isEqualTo(snaps.resolve(MAIN));
        assertThat(loc.resolve("EleutherAI/pythia-160m", " ")).isEqualTo(snaps.resolve(MAIN));
        assertThat(loc.resolve("EleutherAI/pythia-160m", "step143000")).isEqualTo(snaps.resolve(STEP));
        assertThat(loc.resolve("EleutherAI/pythia-160m", STEP)).isEqualTo(snaps.resolve(STEP)); // revision by commit
    }

    @Test
    void aFolderWins() {
        ModelLocator loc = new ModelLocator(List.of(cache));
        assertThat(loc.resolve(dir.toString(), null)).isEqualTo(dir);
    }

    @Test
    void missingModelSaysWhereItLookedAndHowToFetch() {
        ModelLocator loc = new ModelLocator(List.of(dir.resolve("a"), cache));
        assertThatThrownBy(() -> loc.resolve("EleutherAI/pythia-410m", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model 'EleutherAI/pythia-410m' at revision 'main'")
                .hasMessageContaining(dir.resolve("a").resolve("models--EleutherAI--pythia-410m").toString())
                .hasMessageContaining(cache.resolve("models--EleutherAI--pythia-410m").toString())
                .hasMessageContaining("huggingface-cli download EleutherAI/pythia-410m");
        assertThatThrownBy(() -> loc.resolve("EleutherAI/pythia-160m", "step1000"))
                .hasMessageContaining("snapshots" + java.io.File.separator + "step1000 (revision step1000)")
                .hasMessageContaining("huggingface-cli download EleutherAI/pythia-160m --revision step1000");
        assertThatThrownBy(() -> loc.resolve("/no/such/folder", null))
                .hasMessageContaining("--model '/no/such/folder' is neither an existing folder nor a Hugging Face model id");
    }

    @Test
    void cacheRootsFollowHuggingFacesOrder() {
        ModelLocator loc = ModelLocator.fromEnvironment(Map.of("HF_HUB_CACHE", "/x/hub", "HF_HOME", "/y"), "/home/u");
        assertThat(loc.cacheRoots()).containsExactly(Path.of("/x/hub"), Path.of("/y/hub"), Path.of("/home/u/.cache/huggingface/hub"));
        assertThat(ModelLocator.fromEnvironment(Map.of(), "/home/u").cacheRoots())
                .containsExactly(Path.of("/home/u/.cache/huggingface/hub"));
        assertThat(ModelLocator.fromEnvironment(Map.of("XDG_CACHE_HOME", "/c"), "/home/u").cacheRoots())
                .containsExactly(Path.of("/c/huggingface/hub"), Path.of("/home/u/.cache/huggingface/hub"));
    }

    @Test
    void revisionsCannotLeaveTheCache() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("escaped"));
        ModelLocator loc = new ModelLocator(List.of(cache));
        // cache/models--EleutherAI--pythia-160m/snapshots/../../../escaped is dir/escaped, outside the cache
        for (String rev : new String[] {"../../../escaped", "..", "a/b", "a\\b", "refs/../../x"}) {
            assertThatThrownBy(() -> loc.resolve("EleutherAI/pythia-160m", rev)).as(rev).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--revision '" + rev + "'").hasMessageContaining("path separators");
        }
    }
}
