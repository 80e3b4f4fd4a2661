"""Where each attention head lives in a checkpoint, per model family, and the correct head permutation (numpy only).

The Python twin of editgate's architecture adapters (core/.../model/*Architecture.java) and of its built-in head
permutation (core/.../edit/BuiltInHeadPermutation.java): the same block addresses, the same bytes out.

Convention: new query head i = old query head perm[i] (a gather map; numpy ``x[perm]``). On grouped-query attention
(g = heads / kv_heads query heads per KV head, query head h reads KV head h // g) the KV heads move by sigma, the
permutation of KV heads that perm implies: new KV head j = old KV head sigma[j] = perm[j*g] // g. A perm that splits
a KV group is refused (ValueError naming the group and the heads).

Per family, head h of a layer is (torch Linear weights are [out, in]; GPT-2's Conv1D is [in, out]):

- ``gpt_neox``: rows h*3*hd .. (h+1)*3*hd-1 of ``attention.query_key_value.weight`` [3*hidden, hidden] and of its
  bias (rows are [heads, 3 (q, k, v), hd]); columns h*hd .. of ``attention.dense.weight`` [hidden, hidden].
- ``llama`` (model_type llama, mistral, qwen2): rows h*hd .. of ``self_attn.q_proj.weight`` [heads*hd, d] (and bias);
  KV head j's rows j*hd .. of ``k_proj``/``v_proj`` [kv_heads*hd, d] (and biases); columns h*hd .. of ``o_proj`` [d, heads*hd].
- ``gpt2``: columns c*d + h*hd .. of ``attn.c_attn.weight`` [d, 3d] for c = q, k, v (all q, then all k, then all v)
  and the same entries of its bias; rows h*hd .. of ``attn.c_proj.weight`` [d, d]. Names may carry ``transformer.``.

The output projection's bias is shared by all heads and never moves.

    from editgate_client import layouts
    config = layouts.read_config(request["input"])
    changed = layouts.permute_heads(tensors, config, request["layer"], request["permutation"])
"""
import json
import os
from collections import namedtuple

import numpy as np

__all__ = ["SUPPORTED_MODEL_TYPES", "read_config", "family", "shape", "head_blocks", "kv_permutation", "compose",
           "block_map", "move_blocks", "permute_heads", "BlockSet", "Shape"]

SUPPORTED_MODEL_TYPES = {"gpt_neox": "gpt_neox", "llama": "llama", "mistral": "llama", "qwen2": "llama", "gpt2": "gpt2"}
_ARCHITECTURE_PREFIXES = (("GPTNeoX", "gpt_neox"), ("Llama", "llama"), ("Mistral", "mistral"), ("Qwen2", "qwen2"), ("GPT2", "gpt2"))

BlockSet = namedtuple("BlockSet", "kind bias label tensor axis length starts")
BlockSet.__doc__ = """Block i is the ``length`` consecutive indices from ``starts[i]`` along ``axis`` of ``tensor``.
kind is q, k, v (k and v count KV heads) or o; bias marks bias entries. Mirrors core/.../model/BlockSet.java."""

Shape = namedtuple("Shape", "family model_type layers heads kv_heads head_dim hidden qkv_bias o_bias")


def read_config(folder):
    """config.json of a model folder (the request's ``input``) as a dict."""
    path = os.path.join(folder, "config.json")
    with open(path) as f:
        config = json.load(f)
    if not isinstance(config, dict):
        raise ValueError(f"{path}: config.json must be a JSON object")
    return config


def _model_type(config):
    t = config.get("model_type")
    if t is not None:
        if t not in SUPPORTED_MODEL_TYPES:
            raise ValueError(f"config.json: model_type '{t}' is not supported; expected one of {', '.join(SUPPORTED_MODEL_TYPES)}")
        return t
    archs = config.get("architectures") or []
    if archs:
        for prefix, model_type in _ARCHITECTURE_PREFIXES:
            if archs[0].startswith(prefix):
                return model_type
        raise ValueError(f"config.json: no model_type, and architectures[0] '{archs[0]}' is not supported")
    return "gpt_neox"  # editgate's historical default for configs without either field


