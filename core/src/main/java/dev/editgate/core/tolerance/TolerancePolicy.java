package dev.editgate.core.tolerance;

import dev.editgate.core.forward.ComputeDtype;

/** How much logit error an edited model may show against a float64 run of the original. */
public sealed interface TolerancePolicy {

    /**
     * Derived from the model (GUIDE §3): the unedited model's own error in the dtype against float64 sets the
     * scale; an edit passes when its max |Δ| ≤ {@code factor} · baseline max |Δ| + {@code absFloor}. A head
     * permutation only reorders a sum inside {@code dense}, so a correct one lands at the baseline's size.
     */
    record Derived(double factor, double absFloor) implements TolerancePolicy {
        public Derived {
            if (!(factor >= 1)) throw new IllegalArgumentException("tolerance factor must be >= 1, got " + factor);
            if (!(absFloor >= 0)) throw new IllegalArgumentException("absolute floor must be >= 0, got " + absFloor);
        }

        /**
         * Factor 4 (reordering a sum may double the rounding error, plus headroom for the prompt set) and a floor
         * that matters only when the baseline is tiny: fp64 1e-9; fp32 1e-5 (torch.testing's atol); fp16 2e-3 (about
         * 4 units of roundoff, u = 4.9e-4, at the O(1) logit scale; HF's own fp16 tests allow 5e-3).
         */
        public static Derived defaultFor(ComputeDtype dtype) {
            return defaults(dtype);
        }

        /** Same as {@link #defaultFor}. */
        public static Derived defaults(ComputeDtype dtype) {
            return switch (dtype) {
                case FLOAT64 -> new Derived(4, 1e-9);
                case FLOAT32 -> new Derived(4, 1e-5);
                case FLOAT16 -> new Derived(4, 2e-3);
            };
        }
    }

    /** Fixed element-wise bounds, torch.testing.assert_close style: |Δ| ≤ atol + rtol·|ref| everywhere. */
    record Fixed(double rtol, double atol) implements TolerancePolicy {
        public Fixed {
            if (!(rtol >= 0) || !(atol >= 0)) throw new IllegalArgumentException("rtol and atol must be >= 0, got " + rtol + ", " + atol);
        }

        /** torch.testing.assert_close defaults: fp64 1e-7/1e-7, fp32 1.3e-6/1e-5, fp16 1e-3/1e-5. */
        public static Fixed torchTestingDefaults(ComputeDtype dtype) {
            return switch (dtype) {
                case FLOAT64 -> new Fixed(1e-7, 1e-7);
                case FLOAT32 -> new Fixed(1.3e-6, 1e-5);
                case FLOAT16 -> new Fixed(1e-3, 1e-5);
            };
        }

        /** torch.testing.assert_close's bfloat16 defaults, rtol 1.6e-2, atol 1e-5 (for bf16-trained comparisons). */
        public static Fixed torchTestingBfloat16() { return new Fixed(1.6e-2, 1e-5); }
    }
}
