"""Tiny random checkpoints of every family for the edit-kind tests, in F32, F16 and BF16, and parameters for them.

Built on the float64 builders of test_numpy_reference; each model is (config, tensors, dtypes) with tensors as
numpy stores them (BF16 as uint16 bits).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from editgate_client import kinds, layouts, safetensors_np  # noqa: E402
from tests.test_numpy_reference import (gpt2_config, gpt2_weights, llama_config, llama_weights, neox_config,  # noqa: E402
                                        neox_weights, _u)

SMALLEST = 2.0 ** -7  # |w| >= 2^-7 keeps w * 2^-6 normal in fp16 (min normal 2^-14), so every test scaling is exact


def _neox_without_bias():
    c = dict(neox_config(), attention_bias=False)
    w = {k: v for k, v in neox_weights(c, 12).items() if not k.endswith(("query_key_value.bias", "attention.dense.bias"))}
    return c, w


def _gpt2_untied_prefixed():
    c = gpt2_config(tie_word_embeddings=False)
    w = gpt2_weights("transformer.", 13)
    w["lm_head.weight"] = _u(np.random.default_rng(13), (w["transformer.wte.weight"].shape), 0.5)
    return c, w


def _llama3_biases():
    """Multi-head, head_dim 6 on hidden 16 (heads x head_dim != hidden), q/k/v/o biases and MLP biases."""
    c = llama_config("llama", hidden=16, heads=4, kv=4, head_dim=6, attention_bias=True, mlp_bias=True)
    w = llama_weights(c, 14)
    r = np.random.default_rng(114)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}.mlp."
        w[p + "gate_proj.bias"] = _u(r, c["intermediate_size"], 0.3)
        w[p + "up_proj.bias"] = _u(r, c["intermediate_size"], 0.3)
        w[p + "down_proj.bias"] = _u(r, c["hidden_size"], 0.3)
    return c, w


def _qwen2_tied():
    """Groups of 3 (6 query heads, 2 KV heads), head_dim 4 on hidden 16, q/k/v biases, tied embeddings."""
    c = llama_config("qwen2", hidden=16, heads=6, kv=2, head_dim=4, tie_word_embeddings=True)
    return c, llama_weights(c, 15)


BUILDERS = {
    "gpt_neox": lambda: (neox_config(), neox_weights(neox_config(), 11)),
    "gpt_neox-no-attention-bias": _neox_without_bias,
    "gpt2": lambda: (gpt2_config(), gpt2_weights("", 16)),
    "gpt2-prefixed-untied": _gpt2_untied_prefixed,
    "llama-gqa": lambda: (llama_config(), llama_weights(llama_config(), 17)),
    "llama3-biases": _llama3_biases,
    "qwen2-tied": _qwen2_tied,
}
DTYPES = ("F32", "F16", "BF16")


def _store(a, tag):
    if a.dtype.kind != "f":
        return a
    a = np.where(np.abs(a) < SMALLEST, np.where(a < 0, -SMALLEST, SMALLEST), a)
    if tag == "F16":
        return a.astype(np.float16)
    f = a.astype(np.float32)
    return (f.view(np.uint32) >> 16).astype(np.uint16) if tag == "BF16" else f  # BF16: truncated, exact bits


def build(name, tag="F32"):
    """(config, tensors, dtypes) of the named tiny model stored in ``tag``."""
    c, w = BUILDERS[name]()
    tensors = {k: _store(v, tag) for k, v in w.items()}
    dtypes = {k: (tag if v.dtype.kind in "fu" and v.dtype != np.bool_ else "BOOL") for k, v in tensors.items()}
    return c, tensors, dtypes


def applies(kind, config):
    return kind != kinds.UP_DOWN_SCALING or layouts.family(config) == "llama"


def _derangement(r, n):
    """A random permutation moving every index (a shifted random order), the identity for n == 1."""
    order = r.permutation(n)
    p = np.empty(n, np.int64)
    p[order] = order[np.roll(np.arange(n), 1)]
    return p


def params(kind, config, r, full=False):
    """Random parameters of ``kind``. full: every index moves / every exponent is non-zero (so every tensor the kind
    may touch changes)."""
    s = layouts.shape(config)
    g = s.heads // s.kv_heads
    n = kinds.parameter_length(kind, config)
    perm = (lambda m: _derangement(r, m)) if full else r.permutation
    if kind == kinds.HEAD_PERMUTATION:
        return {"permutation": np.array(layouts.compose(list(perm(s.kv_heads)), [list(perm(g)) for _ in range(s.kv_heads)]))}
    if kind in kinds.PERMUTATIONS:
        return {"permutation": perm(n)}
    e = r.choice([-3, -2, -1, 1, 2, 3], n) if full else r.integers(-3, 4, n)
    if kind in (kinds.QK_SCALING, kinds.VO_SCALING):
        e = np.repeat(e[:s.kv_heads], g)  # equal inside each KV group
    return {"exponents": e}


def write_folder(root, model, tag):
    """The model as a checkpoint folder (config.json + model.safetensors) under root: (folder, config, tensors, dtypes)."""
    config, tensors, dtypes = build(model, tag)
    folder = os.path.join(root, f"{model}-{tag}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    safetensors_np.write(os.path.join(folder, "model.safetensors"), tensors, dtypes)
    return folder, config, tensors, dtypes
