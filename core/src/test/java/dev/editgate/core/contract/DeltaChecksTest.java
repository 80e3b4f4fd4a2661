package dev.editgate.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rank of ΔW counts real directions and not the rounding of the stored result, in every floating dtype. */
class DeltaChecksTest {
    private static double[] random(SplittableRandom r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextDouble(-1, 1);
        return x;
    }

    private static DeltaChecks.Delta delta(DType dtype, int rank, double size) {
        int rows = 24, cols = 40;
        SplittableRandom r = new SplittableRandom(rank * 31L + dtype.ordinal());
        double[] w = random(r, rows * cols);
        double[] w2 = w.clone();
        for (int k = 0; k < rank; k++) {
            double[] u = random(r, rows), v = random(r, cols);
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) w2[i * cols + j] += size * u[i] * v[j];
        }
        long[] shape = {rows, cols};
        return DeltaChecks.delta(Tensor.of("w", dtype, shape, w), Tensor.of("w", dtype, shape, w2));
    }

    @Test
    void rankCountsTheUpdateNotTheRounding() {
        for (DType t : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (int rank = 1; rank <= 3; rank++) {
                DeltaChecks.Delta d = delta(t, rank, 0.3);
                assertThat(d.rank()).as(t + " rank-" + rank + " update: " + d).isEqualTo(rank);
            }
        }
    }

    @Test
    void relativeNormIsFrobeniusOfDeltaOverWeight() {
        DeltaChecks.Delta d = delta(DType.F32, 1, 0.0);
        assertThat(d.relativeNorm()).isZero();
        assertThat(d.rank()).isZero();
        assertThat(delta(DType.F32, 2, 1.0).relativeNorm()).isGreaterThan(0.3);
    }
}
