"""Every edit kind editgate checks (docs/external-edit-protocol.md, version 2), as plain numpy, for every family.

The Python twin of editgate's built-in reference edits: the same tensors, the same bytes out. Kinds (the protocol's
``edit``) and their parameters (the protocol's ``params``; numpy int arrays here):

============================  =========  ============================================  ==========================
kind                          per layer  params                                        families
============================  =========  ============================================  ==========================
``head-permutation``          yes        ``permutation``: H query heads                all
``kv-group-permutation``      yes        ``permutation``: K KV heads (sigma)            all (K == H: = heads)
``mlp-permutation``           yes        ``permutation``: I MLP neurons                all
``residual-permutation``      no         ``permutation``: d residual coordinates       all
``qk-scaling``                yes        ``exponents``: H ints, equal per KV group     all
``vo-scaling``                yes        ``exponents``: H ints, equal per KV group     all
``up-down-scaling``           yes        ``exponents``: I ints                         llama family (SwiGLU)
============================  =========  ============================================  ==========================

Conventions (H heads, K KV heads, g = H / K, hd head_dim, d hidden size, I intermediate size):

- permutations are gather maps: new index i = old index p[i] (numpy ``x[p]``); composing a then b is
  ``a[b]`` (editing by a, then by b, equals editing by ``compose(kind, a, b)``), the inverse is ``argsort``;
- a scaling multiplies by ``2**e`` exactly (exponent arithmetic on the stored dtype: fp32, fp16 and bf16, the
  latter stored as uint16 bits; see ``scale_pow2``); exponents compose by adding and invert by negating.
  The gate proposes exponents in -3..3 (a composite may reach -6..6); any integer is accepted here.

Functions take ``(tensors, config, ...)`` where ``config`` is ``layouts.read_config(request["input"])`` and return
only the tensors they changed, as new arrays (inputs are never written). ``edit(tensors, request)`` is a ready
edit function for any version 1 or 2 request naming one of these kinds.
"""
from collections import namedtuple

import numpy as np

from . import layouts

__all__ = ["HEAD_PERMUTATION", "KV_GROUP_PERMUTATION", "MLP_PERMUTATION", "RESIDUAL_PERMUTATION", "QK_SCALING",
           "VO_SCALING", "UP_DOWN_SCALING", "KINDS", "PERMUTATIONS", "SCALINGS", "Axis",
           "intermediate_size", "tied_embeddings", "parameter_length", "check_layer", "check_permutation",
           "check_exponents", "group_exponents", "identity", "inverse", "compose", "kv_group_heads",
           "mlp_parts", "residual_axes", "gather_axes", "scale_pow2", "scale_axes", "head_block_factors",
           "qk_factors", "vo_factors", "up_down_factors", "permute_heads", "permute_kv_groups", "permute_mlp",
           "permute_residual", "scale_qk", "scale_vo", "scale_up_down", "apply", "edit"]

HEAD_PERMUTATION, KV_GROUP_PERMUTATION = "head-permutation", "kv-group-permutation"
MLP_PERMUTATION, RESIDUAL_PERMUTATION = "mlp-permutation", "residual-permutation"
QK_SCALING, VO_SCALING, UP_DOWN_SCALING = "qk-scaling", "vo-scaling", "up-down-scaling"
PERMUTATIONS = (HEAD_PERMUTATION, KV_GROUP_PERMUTATION, MLP_PERMUTATION, RESIDUAL_PERMUTATION)
SCALINGS = (QK_SCALING, VO_SCALING, UP_DOWN_SCALING)
KINDS = PERMUTATIONS + SCALINGS
_WHOLE_MODEL = (RESIDUAL_PERMUTATION,)

Axis = namedtuple("Axis", "role tensor axis")
Axis.__doc__ = """One axis of one tensor an edit acts on. role says what the tensor is to the kind: for an MLP
permutation gate, up (and gate_bias, up_bias) or down; for a residual permutation embed, position, norm, read,
write, final_norm or unembed (see residual_axes)."""


# ---------------------------------------------------------------------------------------------------------- shape

def intermediate_size(config):
    """I, the MLP's neuron count: GPT-2 ``n_inner`` (else 4 * n_embd), the others ``intermediate_size``."""
    s = layouts.shape(config)
    if s.family == "gpt2":
        inner = config.get("n_inner")
        return 4 * s.hidden if inner is None else layouts._get(config, "n_inner")
    return layouts._get(config, "intermediate_size")