def family(config):
    """``gpt_neox``, ``llama`` (llama, mistral, qwen2) or ``gpt2``, from model_type (else architectures[0])."""
    return SUPPORTED_MODEL_TYPES[_model_type(config)]


def _get(config, key, default=None):
    v = config.get(key)
    if v is None:
        if default is None:
            raise ValueError(f"config.json: missing required field '{key}'")
        return default
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValueError(f"config.json: field '{key}' must be an integer, got {v!r}")
    return v


def shape(config):
    """The numbers a head permutation needs, read as editgate's adapters read them."""
    model_type = _model_type(config)
    fam = SUPPORTED_MODEL_TYPES[model_type]
    if fam == "gpt2":
        d, heads = _get(config, "n_embd"), _get(config, "n_head")
        if d % heads:
            raise ValueError(f"config.json: n_embd {d} must be divisible by n_head {heads}")
        return Shape(fam, model_type, _get(config, "n_layer"), heads, heads, d // heads, d, True, True)
    hidden, heads = _get(config, "hidden_size"), _get(config, "num_attention_heads")
    if fam == "gpt_neox":
        bias = config.get("attention_bias", True) is not False
        return Shape(fam, model_type, _get(config, "num_hidden_layers"), heads, heads, hidden // heads, hidden, bias, bias)
    kv = _get(config, "num_key_value_heads", heads)
    if heads % kv:
        raise ValueError(f"config.json: num_key_value_heads {kv} must divide num_attention_heads {heads}")
    if config.get("head_dim") is None and hidden % heads:
        raise ValueError(f"config.json: hidden_size {hidden} is not divisible by num_attention_heads {heads} and there is no head_dim")
    hd = _get(config, "head_dim", hidden // heads)
    attention_bias = model_type == "llama" and config.get("attention_bias", False) is True
    qkv_bias = attention_bias or model_type == "qwen2"  # Qwen2 always has q/k/v biases and never an o bias
    return Shape(fam, model_type, _get(config, "num_hidden_layers"), heads, kv, hd, hidden, qkv_bias, attention_bias)


def _gpt2_prefix(names):
    return "transformer." if "transformer.wte.weight" in names else ""


def _strided(kind, bias, label, tensor, axis, length, count, offset, stride):
    return BlockSet(kind, bias, label, tensor, axis, length, tuple(offset + i * stride for i in range(count)))


def head_blocks(config, layer, names=()):
    """The block sets of ``layer``'s heads (the canonical per-head view), in editgate's order.

    ``names``: the checkpoint's tensor names (only GPT-2 needs them, to find a ``transformer.`` prefix)."""
    s = shape(config)
    if not 0 <= layer < s.layers:
        raise ValueError(f"layer {layer} is out of range: the model has {s.layers} layers (0..{s.layers - 1})")
    h, kv, hd = s.heads, s.kv_heads, s.head_dim
    out = []
    if s.family == "gpt_neox":
        p = f"gpt_neox.layers.{layer}.attention."
        tensors = [(p + "query_key_value.weight", False)] + ([(p + "query_key_value.bias", True)] if s.qkv_bias else [])
        for tensor, bias in tensors:
            for c, kind in enumerate("qkv"):  # rows [heads, 3, hd]: head h's component c starts at (3h + c)*hd
                out.append(_strided(kind, bias, kind + (" bias" if bias else ""), tensor, 0, hd, h, c * hd, 3 * hd))
        out.append(_strided("o", False, "dense", p + "dense.weight", 1, hd, h, 0, hd))
    elif s.family == "llama":
        p = f"model.layers.{layer}.self_attn."
        for bias in ([False, True] if s.qkv_bias else [False]):
            suffix = "bias" if bias else "weight"
            for kind, count in (("q", h), ("k", kv), ("v", kv)):
                label = f"{kind}_proj" + (" bias" if bias else "")
                out.append(_strided(kind, bias, label, f"{p}{kind}_proj.{suffix}", 0, hd, count, 0, hd))
        out.append(_strided("o", False, "o_proj", p + "o_proj.weight", 1, hd, h, 0, hd))
    else:
        p = f"{_gpt2_prefix(names)}h.{layer}.attn."
        d = s.hidden
        for tensor, axis, bias in ((p + "c_attn.weight", 1, False), (p + "c_attn.bias", 0, True)):
            for c, kind in enumerate("qkv"):  # columns [3, heads, hd]: head h's component c starts at c*d + h*hd
                out.append(_strided(kind, bias, kind + (" bias" if bias else ""), tensor, axis, hd, h, c * d, hd))
        out.append(_strided("o", False, "c_proj", p + "c_proj.weight", 0, hd, h, 0, hd))
    return out


def kv_permutation(perm, group_size):
    """sigma, the KV-head permutation perm implies (sigma[j] = perm[j*g] // g); ValueError when perm splits a group."""
    perm = [int(x) for x in perm]
    heads = len(perm)
    if sorted(perm) != list(range(heads)):
        raise ValueError(f"permutation {perm} is not a permutation of 0..{heads - 1}")
    if group_size <= 0 or heads % group_size:
        raise ValueError(f"group size {group_size} does not divide {heads} heads")
    g, groups = group_size, heads // group_size
    sigma = []
    for j in range(groups):
        first = j * g
        sigma.append(perm[first] // g)
        for i in range(first, first + g):
            if perm[i] // g != sigma[j]:
                raise ValueError(
                    f"permutation {perm} splits a KV group: new query heads {first}..{first + g - 1} (KV group {j}) would come "
                    f"from old heads {perm[first]} (group {sigma[j]}) and {perm[i]} (group {perm[i] // g}); with {groups} KV heads "
                    f"of {g} query heads each, a head permutation must keep every group's query heads together")
    return sigma


def compose(group_perm, within_groups):
    """The query-head permutation made of a KV-group permutation and one permutation inside each group."""
    g = len(within_groups[0])
    return [group_perm[j] * g + within_groups[j][r] for j in range(len(group_perm)) for r in range(g)]


def block_map(length, moves):
    """Gather index map of one axis: ``src[start(i) + d] = start(m[i]) + d`` for each (BlockSet, m); the rest stays."""
    src = np.arange(length)
    for s, m in moves:
        for i, j in enumerate(m):
            to, frm = s.starts[i], s.starts[j]
            if to + s.length > length or frm + s.length > length:
                raise ValueError(f"{s.label} of '{s.tensor}': block {i} lies outside axis {s.axis} of length {length}")
            src[to:to + s.length] = np.arange(frm, frm + s.length)
    return src


def move_blocks(tensors, moves):
    """Applies (BlockSet, gather map) moves; returns the moved tensors, new arrays, by name. Inputs are never written."""
    by_tensor = {}
    for s, m in moves:
        by_tensor.setdefault(s.tensor, {}).setdefault(s.axis, []).append((s, m))
    out = {}
    for name, axes in by_tensor.items():
        if name not in tensors:
            raise KeyError(f"tensor '{name}' is not in the checkpoint")
        t = tensors[name]
        for axis in (0, 1):
            if axis in axes:
                if axis >= t.ndim:
                    raise ValueError(f"tensor '{name}' has rank {t.ndim}; cannot move blocks along axis {axis}")
                t = np.take(t, block_map(t.shape[axis], axes[axis]), axis=axis)
        out[name] = t
    return out


def head_moves(blocks, perm, sigma):
    """Query-head block sets move by perm, KV-head ones (k, v) by sigma."""
    return [(s, sigma if s.kind in ("k", "v") else perm) for s in blocks]


def permute_heads(tensors, config, layer, perm):
    """The correct head permutation of ``layer``: the tensors holding its heads, moved; nothing else is returned.

    Bit-identical to editgate's built-in edit for every family and dtype (bytes are moved, never converted)."""
    s = shape(config)
    perm = [int(x) for x in perm]
    if len(perm) != s.heads:
        raise ValueError(f"permutation {perm} has {len(perm)} entries; the model has {s.heads} (query) heads per layer")
    sigma = kv_permutation(perm, s.heads // s.kv_heads)
    return move_blocks(tensors, head_moves(head_blocks(config, layer, tensors.keys()), perm, sigma))
