package dev.editgate.gate.shapes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.core.model.ModelConfig;
import dev.editgate.core.safetensors.DType;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.properties.Property;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the shape generators produce: valid configs of the family, every option value, every (KV heads, group) pair. */
class ShapeGenTest {

    static List<Shape> draw(String family, int n) {
        List<Shape> out = new ArrayList<>();
        Property.forAll("draw " + family, ShapeGen.of(family)).tries(n).seed(99).database(dev.editgate.properties.FailureDatabase.none())
                .check(out::add).assertPassed();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt_neox", "llama", "mistral", "qwen2", "gpt2"})
    void everyShapeIsAValidConfigOfItsFamilyThatReadsBackEqual(String family) {
        for (Shape s : draw(family, 400)) {
            ModelConfig c = s.config();
            assertThat(c.modelType()).isEqualTo(family);
            assertThat(dev.editgate.core.model.Architectures.parse(c.toJson())).isEqualTo(c);
            assertThat(c.numAttentionHeads()).isEqualTo(s.heads());
            assertThat(c.numKeyValueHeads()).isEqualTo(s.kvHeads());
            assertThat(c.headDim()).isEqualTo(s.headDim());
            assertThat(c.hiddenSize()).isEqualTo(s.hidden()).isLessThanOrEqualTo(256);
            assertThat(c.qkvBias()).isEqualTo(s.bias());
            assertThat(c.tiedEmbeddings()).isEqualTo(s.tied());
            assertThat(s.fixture().dtype()).isEqualTo(s.dtype());
        }
    }

    @Test
    void llamaShapesCoverEveryKvHeadsAndGroupSizeIncludingMultiQueryAndExplicitHeadDims() {
        List<Shape> shapes = draw("llama", 1000);
        Set<List<Integer>> pairs = new HashSet<>();
        shapes.forEach(s -> pairs.add(List.of(s.kvHeads(), s.groupSize())));
        assertThat(pairs).hasSize(ShapeGen.MAX_KV_HEADS * ShapeGen.GROUP_SIZES.size());   // kv 1 is multi-query, group 1 multi-head
        assertThat(shapes).anyMatch(s -> s.headDimMode() == 1).anyMatch(s -> s.headDimMode() == 2)
                .anyMatch(s -> s.config().headDim() * s.heads() != s.config().hiddenSize())
                .anyMatch(Shape::bias).anyMatch(s -> !s.bias()).anyMatch(Shape::tied).anyMatch(s -> !s.tied());
        assertThat(shapes.stream().map(Shape::dtype).distinct()).containsExactlyInAnyOrder(DType.F32, DType.F16, DType.BF16);
        assertThat(shapes.stream().map(Shape::layers).distinct()).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void neoxShapesCoverRotaryFractionsResidualsAndBiasesAndFamilyRulesHold() {
        List<Shape> neox = draw("gpt_neox", 600);
        assertThat(neox.stream().map(Shape::rotaryPct).distinct()).containsExactlyInAnyOrder(1.0, 0.5, 0.25);
        assertThat(neox).anyMatch(Shape::parallel).anyMatch(s -> !s.parallel()).anyMatch(Shape::bias).anyMatch(s -> !s.bias())
                .allMatch(s -> !s.tied() && s.headDimMode() == 0 && s.config().rotaryNdims() % 2 == 0);
        assertThat(draw("qwen2", 100)).allMatch(Shape::bias);
        assertThat(draw("mistral", 100)).allMatch(s -> !s.bias());
        assertThat(draw("gpt2", 200)).allMatch(s -> s.bias() && s.groupSize() == 1).anyMatch(Shape::tied).anyMatch(s -> !s.tied());
    }

    @Test
    void aGeneratedCheckpointIsARealFolderOfAFewKilobytes(@TempDir Path tmp) throws Exception {
        Shape s = new Shape("qwen2", 2, 2, 3, 8, 1, 2, 1.0, true, true, false, DType.BF16, 3);
        Fixtures.write(s.fixture(), tmp);
        assertThat(tmp.resolve("config.json")).exists();
        assertThat(tmp.resolve("tokenizer.json")).exists();
        assertThat(Files.size(tmp.resolve("model.safetensors"))).isLessThan(1 << 20);
        var ck = dev.editgate.core.checkpoint.Checkpoint.load(tmp);
        assertThat(ck.config()).isEqualTo(s.config());
        assertThat(ck.has("model.layers.1.self_attn.q_proj.bias")).isTrue();
        assertThat(ck.has("lm_head.weight")).isFalse();
    }

    @Test
    void flipsChangeExactlyOneOptionAndStayInTheFamily() {
        for (String family : ShapeGen.FAMILIES) {
            Shape s = draw(family, 1).get(0);
            for (ShapeOption o : ShapeOption.values()) {
                for (Shape alt : o.alternatives(s)) {
                    assertThat(alt).isNotEqualTo(s);
                    assertThat(alt.modelType()).isEqualTo(family);
                    alt.config(); // valid
                    int changed = 0;
                    for (ShapeOption other : ShapeOption.values()) if (!other.value(alt).equals(other.value(s))) changed++;
                    assertThat(changed).as(o + " " + alt.summary()).isEqualTo(1);
                }
            }
        }
        assertThatThrownBy(() -> ShapeGen.of("bert")).hasMessageContaining("expected one of gpt_neox, llama, mistral, qwen2, gpt2");
    }
}