def tied_embeddings(config, names):
    """True when the unembedding is the embedding tensor itself (GPT-2 by default, Llama/Qwen2 when configured)."""
    fam = layouts.family(config)
    if fam == "gpt_neox":
        return False  # embed_out (or lm_head) is always its own tensor
    tied = config.get("tie_word_embeddings")
    return (fam == "gpt2") if tied is None else tied is True


def _mlp_bias(config):
    return layouts._model_type(config) == "llama" and config.get("mlp_bias", False) is True


def parameter_length(kind, config):
    """How many entries ``kind``'s parameter has on this model."""
    s = layouts.shape(config)
    return {HEAD_PERMUTATION: s.heads, KV_GROUP_PERMUTATION: s.kv_heads, MLP_PERMUTATION: intermediate_size(config),
            RESIDUAL_PERMUTATION: s.hidden, QK_SCALING: s.heads, VO_SCALING: s.heads,
            UP_DOWN_SCALING: intermediate_size(config)}[_known(kind)]


def check_layer(config, layer):
    """layer as an int; ValueError unless it is an integer naming one of the model's layers."""
    if layer is None or isinstance(layer, bool) or not isinstance(layer, (int, np.integer)):
        raise ValueError(f"this edit acts on one layer: the request needs an integer \"layer\", got {layer!r}")
    layers = layouts.shape(config).layers
    if not 0 <= layer < layers:
        raise ValueError(f"layer {layer} is out of range: the model has {layers} layers (0..{layers - 1})")
    return int(layer)


def _known(kind):
    if kind not in KINDS:
        raise ValueError(f"unknown edit kind {kind!r}; expected one of {', '.join(KINDS)}")
    return kind


# ----------------------------------------------------------------------------------------------------- parameters

def _ints(values, what):
    a = np.asarray(values)
    if a.ndim != 1 or (a.size and a.dtype.kind not in "iu"):
        raise ValueError(f"{what} must be a list of integers, got {_shown(np.ravel(a).tolist()) if a.ndim else values!r}")
    return a.astype(np.int64)


def _shown(a, limit=24):
    """A list for an error message, its head only when long."""
    a = list(a)
    return str(a) if len(a) <= limit else f"[{', '.join(map(str, a[:limit]))}, ... ({len(a)} entries)]"


def check_permutation(perm, n, what="permutation"):
    """perm as an int64 array; ValueError unless it is a permutation of 0..n-1."""
    p = _ints(perm, what)
    if p.size != n:
        raise ValueError(f"{what} has {p.size} entries; the model has {n} (a permutation of 0..{n - 1} expected)")
    if not np.array_equal(np.sort(p), np.arange(n)):
        missing = np.setdiff1d(np.arange(n), p)
        raise ValueError(f"{what} {_shown(p.tolist())} is not a permutation of 0..{n - 1}: {_shown(missing.tolist())} missing")
    return p


def check_exponents(exponents, n, what="exponents"):
    e = _ints(exponents, what)
    if e.size != n:
        raise ValueError(f"{what} has {e.size} entries; {n} expected")
    return e


def _param(kind):
    return "exponents" if kind in SCALINGS else "permutation"


def identity(kind, config):
    """The parameter that leaves the model unchanged: {"permutation": arange} or {"exponents": zeros}."""
    n = parameter_length(kind, config)
    return {"permutation": np.arange(n)} if kind in PERMUTATIONS else {"exponents": np.zeros(n, np.int64)}


def inverse(kind, params):
    """The parameter undoing ``params``: the inverse permutation (argsort) or the negated exponents."""
    v = np.asarray(params[_param(_known(kind))], dtype=np.int64)
    return {"permutation": np.argsort(v)} if kind in PERMUTATIONS else {"exponents": -v}


def compose(kind, a, b):
    """Editing by a, then by b, equals editing by compose(kind, a, b): ``a[b]`` for permutations, ``a + b`` for scalings."""
    name = _param(_known(kind))
    x, y = np.asarray(a[name], dtype=np.int64), np.asarray(b[name], dtype=np.int64)
    return {name: x[y] if kind in PERMUTATIONS else x + y}


