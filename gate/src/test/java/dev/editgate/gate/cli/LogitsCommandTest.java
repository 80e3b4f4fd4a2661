package dev.editgate.gate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.SafetensorsFile;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.fixtures.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogitsCommandTest {

    @Test
    void writesFloat32LogitsOfTheTokens(@TempDir Path dir) {
        Path model = Fixtures.tiny(DType.F32);
        Path out = dir.resolve("l.safetensors");
        int code = EditgateCli.commandLine().execute("logits", "--model", model.toString(), "--tokens", "5,17,200",
                "--out", out.toString());
        assertThat(code).isZero();
        Tensor t = SafetensorsFile.open(out).tensor("logits");
        assertThat(t.dtype()).isEqualTo(DType.F32);
        assertThat(t.shape()).containsExactly(3, 320);
        try (TransformerForward f = TransformerForward.load(Checkpoint.load(model), ComputeDtype.FLOAT32, "cpu")) {
            Logits l = f.logits(new int[][] {{5, 17, 200}});
            for (int i = 0; i < l.values().length; i++) assertThat(t.getDouble(i)).isEqualTo(l.values()[i]);
        }
    }

    @Test
    void tokenizesAPromptAndRejectsABadDtype(@TempDir Path dir) {
        Path model = Fixtures.tiny(DType.F16);
        Path out = dir.resolve("p.safetensors");
        assertThat(EditgateCli.commandLine().execute("logits", "--model", model.toString(), "--prompt", "the cat",
                "--dtype", "fp16", "--out", out.toString())).isZero();
        assertThat(SafetensorsFile.open(out).tensor("logits").shape()[1]).isEqualTo(320);

        StringWriter err = new StringWriter();
        var cl = EditgateCli.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("logits", "--model", model.toString(), "--tokens", "1", "--dtype", "int4", "--out", out.toString()))
                .isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--dtype");
    }
}
