package dev.editgate.core.numeric;

import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Not a test: times {@link Spectra#of} on pythia-160m's layer shapes (QKV 2304x768, dense 768x768) in F16,
 * against EJML's own SVD (values only) for accuracy. Run:
 * {@code java -cp core/target/classes:core/target/test-classes:$(cat cp.txt) dev.editgate.core.numeric.SpectraBenchmark}
 */
public final class SpectraBenchmark {
    public static void main(String[] args) {
        SplittableRandom rng = new SplittableRandom(1);
        for (int[] shape : new int[][] {{2304, 768}, {768, 768}, {768, 2304}}) {
            int m = shape[0], n = shape[1];
            double[] v = new double[m * n];
            for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian() / Math.sqrt(n);
            Tensor t = Tensor.of("w", DType.F16, new long[] {m, n}, v);
            Spectrum s = null;
            long best = Long.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                s = Spectra.of(t);
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf("Spectra.of %dx%d F16: best of 3 %.0f ms; sigma_max %.6f sigma_min %.6f cond %.3f%n",
                    m, n, best / 1e6, s.max(), s.min(), s.conditionNumber());
            DMatrixRMaj w = new DMatrixRMaj(Math.min(m, n), Math.max(m, n));
            for (int i = 0; i < w.data.length; i++) w.data[i] = v[i];
            long c0 = System.nanoTime();
            Spectra.canonicalOrder(w);
            System.out.printf("  of which canonical row/column order: %.0f ms%n", (System.nanoTime() - c0) / 1e6);
            if (args.length > 0 && args[0].equals("--svd")) {
                DMatrixRMaj a = new DMatrixRMaj(m, n);
                for (int i = 0; i < a.data.length; i++) a.data[i] = t.getDouble(i);
                long t0 = System.nanoTime();
                SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m, n, false, false, true);
                svd.decompose(a);
                double[] ref = svd.getSingularValues().clone();
                java.util.Arrays.sort(ref);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                double worst = 0, worstRel = 0;
                double[] got = s.singularValues();
                for (int i = 0; i < got.length; i++) {
                    double r = ref[ref.length - 1 - i];
                    worst = Math.max(worst, Math.abs(got[i] - r) / ref[ref.length - 1]);
                    worstRel = Math.max(worstRel, Math.abs(got[i] - r) / r);
                }
                System.out.printf("  EJML SVD (values only) %d ms; max |diff|/sigma_max %.2e, max elementwise rel %.2e%n", ms, worst, worstRel);
            }
        }
    }
}
