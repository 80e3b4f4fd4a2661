package dev.editgate.properties;

import dev.editgate.core.edit.Permutation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs every planted failure over many seeds and tabulates how often shrinking reached the known
 * minimum. Exhaustive generation is off: 100 tries are fewer than 6! and 8!, so values are random.
 * {@code main} prints the table (see the properties README for the command).
 */
final class PlantedFailureTable {
    /** One row: a planted failure on {@code heads} heads over {@code seeds} seeds. */
    record Row(String property, int heads, int seeds, int minimumFound, int failuresFound, double medianShrinkSteps,
               Duration total) {
        double minimumPercent() {
            return 100.0 * minimumFound / seeds;
        }
    }

    private PlantedFailureTable() {}

    static Row run(PlantedFailure planted, int heads, int seeds) {
        long start = System.nanoTime();
        int minimum = 0, found = 0;
        int[] steps = new int[seeds];
        Permutation expected = Permutation.parse(planted.minimum(), heads);
        for (int seed = 0; seed < seeds; seed++) {
            PropertyResult<Permutation> r = planted.check(heads, seed);
            if (r.passed()) continue;
            found++;
            steps[seed] = r.shrinkSteps();
            if (r.shrunk().orElseThrow().equals(expected)) minimum++;
        }
        Arrays.sort(steps);
        double median = seeds % 2 == 1 ? steps[seeds / 2] : (steps[seeds / 2 - 1] + steps[seeds / 2]) / 2.0;
        return new Row(planted.name(), heads, seeds, minimum, found, median, Duration.ofNanos(System.nanoTime() - start));
    }

    static List<Row> runAll(int seeds) {
        List<Row> rows = new ArrayList<>();
        for (int heads : new int[] {6, 8}) {
            for (PlantedFailure p : PlantedFailure.all()) rows.add(run(p, heads, seeds));
        }
        return rows;
    }

    static String format(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format("%-40s | %5s | %9s | %15s | %19s | %8s%n",
                "property", "heads", "failed", "minimum found %", "median shrink steps", "time"));
        for (Row r : rows) {
            sb.append(String.format("%-40s | %5d | %4d/%-4d | %14.0f%% | %19.1f | %5d ms%n", r.property(), r.heads(),
                    r.failuresFound(), r.seeds(), r.minimumPercent(), r.medianShrinkSteps(), r.total().toMillis()));
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        System.out.print(format(runAll(seeds)));
    }
}
