package dev.editgate.core.forward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.model.TensorRole;
import dev.editgate.core.model.TensorSpec;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One layer's weights on the device, in the compute dtype, by role, owned by the manager they were uploaded
 * into; a half model holds its projection weights widened exactly to fp32 (see {@link Projection}). A role this
 * model lacks (a bias, a gate) is absent. Matrices stored {@code [in, out]} (GPT-2's Conv1D) are handed out as
 * {@code [out, in]} views, so the forward applies every projection as a torch Linear.
 */
final class LayerWeights {
    private final Map<TensorRole, NDArray> byRole;

    private LayerWeights(Map<TensorRole, NDArray> byRole) {
        this.byRole = byRole;
    }

    static LayerWeights upload(NDManager m, Checkpoint ck, int layer, DataType dtype) {
        return uploadChanged(m, ck, layer, dtype, null, null);
    }

    /**
     * Layer {@code layer} of {@code ck}, uploaded into {@code m} except the tensors that are the very objects of
     * {@code baseCk} (an edit shares what it did not change): those reuse {@code base}'s arrays, which stay owned
     * by base's manager. The values are the same either way; only the changed tensors cost an upload. With no base
     * ({@code null}), every tensor is uploaded.
     */
    static LayerWeights uploadChanged(NDManager m, Checkpoint ck, int layer, DataType dtype, Checkpoint baseCk, LayerWeights base) {
        Map<TensorRole, NDArray> out = new EnumMap<>(TensorRole.class);
        for (TensorSpec spec : ck.layout().tensorTable()) {
            if (spec.layer() != layer) continue;
            Tensor t = ck.tensor(spec.name());
            NDArray shared = base != null && baseCk.tensors().get(spec.name()) == t ? base.byRole.get(spec.role()) : null;
            if (shared != null) {
                out.put(spec.role(), shared);
                continue;
            }
            NDArray a = upload(m, t, Projection.storage(spec.role(), dtype, m.getDevice()));
            out.put(spec.role(), spec.inOut() ? a.transpose() : a);      // Conv1D [in, out] -> Linear [out, in]
        }
        return new LayerWeights(out);
    }

    /** The weight of {@code role}; the role must exist. */
    NDArray get(TensorRole role) {
        NDArray a = byRole.get(role);
        if (a == null) throw new IllegalStateException("layer has no " + role + " weight");
        return a;
    }

    /** The weight of {@code role}, or null when this model has none (e.g. a bias). */
    NDArray optional(TensorRole role) { return byRole.get(role); }

    boolean has(TensorRole role) { return byRole.containsKey(role); }

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
        List<NDArray> all = new ArrayList<>(byRole.values());
        for (NDArray a : all) a.close();
    }
}
