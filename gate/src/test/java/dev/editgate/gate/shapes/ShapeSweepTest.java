package dev.editgate.gate.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.gate.GateListener;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.model.GateReport;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapeSweepTest {
    static GateConfig config(Path report, String family, int shapes, String edit, long seed) {
        Map<GateKey, String> m = new EnumMap<>(GateKey.class);
        m.put(GateKey.MODEL, "shapes:" + family);
        m.put(GateKey.SHAPES, Integer.toString(shapes));
        m.put(GateKey.EDIT, edit);
        m.put(GateKey.SEED, Long.toString(seed));
        m.put(GateKey.REPORT, report.toString());
        return GateConfig.resolve(m, new Properties());
    }

    @Test
    void smoke(@TempDir Path tmp) {
        for (String fam : ShapeGen.FAMILIES) {
            long t0 = System.nanoTime();
            GateReport r = new ShapeSweep(config(tmp, fam, 10, "builtin", 1), GateListener.NONE).run();
            System.out.println(fam + " " + r.verdict() + " " + (System.nanoTime() - t0) / 1e6 + " ms");
            r.shapes().summaryLines().forEach(System.out::println);
            r.stages().forEach(s -> System.out.println("  " + s.name() + " " + s.status() + " " + s.reason()));
        }
        for (String[] fm : new String[][] {{"llama", "hard_coded_group_size"}, {"llama", "head_dim_from_hidden"}, {"llama", "bias_assumed_present"},
                {"gpt_neox", "bias_assumed_present"}, {"llama", "tied_embeddings_written_twice"}, {"gpt2", "tied_embeddings_written_twice"}}) {
            long t0 = System.nanoTime();
            GateReport r = new ShapeSweep(config(tmp, fm[0], 50, "mutant:" + fm[1], 1), GateListener.NONE).run();
            System.out.println(fm[1] + " on " + fm[0] + ": " + r.verdict() + " " + (System.nanoTime() - t0) / 1e6 + " ms");
            r.shapes().summaryLines().forEach(System.out::println);
        }
    }
}
