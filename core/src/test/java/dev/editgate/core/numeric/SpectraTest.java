package dev.editgate.core.numeric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.checkpoint.TestCheckpoints;
import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SpectraTest {

    static double[][] randomOrthogonal(int n, SplittableRandom rng) {
        // Gram-Schmidt on a random matrix, twice for stability
        double[][] q = new double[n][n];
        for (double[] row : q) for (int j = 0; j < n; j++) row[j] = rng.nextDouble(-1, 1);
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < i; k++) {
                    double dot = 0;
                    for (int j = 0; j < n; j++) dot += q[i][j] * q[k][j];
                    for (int j = 0; j < n; j++) q[i][j] -= dot * q[k][j];
                }
                double norm = 0;
                for (int j = 0; j < n; j++) norm += q[i][j] * q[i][j];
                norm = Math.sqrt(norm);
                for (int j = 0; j < n; j++) q[i][j] /= norm;
            }
        }
        return q;
    }

    @Test
    void diagonalMatrix() {
        double[] a = new double[4 * 6];
        double[] s = {2, 3, 0.5, 1};
        for (int i = 0; i < 4; i++) a[i * 6 + i + 1] = (i % 2 == 0 ? 1 : -1) * s[i];
        Spectrum sp = Spectra.of(a, 4, 6);
        assertThat(sp.singularValues()).containsExactly(new double[] {3, 2, 1, 0.5}, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(sp.conditionNumber()).isCloseTo(6, org.assertj.core.data.Offset.offset(1e-12));
        Spectrum tall = Spectra.of(transpose(a, 4, 6), 6, 4);
        assertThat(Spectra.maxRelativeDifference(sp, tall)).isLessThan(1e-15);
        assertThat(sp.max()).isEqualTo(sp.singularValues()[0]);
        assertThat(sp.size()).isEqualTo(4);
    }

    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }

    @Test
    void orthogonalConstructionWithKnownSingularValues() {
        SplittableRandom rng = new SplittableRandom(5);
        int m = 30, n = 50;
        double[][] u = randomOrthogonal(m, rng), v = randomOrthogonal(n, rng);
        double[] s = new double[m];
        for (int i = 0; i < m; i++) s[i] = 10.0 / (1 + i); // condition number 30
        double[] a = new double[m * n];
        for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) {
            double x = 0;
            for (int k = 0; k < m; k++) x += u[r][k] * s[k] * v[c][k];
            a[r * n + c] = x;
        }
        Spectrum sp = Spectra.of(a, m, n);
        for (int i = 0; i < m; i++) assertThat(sp.singularValues()[i]).isCloseTo(s[i], org.assertj.core.data.Offset.offset(1e-12 * s[0]));
        assertThat(sp.conditionNumber()).isCloseTo(30, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void agreesWithCommonsMathSvdOnRandomMatrices() {
        SplittableRandom rng = new SplittableRandom(40);
        for (int[] shape : new int[][] {{40, 70}, {70, 40}, {33, 33}}) {
            int m = shape[0], n = shape[1];
            double[][] a2 = new double[m][n];
            double[] flat = new double[m * n];
            for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) flat[r * n + c] = a2[r][c] = rng.nextGaussian();
            double[] expected = new SingularValueDecomposition(new Array2DRowRealMatrix(a2, false)).getSingularValues();
            Spectrum sp = Spectra.of(flat, m, n);
            assertThat(sp.size()).isEqualTo(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(sp.singularValues()[i]).as("%dx%d sv %d", m, n, i)
                        .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-11 * expected[0]));
            }
            double cond = expected[0] / expected[expected.length - 1];
            assertThat(sp.conditionNumber()).isCloseTo(cond, org.assertj.core.data.Offset.offset(1e-8 * cond));
            // and through a tensor, F64 and F32
            Tensor t64 = Tensor.of("a", DType.F64, new long[] {m, n}, flat);
            assertThat(Spectra.maxRelativeDifference(Spectra.of(t64), sp)).isZero();
            assertThat(Spectra.sameSpectrum(Spectra.of(Tensor.of("a", DType.F32, new long[] {m, n}, flat)), sp, 1e-6)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32", "F16", "BF16"})
    void spectraOfThePermutedLayerEqualTheOriginals(DType dtype) {
        GptNeoxConfig c = TestCheckpoints.config(2, 8, 8, dtype); // hidden 64: qkv 192x64, dense 64x64
        Checkpoint original = TestCheckpoints.random(c, dtype, 41);
        Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 1, Permutation.parse("(0 1 2)(3 7)", 8));
        for (String name : new String[] {GptNeoxNames.qkvWeight(1), GptNeoxNames.denseWeight(1)}) {
            Spectrum a = Spectra.of(original.tensor(name)), b = Spectra.of(edited.tensor(name));
            assertThat(Spectra.maxRelativeDifference(a, b)).as(name).isLessThan(1e-12);
            // element-wise: the Gram route's error on σ_i is ~ε·σ_max²/σ_i, so relative error grows as (σ_max/σ_i)²
            for (int i = 0; i < a.size(); i++) {
                double si = a.singularValues()[i], ratio = a.max() / si;
                assertThat(Math.abs(si - b.singularValues()[i]) / si).as("%s sv %d", name, i).isLessThan(1e-13 * ratio * ratio);
            }
            double ratio = a.conditionNumber();
            assertThat(Math.abs(a.conditionNumber() - b.conditionNumber()) / a.conditionNumber()).isLessThan(2e-13 * ratio * ratio);
            assertThat(Spectra.sameSpectrum(a, b, 1e-12)).isTrue();
            assertThat(b).as("canonical order makes them bit-identical").isEqualTo(a);
        }
        // a different matrix is told apart
        Spectrum qkv = Spectra.of(original.tensor(GptNeoxNames.qkvWeight(1)));
        Spectrum other = Spectra.of(original.tensor(GptNeoxNames.qkvWeight(0)));
        assertThat(Spectra.sameSpectrum(qkv, other, 1e-6)).isFalse();
    }

    @Test
    void anyRowAndColumnPermutationGivesBitIdenticalValues() {
        SplittableRandom rng = new SplittableRandom(77);
        int m = 37, n = 53;
        double[] a = new double[m * n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
        a[5] = 1e-3; // make it ill-conditioned-ish in one direction
        int[] rp = PermutationShuffle.shuffle(m, rng), cp = PermutationShuffle.shuffle(n, rng);
        double[] b = new double[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) b[i * n + j] = a[rp[i] * n + cp[j]];
        assertThat(Spectra.of(b, m, n)).isEqualTo(Spectra.of(a, m, n));
        assertThat(Spectra.of(transpose(b, m, n), n, m)).isEqualTo(Spectra.of(a, m, n));
    }

    static final class PermutationShuffle {
        static int[] shuffle(int n, SplittableRandom rng) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) p[i] = i;
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = p[i]; p[i] = p[j]; p[j] = t;
            }
            return p;
        }
    }

    @Test
    void edgeCasesAndErrors() {
        assertThat(Spectra.of(new double[] {0, 0, 0, 0}, 2, 2).conditionNumber()).isInfinite();
        assertThat(Spectra.of(new double[0], 0, 3).size()).isZero();
        assertThat(Spectra.of(new double[0], 0, 3).conditionNumber()).isNaN();
        assertThat(Spectra.maxRelativeDifference(Spectrum.of(new double[] {1}), Spectrum.of(new double[] {1, 1}))).isInfinite();
        assertThatThrownBy(() -> Spectra.of(Tensor.of("v", DType.F32, new long[] {3}, new double[3])))
                .hasMessageContaining("tensor 'v': singular values need a 2-D tensor, got shape [3]");
        assertThatThrownBy(() -> Spectra.of(new double[] {1, Double.NaN}, 1, 2)).hasMessageContaining("non-finite");
        assertThatThrownBy(() -> Spectra.of(new double[3], 2, 2)).hasMessageContaining("3 values for a 2x2 matrix");
        assertThatThrownBy(() -> new Spectrum(new double[] {1, 2}, 0.5)).hasMessageContaining("descending");
    }

    @Test
    void memoizedSpectraAreWhatComputingAgainGives() {
        java.util.Random r = new java.util.Random(16);
        int m = 9, n = 14;
        double[] a = new double[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
        Spectrum first = Spectra.of(a, m, n);
        // a row and column permutation: the same canonical matrix, so the memo answers; it must be the computed value
        double[] b = new double[a.length];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) b[i * n + j] = a[((i + 4) % m) * n + (j * 3) % n];
        Spectrum memo = Spectra.of(b, m, n);
        Spectrum fresh = Spectra.ofCanonical(Spectra.canonicalOrder(org.ejml.data.DMatrixRMaj.wrap(m, n, b.clone())));
        assertThat(memo).isEqualTo(fresh).isEqualTo(first);
        // one bit different: another key, computed afresh
        double[] c = a.clone();
        c[17] = Math.nextUp(c[17]);
        Spectrum changed = Spectra.of(c, m, n);
        assertThat(changed).isEqualTo(Spectra.ofCanonical(Spectra.canonicalOrder(org.ejml.data.DMatrixRMaj.wrap(m, n, c.clone()))));
        assertThat(Spectra.maxRelativeDifference(changed, first)).isGreaterThan(0);
    }
}