def kv_group_heads(sigma, group_size):
    """pi, the query-head permutation of a KV-group permutation sigma: pi[j*g + r] = sigma[j]*g + r."""
    sigma = np.asarray(sigma, dtype=np.int64)
    return (sigma[:, None] * group_size + np.arange(group_size)).ravel()  # [K, g] -> [K*g]


# ------------------------------------------------------------------------------------------ where each kind acts

def _gpt2_prefix(names):
    return layouts._gpt2_prefix(names)


def mlp_parts(config, layer, names=()):
    """The axes of ``layer``'s MLP that index its I neurons: the in side (gate/up rows, GPT-2 c_fc columns, and
    their biases) and the out side (down columns, GPT-2 mlp.c_proj rows). The out side's bias is not per neuron."""
    s = layouts.shape(config)
    layer = check_layer(config, layer)
    if s.family == "gpt_neox":
        p = f"gpt_neox.layers.{layer}.mlp."
        return [Axis("up", p + "dense_h_to_4h.weight", 0), Axis("up_bias", p + "dense_h_to_4h.bias", 0),
                Axis("down", p + "dense_4h_to_h.weight", 1)]
    if s.family == "gpt2":
        p = f"{_gpt2_prefix(names)}h.{layer}.mlp."
        return [Axis("up", p + "c_fc.weight", 1), Axis("up_bias", p + "c_fc.bias", 0), Axis("down", p + "c_proj.weight", 0)]
    p = f"model.layers.{layer}.mlp."
    parts = [Axis("gate", p + "gate_proj.weight", 0), Axis("up", p + "up_proj.weight", 0)]
    if _mlp_bias(config):
        parts += [Axis("gate_bias", p + "gate_proj.bias", 0), Axis("up_bias", p + "up_proj.bias", 0)]
    return parts + [Axis("down", p + "down_proj.weight", 1)]


def residual_axes(config, names=()):
    """Every tensor axis of length d that indexes the residual stream, in model order. Roles: embed (and position,
    GPT-2's wpe), norm (per-layer norm weights and biases), read (the input axis of q/k/v/qkv and mlp up/gate/fc),
    write (the output axis of o/dense/attn c_proj and mlp down/dense_4h_to_h/mlp c_proj, and their biases),
    final_norm, unembed (absent when tied: the embedding is the unembedding). Attention-internal axes, MLP
    neurons and buffers (attn.bias masks, rotary inv_freq) are not listed."""
    s = layouts.shape(config)
    names = set(names)
    out = []
    if s.family == "gpt_neox":
        out.append(Axis("embed", "gpt_neox.embed_in.weight", 1))
        for i in range(s.layers):
            p = f"gpt_neox.layers.{i}."
            for ln in ("input_layernorm", "post_attention_layernorm"):
                out += [Axis("norm", p + ln + ".weight", 0), Axis("norm", p + ln + ".bias", 0)]
            out += [Axis("read", p + "attention.query_key_value.weight", 1), Axis("write", p + "attention.dense.weight", 0)]
            if s.o_bias:
                out.append(Axis("write", p + "attention.dense.bias", 0))
            out += [Axis("read", p + "mlp.dense_h_to_4h.weight", 1), Axis("write", p + "mlp.dense_4h_to_h.weight", 0),
                    Axis("write", p + "mlp.dense_4h_to_h.bias", 0)]
        out += [Axis("final_norm", "gpt_neox.final_layer_norm.weight", 0), Axis("final_norm", "gpt_neox.final_layer_norm.bias", 0)]
        unembed = "lm_head.weight" if "lm_head.weight" in names and "embed_out.weight" not in names else "embed_out.weight"
        out.append(Axis("unembed", unembed, 1))
    elif s.family == "gpt2":  # Conv1D weights are [in, out]
        pre = _gpt2_prefix(names)
        out += [Axis("embed", pre + "wte.weight", 1), Axis("position", pre + "wpe.weight", 1)]
        for i in range(s.layers):
            p = f"{pre}h.{i}."
            out += [Axis("norm", p + "ln_1.weight", 0), Axis("norm", p + "ln_1.bias", 0),
                    Axis("read", p + "attn.c_attn.weight", 0),
                    Axis("write", p + "attn.c_proj.weight", 1), Axis("write", p + "attn.c_proj.bias", 0),
                    Axis("norm", p + "ln_2.weight", 0), Axis("norm", p + "ln_2.bias", 0),
                    Axis("read", p + "mlp.c_fc.weight", 0),
                    Axis("write", p + "mlp.c_proj.weight", 1), Axis("write", p + "mlp.c_proj.bias", 0)]
        out += [Axis("final_norm", pre + "ln_f.weight", 0), Axis("final_norm", pre + "ln_f.bias", 0)]
        if not tied_embeddings(config, names):
            out.append(Axis("unembed", "lm_head.weight", 1))
    else:
        out.append(Axis("embed", "model.embed_tokens.weight", 1))
        mlp_bias = _mlp_bias(config)
        for i in range(s.layers):
            p = f"model.layers.{i}."
            out.append(Axis("norm", p + "input_layernorm.weight", 0))
            out += [Axis("read", p + f"self_attn.{x}_proj.weight", 1) for x in "qkv"]
            out.append(Axis("write", p + "self_attn.o_proj.weight", 0))
            if s.o_bias:
                out.append(Axis("write", p + "self_attn.o_proj.bias", 0))
            out.append(Axis("norm", p + "post_attention_layernorm.weight", 0))
            out += [Axis("read", p + "mlp.gate_proj.weight", 1), Axis("read", p + "mlp.up_proj.weight", 1),
                    Axis("write", p + "mlp.down_proj.weight", 0)]
            if mlp_bias:
                out.append(Axis("write", p + "mlp.down_proj.bias", 0))
        out.append(Axis("final_norm", "model.norm.weight", 0))
        if not tied_embeddings(config, names):
            out.append(Axis("unembed", "lm_head.weight", 1))
    return out


