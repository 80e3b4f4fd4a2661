package dev.editgate.core.numeric;

import dev.editgate.core.safetensors.Tensor;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Singular values of 2-D tensors, in double: the Gram matrix of the smaller side ({@code A Aᵀ} or
 * {@code Aᵀ A}, built with EJML's symmetric inner/outer products) and EJML's symmetric eigenvalue
 * decomposition without eigenvectors; σ_i = sqrt(max(λ_i, 0)).
 *
 * <p>Accuracy: each σ_i carries an absolute error of about {@code ε·σ_max²/σ_i} (the Gram matrix squares
 * the condition number), so values are accurate to ~1e-13 relative for condition numbers up to ~1e3
 * and the smallest ones degrade beyond ~1e7. Fine for comparing a matrix with a permuted copy
 * (both carry the same error) and for the weights of trained or random models. Permuting rows or
 * columns only reorders the sums inside the Gram matrix, so a permuted matrix gives the same values to
 * ~1e-13 relative; rows and columns are put in a canonical order first, so in practice a permuted matrix gives
 * bit-identical values (see {@link #canonicalOrder}).
 *
 * <p>Tall matrices are transposed first (same singular values) so the product is EJML's row-major-friendly
 * {@code multOuter}: its column-walking {@code multInner} took 7.6 s on 2304×768 against 1.2 s this way.
 * Cost for 768×2304 or 2304×768 on the shared 2-core build machine: 1.0–2.1 s depending on load (canonical
 * ordering ~0.25 s of it; EJML's full SVD, values only, took 2.9–3.3 s); compute once per tensor, never per trial.
 */
public final class Spectra {
    private Spectra() {}

    /** Singular values (descending) and condition number of a rank-2 floating tensor. */
    public static Spectrum of(Tensor matrix2d) {
        if (matrix2d.rank() != 2) {
            throw new IllegalArgumentException("tensor '" + matrix2d.name() + "': singular values need a 2-D tensor, got shape "
                    + Arrays.toString(matrix2d.shape()));
        }
        if (!matrix2d.dtype().isFloating()) {
            throw new IllegalArgumentException("tensor '" + matrix2d.name() + "' has dtype " + matrix2d.dtype()
                    + "; expected F64, F32, F16 or BF16");
        }
        int rows = matrix2d.dim(0), cols = matrix2d.dim(1);
        // wide orientation (rows <= cols) so the Gram matrix is the row-major-friendly A Aᵀ
        boolean transpose = rows > cols;
        DMatrixRMaj a = transpose ? new DMatrixRMaj(cols, rows) : new DMatrixRMaj(rows, cols);
        double[] data = a.data;
        if (transpose) {
            for (int r = 0, i = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) data[c * rows + r] = matrix2d.getDouble(i++);
            }
        } else {
            for (int i = 0; i < data.length; i++) data[i] = matrix2d.getDouble(i);
        }
        return of(a);
    }

    /** Singular values (descending) and condition number of a row-major {@code rows × cols} array. */
    public static Spectrum of(double[] rowMajor, int rows, int cols) {
        if ((long) rows * cols != rowMajor.length) {
            throw new IllegalArgumentException(rowMajor.length + " values for a " + rows + "x" + cols + " matrix");
        }
        DMatrixRMaj a = DMatrixRMaj.wrap(rows, cols, rowMajor.clone());
        return of(rows > cols ? CommonOps_DDRM.transpose(a, null) : a);
    }

    private static Spectrum of(DMatrixRMaj a) {
        int rows = a.numRows, cols = a.numCols;
        int k = Math.min(rows, cols);
        if (k == 0) return Spectrum.of(new double[0]);
        for (double x : a.data) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("matrix has non-finite entries; scan it with NonFinite.scan first");
            }
        }
        DMatrixRMaj canonical = canonicalOrder(a);
        return RECENT.computeIfAbsent(canonical, Spectra::ofCanonical);
    }

    /**
     * The spectra of the last few distinct canonical matrices: the values are a deterministic function of the canonical
     * matrix's bits, so a matrix whose canonical form equals one seen before (a head permutation of the original, every
     * trial of the numeric stage) gets the very values the Gram product and eigendecomposition would give again, without
     * them. A different bit anywhere is a different key and computes afresh.
     */
    private static final CanonicalMemo RECENT = new CanonicalMemo(4);

    /** {@link #of(DMatrixRMaj)} after canonical ordering: the Gram matrix of the smaller side and its eigenvalues. */
    static Spectrum ofCanonical(DMatrixRMaj a) {
        int rows = a.numRows, cols = a.numCols;
        int k = Math.min(rows, cols);
        DMatrixRMaj gram = new DMatrixRMaj(k, k);
        if (rows <= cols) {
            CommonOps_DDRM.multOuter(a, gram); // A Aᵀ, rows x rows (row-major friendly)
        } else {
            CommonOps_DDRM.multInner(a, gram); // Aᵀ A, cols x cols (callers above pass wide matrices)
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(k, false, true);
        if (!eig.decompose(gram)) {
            throw new IllegalStateException("symmetric eigen decomposition did not converge for a " + rows + "x" + cols + " matrix");
        }
        double[] sv = new double[k];
        for (int i = 0; i < k; i++) {
            double lambda = eig.getEigenvalue(i).getReal();
            sv[i] = Math.sqrt(Math.max(lambda, 0));
        }
        Arrays.sort(sv);
        for (int i = 0, j = k - 1; i < j; i++, j--) {
            double t = sv[i]; sv[i] = sv[j]; sv[j] = t;
        }
        return Spectrum.of(sv);
    }

    /**
     * The same matrix with rows and columns sorted by canonical keys: a row's key is its sorted values (unchanged by
     * column permutations), a column's key its sorted values (unchanged by row permutations), ties broken by the
     * raw content. Singular values do not depend on row or column order, but floating-point sums do; sorting first
     * makes {@code Spectra.of(P A Q)} bit-identical to {@code Spectra.of(A)} for permutations P, Q whenever the keys
     * are distinct (always, for real weights), so a head permutation gives exactly equal spectra.
     */
    static DMatrixRMaj canonicalOrder(DMatrixRMaj a) {
        int m = a.numRows, n = a.numCols;
        double[][] rows = new double[m][], rowKeys = new double[m][];
        for (int i = 0; i < m; i++) {
            rows[i] = Arrays.copyOfRange(a.data, i * n, (i + 1) * n);
            rowKeys[i] = rows[i].clone();
            Arrays.sort(rowKeys[i]);
        }
        double[][] cols = new double[n][m], colKeys = new double[n][];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) cols[j][i] = rows[i][j];
        }
        for (int j = 0; j < n; j++) {
            colKeys[j] = cols[j].clone();
            Arrays.sort(colKeys[j]);
        }
        Integer[] rowOrder = order(rowKeys, rows), colOrder = order(colKeys, cols);
        DMatrixRMaj out = new DMatrixRMaj(m, n);
        for (int i = 0; i < m; i++) {
            double[] src = rows[rowOrder[i]];
            for (int j = 0; j < n; j++) out.data[i * n + j] = src[colOrder[j]];
        }
        return out;
    }

    private static Integer[] order(double[][] keys, double[][] raw) {
        Integer[] idx = new Integer[keys.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (x, y) -> {
            int c = Arrays.compare(keys[x], keys[y]);
            return c != 0 ? c : Arrays.compare(raw[x], raw[y]);
        });
        return idx;
    }

    /**
     * True when both spectra have the same length and every pair of singular values differs by at most
     * {@code relTol × σ_max} (the larger of the two largest values): the natural scale of the Gram route's error.
     */
    public static boolean sameSpectrum(Spectrum a, Spectrum b, double relTol) {
        return maxRelativeDifference(a, b) <= relTol;
    }

    /**
     * max_i |a_i - b_i| / max(σ_max(a), σ_max(b)); {@code +Infinity} when the lengths differ, 0 when both
     * are empty or zero.
     */
    public static double maxRelativeDifference(Spectrum a, Spectrum b) {
        double[] x = a.singularValues(), y = b.singularValues();
        if (x.length != y.length) return Double.POSITIVE_INFINITY;
        if (x.length == 0) return 0;
        double scale = Math.max(x[0], y[0]);
        double worst = 0;
        for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
        if (worst == 0) return 0;
        return worst / scale;
    }
}
