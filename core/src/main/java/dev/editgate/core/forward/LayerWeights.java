package dev.editgate.core.forward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/** One layer's weights on the device, in the compute dtype, owned by the manager they were uploaded into. */
record LayerWeights(NDArray ln1Weight, NDArray ln1Bias, NDArray ln2Weight, NDArray ln2Bias,
                    NDArray qkvWeight, NDArray qkvBias, NDArray denseWeight, NDArray denseBias,
                    NDArray upWeight, NDArray upBias, NDArray downWeight, NDArray downBias) {

    static LayerWeights upload(NDManager m, Checkpoint ck, int i, DataType dtype) {
        return new LayerWeights(
                upload(m, ck.tensor(GptNeoxNames.inputLnWeight(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.inputLnBias(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.postAttnLnWeight(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.postAttnLnBias(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.qkvWeight(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.qkvBias(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.denseWeight(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.denseBias(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.mlpUpWeight(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.mlpUpBias(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.mlpDownWeight(i)), dtype),
                upload(m, ck.tensor(GptNeoxNames.mlpDownBias(i)), dtype));
    }

    /**
     * Uploads a tensor in {@code target}. F32/F16/F64 bytes are wrapped without a copy (the tensor's data is
     * a direct buffer, e.g. an mmap slice, which DJL keeps referenced); when the dtype differs, libtorch
     * converts natively and the wrapper is dropped. BF16 is widened to fp32 in Java into a direct buffer first
     * (exact: fp32 bits = bf16 bits << 16), because DJL's PyTorch engine has no bfloat16.
     */
    static NDArray upload(NDManager m, Tensor t, DataType target) {
        Shape shape = new Shape(t.shape());
        NDArray raw = switch (t.dtype()) {
            case F64 -> m.create(direct(t.data()), shape, DataType.FLOAT64);
            case F32 -> m.create(direct(t.data()), shape, DataType.FLOAT32);
            case F16 -> m.create(direct(t.data()), shape, DataType.FLOAT16);
            case BF16 -> m.create(widenBf16(t.data()), shape, DataType.FLOAT32);
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "' has dtype " + t.dtype()
                    + "; the forward needs F64, F32, F16 or BF16 weights");
        };
        if (raw.getDataType() == target) return raw;
        NDArray converted = raw.toType(target, true);
        raw.close();
        return converted;
    }

    /** DJL wraps a direct buffer in place and ignores its position, so hand it a slice starting at 0. */
    private static ByteBuffer direct(ByteBuffer b) {
        if (b.isDirect()) return b.slice().order(ByteOrder.nativeOrder());
        ByteBuffer copy = ByteBuffer.allocateDirect(b.remaining()).order(ByteOrder.nativeOrder());
        copy.put(b.duplicate()).flip();
        return copy;
    }

    private static ByteBuffer widenBf16(ByteBuffer bf16) {
        ShortBuffer src = bf16.duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        ByteBuffer out = ByteBuffer.allocateDirect(src.remaining() * 4).order(ByteOrder.nativeOrder());
        while (src.hasRemaining()) out.putInt((src.get() & 0xFFFF) << 16);
        return out.flip();
    }

    void close() {
        for (NDArray a : new NDArray[] {ln1Weight, ln1Bias, ln2Weight, ln2Bias, qkvWeight, qkvBias, denseWeight,
                denseBias, upWeight, upBias, downWeight, downBias}) {
            a.close();
        }
    }
}