def _tensor(tensors, name, axis, length):
    if name not in tensors:
        raise KeyError(f"tensor '{name}' is not in the checkpoint")
    t = tensors[name]
    if axis >= t.ndim or t.shape[axis] != length:
        raise ValueError(f"tensor '{name}' has shape {list(t.shape)}; expected axis {axis} of length {length}")
    return t


def gather_axes(tensors, moves):
    """Applies (Axis, index map) moves, each ``np.take(t, index, axis)``; returns the moved tensors by name."""
    out = {}
    for a, index in moves:
        t = out.get(a.tensor)
        t = _tensor(tensors, a.tensor, a.axis, len(index)) if t is None else t
        out[a.tensor] = np.take(t, np.asarray(index, dtype=np.int64), axis=a.axis)
    return out


# ---------------------------------------------------------------------------------------------------- permutations

def permute_heads(tensors, config, layer, perm):
    """New query head i = old head perm[i] (KV heads by sigma[j] = perm[j*g] // g): layouts.permute_heads, checked."""
    perm = check_permutation(perm, layouts.shape(config).heads, "head-permutation's permutation")
    return layouts.permute_heads(tensors, config, check_layer(config, layer), perm)


def permute_kv_groups(tensors, config, layer, sigma):
    """Whole KV groups move by sigma (new KV head j = old KV head sigma[j]), their query heads with them: the head
    permutation by pi[j*g + r] = sigma[j]*g + r. On multi-head models (K == H) this is the head permutation."""
    s = layouts.shape(config)
    sigma = check_permutation(sigma, s.kv_heads, "kv-group-permutation's permutation")
    return layouts.permute_heads(tensors, config, check_layer(config, layer), kv_group_heads(sigma, s.heads // s.kv_heads))


def permute_mlp(tensors, config, layer, perm):
    """New neuron i = old neuron perm[i] in ``layer``'s MLP: in-side rows (GPT-2 c_fc columns) and biases, out-side
    columns (GPT-2 mlp.c_proj rows). The out-side bias is unchanged."""
    perm = check_permutation(perm, intermediate_size(config), "mlp-permutation's permutation")
    return gather_axes(tensors, [(a, perm) for a in mlp_parts(config, layer, tensors.keys())])


def permute_residual(tensors, config, perm):
    """New residual coordinate i = old coordinate perm[i], on every axis residual_axes lists (the whole model)."""
    perm = check_permutation(perm, layouts.shape(config).hidden, "residual-permutation's permutation")
    return gather_axes(tensors, [(a, perm) for a in residual_axes(config, tensors.keys())])


# ------------------------------------------------------------------------------------------------------ scalings

def scale_pow2(array, exponents, axis=0, tag=None):
    """``array * 2**exponents`` (exponents along ``axis``), exactly, in the array's own dtype.

    float32/float64: ``np.ldexp``; float16: ``np.ldexp`` on the float32 widening (exact), one rounding back;
    BF16 (``tag == "BF16"``, stored as uint16 bits): widened to float32 (bits << 16), ``np.ldexp``, rounded to
    nearest even as editgate's HalfFloats.floatToBf16 (NaN stays NaN). A power-of-two factor whose results stay
    normal (or zero) changes only the exponent bits, so scaling and unscaling restore every bit."""
    a = np.asarray(array)
    e = np.asarray(exponents, dtype=np.int32)
    if not 0 <= axis < a.ndim or e.shape != (a.shape[axis],):
        raise ValueError(f"{e.size} exponents cannot scale axis {axis} of an array of shape {list(a.shape)}")
    e = e.reshape([-1 if d == axis else 1 for d in range(a.ndim)])  # broadcast along axis
    if a.dtype == np.uint16:
        if tag != "BF16":
            raise ValueError("a uint16 tensor is scaled only as BF16 bits: pass its dtype tag 'BF16'")
        wide = (a.astype(np.uint32) << 16).view(np.float32)
        return _float32_to_bf16(np.ldexp(wide, e))
    if a.dtype == np.float16:
        return np.ldexp(a.astype(np.float32), e).astype(np.float16)
    if a.dtype in (np.float32, np.float64):
        return np.ldexp(a, e).astype(a.dtype, copy=False)
    raise ValueError(f"cannot scale a tensor of dtype {a.dtype} (expected float32, float16, float64 or BF16)")


def _float32_to_bf16(f):
    u = np.ascontiguousarray(f, dtype=np.float32).view(np.uint32)
    rounded = ((u + np.uint32(0x7FFF) + ((u >> 16) & 1)) >> 16).astype(np.uint16)  # round to nearest even
    return np.where(np.isnan(f), ((u >> 16) | 0x40).astype(np.uint16), rounded)


def scale_axes(tensors, factors, dtypes=None):
    """Applies {(tensor, axis): exponent vector} with scale_pow2, one call per entry in order; returns the tensors."""
    dtypes = dtypes or {}
    out = {}
    for (name, axis), e in factors.items():
        t = out.get(name)
        t = _tensor(tensors, name, axis, len(e)) if t is None else t
        out[name] = scale_pow2(t, e, axis, dtypes.get(name))
    return out


def group_exponents(exponents, s, kind):
    """(e as int64 [H], the per-KV-head exponents [K]); ValueError when query heads of one KV group disagree."""
    e = check_exponents(exponents, s.heads, f"{kind}'s exponents")
    g = s.heads // s.kv_heads
    groups = e.reshape(s.kv_heads, g)  # [K, g]: query heads j*g .. j*g+g-1 share KV head j
    for j in range(s.kv_heads):
        if (groups[j] != groups[j, 0]).any():
            raise ValueError(f"{kind}'s exponents {_shown(e.tolist())} differ inside KV group {j} (query heads {j * g}..{j * g + g - 1}: "
                             f"{groups[j].tolist()}); query heads sharing a KV head must share its factor")
    return e, groups[:, 0]


def head_block_factors(config, layer, names, per_kind):
    """{(tensor, axis): exponents along the axis} for the head blocks whose kind (q, k, v, o) per_kind maps to a
    per-block exponent vector; entries outside every block stay 0."""
    factors = {}
    for b in layouts.head_blocks(config, check_layer(config, layer), names):
        if b.kind not in per_kind:
            continue
        key = (b.tensor, b.axis)
        if key not in factors:
            factors[key] = np.zeros(_axis_length(config, b), np.int64)
        for i, start in enumerate(b.starts):
            factors[key][start:start + b.length] += per_kind[b.kind][i]
    return factors


def _axis_length(config, block):
    """The length of a head block's axis, from the config (the block sets tile q/k/v/o exactly)."""
    s = layouts.shape(config)
    if s.family in ("gpt_neox", "gpt2"):  # fused q/k/v: 3 * hidden; the output projection: hidden
        return s.hidden if block.kind == "o" else 3 * s.hidden
    return (s.kv_heads if block.kind in "kv" else s.heads) * s.head_dim


def qk_factors(config, layer, exponents, names=()):
    """qk-scaling's plan: q rows (and bias) of query head h by +e[h], k rows (and bias) of KV head j by -e[j*g]."""
    s = layouts.shape(config)
    e, per_kv = group_exponents(exponents, s, QK_SCALING)
    return head_block_factors(config, layer, names, {"q": e, "k": -per_kv})


def vo_factors(config, layer, exponents, names=()):
    """vo-scaling's plan: v rows (and bias) of KV head j by +e[j*g], o input columns (GPT-2 c_proj rows) of query
    head h by -e[h]; the o bias is not per head and stays."""
    s = layouts.shape(config)
    e, per_kv = group_exponents(exponents, s, VO_SCALING)
    return head_block_factors(config, layer, names, {"v": per_kv, "o": -e})


def up_down_factors(config, layer, exponents, names=()):
    """up-down-scaling's plan (SwiGLU only): up_proj row n (and bias) by +e[n], down_proj column n by -e[n];
    gate_proj is untouched (silu is not homogeneous)."""
    s = layouts.shape(config)
    if s.family != "llama":
        act = config.get("activation_function" if s.family == "gpt2" else "hidden_act") or "gelu"
        raise ValueError(f"up-down-scaling needs a SwiGLU MLP (the llama family); this is a {s.family} model, whose MLP "
                         f"applies {act} to the up-projection: {act} is not homogeneous, so scaling up rows by c and down "
                         f"columns by 1/c would change the function")
    e = check_exponents(exponents, intermediate_size(config), "up-down-scaling's exponents")
    sign = {"up": 1, "up_bias": 1, "down": -1}
    return {(a.tensor, a.axis): sign[a.role] * e for a in mlp_parts(config, layer, names) if a.role in sign}


def scale_qk(tensors, config, layer, exponents, dtypes=None):
    return scale_axes(tensors, qk_factors(config, layer, exponents, tensors.keys()), dtypes)


def scale_vo(tensors, config, layer, exponents, dtypes=None):
    return scale_axes(tensors, vo_factors(config, layer, exponents, tensors.keys()), dtypes)


def scale_up_down(tensors, config, layer, exponents, dtypes=None):
    return scale_axes(tensors, up_down_factors(config, layer, exponents, tensors.keys()), dtypes)


# ------------------------------------------------------------------------------------------------------ dispatch

def apply(kind, tensors, config, params, layer=None, dtypes=None):
    """The reference edit of ``kind`` with ``params`` ({"permutation": ...} or {"exponents": ...}); changed tensors only.
    ``layer`` is required for the per-layer kinds and ignored by residual-permutation (a whole-model kind);
    ``dtypes`` (name -> safetensors tag) is needed for scalings of BF16 tensors."""
    _known(kind)
    name = _param(kind)
    if not isinstance(params, dict) or name not in params:
        raise ValueError(f"{kind} needs params {{\"{name}\": [...]}}, got {params!r}")
    value = params[name]
    if kind == RESIDUAL_PERMUTATION:
        return permute_residual(tensors, config, value)
    if kind == HEAD_PERMUTATION:
        return permute_heads(tensors, config, layer, value)
    if kind == KV_GROUP_PERMUTATION:
        return permute_kv_groups(tensors, config, layer, value)
    if kind == MLP_PERMUTATION:
        return permute_mlp(tensors, config, layer, value)
    if kind == QK_SCALING:
        return scale_qk(tensors, config, layer, value, dtypes)
    if kind == VO_SCALING:
        return scale_vo(tensors, config, layer, value, dtypes)
    return scale_up_down(tensors, config, layer, value, dtypes)


def edit(tensors, request):
    """A complete edit function for ``editgate_client.run``: protocol 1 (head permutation) or 2 (any kind above)."""
    config = layouts.read_config(request["input"])
    if request.get("protocol") == 1:
        return layouts.permute_heads(tensors, config, request["layer"], request["permutation"])
    return apply(request["edit"], tensors, config, request["params"], request.get("layer"), request.get("dtypes"))
