package dev.editgate.core.forward;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import dev.editgate.core.model.TensorRole;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every projection of the forward ({@code y = x·Wᵀ + b}, a torch Linear): q/k/v, the output projection, the MLP and
 * the unembedding.
 *
 * <p>In fp32 and fp64 it is DJL's Linear as it is. In <b>fp16</b> the activations stay float16 but the product is
 * the arithmetic of a GPU's half GEMM: the operands, widened exactly to fp32 (every fp16 value is an fp32 value),
 * are multiplied and accumulated in fp32 with the bias, and the result is rounded once to fp16. cuBLAS and
 * libtorch's own CPU half GEMM compute the same thing (fp32 accumulation, one rounding at the output) in another
 * summation order; running it as an fp32 GEMM makes a half forward on a CPU about as fast as an fp32 one instead of
 * 3-4x slower. The weights of a half model on a CPU are therefore held widened to fp32 ({@link #WIDENED_IN_HALF}).
 */
public final class Projection {
    private Projection() {}

    /** The weights and biases that only ever enter a projection; a half model holds them in fp32 (exactly). */
    static final Set<TensorRole> WIDENED_IN_HALF = EnumSet.of(
            TensorRole.QKV_WEIGHT, TensorRole.QKV_BIAS,
            TensorRole.Q_WEIGHT, TensorRole.Q_BIAS, TensorRole.K_WEIGHT, TensorRole.K_BIAS, TensorRole.V_WEIGHT, TensorRole.V_BIAS,
            TensorRole.O_WEIGHT, TensorRole.O_BIAS,
            TensorRole.MLP_UP_WEIGHT, TensorRole.MLP_UP_BIAS, TensorRole.MLP_GATE_WEIGHT, TensorRole.MLP_GATE_BIAS,
            TensorRole.MLP_DOWN_WEIGHT, TensorRole.MLP_DOWN_BIAS,
            TensorRole.UNEMBED);

    /**
     * The dtype a tensor of {@code role} is held in when the model computes in {@code compute} on {@code device}: fp32
     * for a half model's projection weights on a CPU; on a GPU the native half GEMM is the fast one and keeps them fp16.
     */
    public static DataType storage(TensorRole role, DataType compute, Device device) {
        boolean cpu = Device.Type.CPU.equals(device.getDeviceType());
        return compute == DataType.FLOAT16 && cpu && WIDENED_IN_HALF.contains(role) ? DataType.FLOAT32 : compute;
    }

    /**
     * {@code x (..., in) · weight (out, in)ᵀ + bias (out)} → {@code (..., out)} in x's dtype; {@code bias} may be null.
     * A float16 x with fp32 weights (what {@link #storage} chose on a CPU) takes the widened product; otherwise DJL's Linear.
     */
    public static NDArray apply(NDArray x, NDArray weight, NDArray bias) {
        if (x.getDataType() != DataType.FLOAT16 || weight.getDataType() != DataType.FLOAT32) {
            return Linear.linear(x, weight, bias).singletonOrThrow();
        }
        NDArray wide = x.toType(DataType.FLOAT32, false);                               // (..., in), exact
        return Linear.linear(wide, weight, bias).singletonOrThrow()                      // (..., out) fp32 accumulation
                .toType(DataType.FLOAT16, false);                                        // one rounding to fp16
    }
}
