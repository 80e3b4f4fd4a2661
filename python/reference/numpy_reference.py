"""Float64 numpy references of GPT-NeoX, the Llama family (llama, mistral, qwen2) and GPT-2.

Written from transformers' modeling_gpt_neox.py, modeling_llama.py / modeling_mistral.py / modeling_qwen2.py and
modeling_gpt2.py (eval mode, one sequence, no cache, eager attention), independently of editgate's Java forward.
It reads a checkpoint folder (config.json plus every *.safetensors file, via editgate_client.safetensors_np);
BF16 tensors are widened exactly (bits << 16) and every tensor is computed on in float64.

    python3 python/reference/numpy_reference.py FOLDER --ids 5,17,3 [--layer-z L] [--out logits.npy]

    from reference.numpy_reference import load
    model = load(folder)            # GptNeox, Llama or Gpt2
    model.logits(ids)               # [T, vocab]
    model.layer_z(ids, layer)       # [T, heads * head_dim]: the input of the attention output projection

Semantics stated once per family in each class docstring. RoPE angles are computed in float64 (transformers
computes inv_freq and cos/sin in float32 even for a float64 model); Mistral's sliding window is not applied
(exact for prompts no longer than the window).
"""
import argparse
import glob
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from editgate_client import safetensors_np  # noqa: E402

SUPPORTED = ("gpt_neox", "llama", "mistral", "qwen2", "gpt2")
_ARCHITECTURES = {
    "GPTNeoXForCausalLM": "gpt_neox", "LlamaForCausalLM": "llama", "MistralForCausalLM": "mistral",
    "Qwen2ForCausalLM": "qwen2", "GPT2LMHeadModel": "gpt2",
}


class Weights:
    """Tensors of a folder by name, as float64 arrays (BF16 widened bit-exactly); ``get`` returns None when absent."""

    def __init__(self, tensors, dtypes=None):
        self._tensors = tensors
        self._dtypes = dtypes or {}
        self._cache = {}

    @classmethod
    def from_folder(cls, folder):
        files = sorted(glob.glob(os.path.join(folder, "*.safetensors")))
        if not files:
            raise FileNotFoundError(f"{folder}: no *.safetensors file")
        tensors, dtypes = {}, {}
        for f in files:
            t, d, _ = safetensors_np.read(f)
            tensors.update(t)
            dtypes.update(d)
        return cls(tensors, dtypes)

    def get(self, name):
        if name in self._cache:
            return self._cache[name]
        a = self._tensors.get(name)
        if a is None:
            return None
        if self._dtypes.get(name) == "BF16":
            a = (np.asarray(a, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        a = np.asarray(a, dtype=np.float64)
        self._cache[name] = a
        return a

    def need(self, name, shape):
        a = self.get(name)
        if a is None:
            raise KeyError(f"tensor {name} is missing")
        if a.size != int(np.prod(shape)):
            raise ValueError(f"tensor {name} has shape {list(a.shape)}, expected {list(shape)}")
        return a.reshape(shape)


def _opt(config, key, default):
    v = config.get(key)
    return default if v is None else v


def _required(config, key):
    if config.get(key) is None:
        raise KeyError(f"config.json: missing {key}")
    return config[key]


def _layer_norm(x, g, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * g + b


def _rms_norm(x, g, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g


def _linear(x, w, b=None):
    """torch Linear: w [out, in]."""
    y = x @ w.T
    return y if b is None else y + b


_erf = np.frompyfunc(math.erf, 1, 1)


def _activation(name, x):
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    if name == "gelu":
        return 0.5 * x * (1 + _erf(x / math.sqrt(2)).astype(np.float64))
    if name == "relu":
        return np.maximum(x, 0)
    if name in ("silu", "swish"):
        return x / (1 + np.exp(-x))
    if name == "quick_gelu":
        return x / (1 + np.exp(-1.702 * x))
    raise ValueError(f"config.json: activation '{name}' is not supported")


def _rope(x, inv_freq):
    """x [heads, T, rd]: x*cos + rotate_half(x)*sin, emb = cat(freqs, freqs), rotate_half(x) = cat(-x2, x1)."""
    t = np.arange(x.shape[-2], dtype=np.float64)
    freqs = np.outer(t, inv_freq)                      # (T, rd/2)
    emb = np.concatenate([freqs, freqs], axis=-1)      # (T, rd)
    half = x.shape[-1] // 2
    rot = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
    return x * np.cos(emb) + rot * np.sin(emb)


def _causal_attention(q, k, v, scale):
    """q [heads, T, hd], k/v [heads, T, hd] -> z [T, heads*hd]."""
    n = q.shape[1]
    s = q @ k.transpose(0, 2, 1) * scale               # (heads, T, T)
    s = np.where(np.tril(np.ones((n, n), dtype=bool)), s, -np.inf)
    s = np.exp(s - s.max(-1, keepdims=True))
    p = s / s.sum(-1, keepdims=True)
    z = p @ v                                          # (heads, T, hd)
    return z.transpose(1, 0, 2).reshape(n, -1)


def _check_ids(ids, vocab):
    ids = np.asarray(ids, dtype=np.int64)
    if ids.ndim != 1 or ids.size == 0 or ids.min() < 0 or ids.max() >= vocab:
        raise ValueError(f"ids must be a non-empty 1-D sequence of token ids below vocab {vocab}")
    return ids


def _check_layer(layer, layers):
    if not 0 <= layer < layers:
        raise ValueError(f"layer {layer} outside 0..{layers - 1}")


class GptNeox:
    """GPTNeoXForCausalLM: qkv [3*hidden, hidden] viewed [T, heads, 3*hd] (per head q, k, v); rotary on the first
    int(hd * rotary_pct) dims; parallel residual x + attn(ln1 x) + mlp(ln2 x) or sequential; exact-erf gelu;
    final_layer_norm; embed_out.weight (or lm_head.weight)."""

    def __init__(self, config, weights):
        self.w = weights
        self.d = _required(config, "hidden_size")
        self.heads = _required(config, "num_attention_heads")
        self.layers = _required(config, "num_hidden_layers")
        self.inter = _required(config, "intermediate_size")
        self.vocab = _required(config, "vocab_size")
        self.hd = self.d // self.heads
        rope = config.get("rope_parameters") or {}
        pct = config.get("rotary_pct", config.get("partial_rotary_factor", rope.get("partial_rotary_factor", 0.25)))
        base = config.get("rotary_emb_base", config.get("rope_theta", rope.get("rope_theta", 10000)))
        self.rd = int(self.hd * pct)
        self.inv_freq = 1.0 / float(base) ** (np.arange(0, self.rd, 2, dtype=np.float64) / self.rd)
        self.eps = _opt(config, "layer_norm_eps", 1e-5)
        self.parallel = _opt(config, "use_parallel_residual", True)
        self.bias = _opt(config, "attention_bias", True)
        self.act = _opt(config, "hidden_act", "gelu")

    def _p(self, i):
        return f"gpt_neox.layers.{i}."

    def _ln(self, x, name):
        return _layer_norm(x, self.w.need(name + ".weight", (self.d,)), self.w.need(name + ".bias", (self.d,)), self.eps)

    def _embed(self, ids):
        return self.w.need("gpt_neox.embed_in.weight", (self.vocab, self.d))[_check_ids(ids, self.vocab)]

    def _attention_z(self, i, h):
        p, n, hd = self._p(i), h.shape[0], self.hd
        qkv = _linear(h, self.w.need(p + "attention.query_key_value.weight", (3 * self.d, self.d)),
                      self.w.need(p + "attention.query_key_value.bias", (3 * self.d,)) if self.bias else None)
        qkv = qkv.reshape(n, self.heads, 3 * hd).transpose(1, 0, 2)        # (heads, T, 3*hd)
        q, k, v = qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:]
        if self.rd > 0:
            q = np.concatenate([_rope(q[..., :self.rd], self.inv_freq), q[..., self.rd:]], axis=-1)
            k = np.concatenate([_rope(k[..., :self.rd], self.inv_freq), k[..., self.rd:]], axis=-1)
        return _causal_attention(q, k, v, 1 / math.sqrt(hd))

    def _mlp(self, i, h):
        p = self._p(i)
        up = _linear(h, self.w.need(p + "mlp.dense_h_to_4h.weight", (self.inter, self.d)), self.w.need(p + "mlp.dense_h_to_4h.bias", (self.inter,)))
        return _linear(_activation(self.act, up), self.w.need(p + "mlp.dense_4h_to_h.weight", (self.d, self.inter)),
                       self.w.need(p + "mlp.dense_4h_to_h.bias", (self.d,)))

    def _layer(self, i, x):
        p = self._p(i)
        z = self._attention_z(i, self._ln(x, p + "input_layernorm"))
        attn = _linear(z, self.w.need(p + "attention.dense.weight", (self.d, self.d)),
                       self.w.need(p + "attention.dense.bias", (self.d,)) if self.bias else None)
        if self.parallel:
            return x + attn + self._mlp(i, self._ln(x, p + "post_attention_layernorm"))
        y = x + attn
        return y + self._mlp(i, self._ln(y, p + "post_attention_layernorm"))

    def logits(self, ids):
        x = self._embed(ids)
        for i in range(self.layers):
            x = self._layer(i, x)
        h = self._ln(x, "gpt_neox.final_layer_norm")
        name = "embed_out.weight" if self.w.get("embed_out.weight") is not None else "lm_head.weight"
        return h @ self.w.need(name, (self.vocab, self.d)).T

    def layer_z(self, ids, layer):
        _check_layer(layer, self.layers)
        x = self._embed(ids)
        for i in range(layer):
            x = self._layer(i, x)
        return self._attention_z(layer, self._ln(x, self._p(layer) + "input_layernorm"))


def llama_inv_freq(config, head_dim):
    """1/rope_theta^(arange(0, hd, 2)/hd), rescaled as transformers' _compute_llama3_parameters ("llama3") or
    linear scaling; reads rope_theta / rope_scaling, or transformers 5's rope_parameters when those are absent."""
    params = config.get("rope_parameters")
    theta = config.get("rope_theta")
    if theta is None:
        theta = (params or {}).get("rope_theta", 10000.0)
    inv = 1.0 / float(theta) ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)
    s = config.get("rope_scaling") or params
    if not s:
        return inv
    kind = s.get("rope_type", s.get("type", "default"))
    if kind == "default":
        return inv
    if kind == "linear":
        return inv / s["factor"]
    if kind != "llama3":
        raise ValueError(f"config.json: rope_scaling type '{kind}' is not supported (default, linear, llama3)")
    factor, low, high = s["factor"], s["low_freq_factor"], s["high_freq_factor"]
    old = s["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv
    out = np.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * out / factor + smooth * out
    medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
    return np.where(medium, smoothed, out)


class Llama:
    """LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM: RMSNorm x/sqrt(mean(x^2)+eps)*w; q/k/v/o_proj with
    grouped-query attention (query head h reads KV head h // (heads // kv_heads), repeat_interleave); RoPE over the
    full head_dim; SwiGLU down(silu(gate x) * up x); model.norm; lm_head or embed_tokens when tied. Biases: llama
    attention_bias -> q, k, v, o; mlp_bias -> gate/up/down; qwen2 always q, k, v; mistral none. Defaults are the HF
    config classes': num_key_value_heads llama = heads, mistral 8, qwen2 32; rms_norm_eps 1e-6; untied."""

    def __init__(self, config, weights, model_type):
        self.w = weights
        self.d = _required(config, "hidden_size")
        self.heads = _required(config, "num_attention_heads")
        self.layers = _required(config, "num_hidden_layers")
        self.inter = _required(config, "intermediate_size")
        self.vocab = _required(config, "vocab_size")
        self.kv = _opt(config, "num_key_value_heads", {"mistral": 8, "qwen2": 32}.get(model_type, self.heads))
        self.hd = _opt(config, "head_dim", self.d // self.heads)
        if self.heads % self.kv:
            raise ValueError(f"config.json: num_attention_heads {self.heads} is not a multiple of num_key_value_heads {self.kv}")
        self.eps = _opt(config, "rms_norm_eps", 1e-6)
        self.tied = _opt(config, "tie_word_embeddings", False)
        if _opt(config, "hidden_act", "silu") != "silu":
            raise ValueError(f"config.json: hidden_act '{config['hidden_act']}' is not supported (expected silu)")
        attention_bias = _opt(config, "attention_bias", False)
        self.qkv_bias = model_type == "qwen2" or (model_type == "llama" and attention_bias)
        self.o_bias = model_type == "llama" and attention_bias
        self.mlp_bias = model_type == "llama" and _opt(config, "mlp_bias", False)
        self.inv_freq = llama_inv_freq(config, self.hd)

    def _p(self, i):
        return f"model.layers.{i}."

    def _proj(self, x, name, out, inp, bias):
        return _linear(x, self.w.need(name + ".weight", (out, inp)), self.w.need(name + ".bias", (out,)) if bias else None)

    def _embed(self, ids):
        return self.w.need("model.embed_tokens.weight", (self.vocab, self.d))[_check_ids(ids, self.vocab)]

    def _attention_z(self, i, h):
        p, n, hd = self._p(i) + "self_attn.", h.shape[0], self.hd
        q = self._proj(h, p + "q_proj", self.heads * hd, self.d, self.qkv_bias).reshape(n, self.heads, hd).transpose(1, 0, 2)
        k = self._proj(h, p + "k_proj", self.kv * hd, self.d, self.qkv_bias).reshape(n, self.kv, hd).transpose(1, 0, 2)
        v = self._proj(h, p + "v_proj", self.kv * hd, self.d, self.qkv_bias).reshape(n, self.kv, hd).transpose(1, 0, 2)
        q, k = _rope(q, self.inv_freq), _rope(k, self.inv_freq)
        g = self.heads // self.kv
        k, v = np.repeat(k, g, axis=0), np.repeat(v, g, axis=0)   # repeat_kv == repeat_interleave on heads
        return _causal_attention(q, k, v, hd ** -0.5)

    def _layer(self, i, x):
        p = self._p(i)
        z = self._attention_z(i, _rms_norm(x, self.w.need(p + "input_layernorm.weight", (self.d,)), self.eps))
        x = x + self._proj(z, p + "self_attn.o_proj", self.d, self.heads * self.hd, self.o_bias)
        h = _rms_norm(x, self.w.need(p + "post_attention_layernorm.weight", (self.d,)), self.eps)
        gate = self._proj(h, p + "mlp.gate_proj", self.inter, self.d, self.mlp_bias)
        up = self._proj(h, p + "mlp.up_proj", self.inter, self.d, self.mlp_bias)
        return x + self._proj(gate / (1 + np.exp(-gate)) * up, p + "mlp.down_proj", self.d, self.inter, self.mlp_bias)

    def logits(self, ids):
        x = self._embed(ids)
        for i in range(self.layers):
            x = self._layer(i, x)
        h = _rms_norm(x, self.w.need("model.norm.weight", (self.d,)), self.eps)
        head = "model.embed_tokens.weight" if self.tied else "lm_head.weight"
        return h @ self.w.need(head, (self.vocab, self.d)).T

    def layer_z(self, ids, layer):
        _check_layer(layer, self.layers)
        x = self._embed(ids)
        for i in range(layer):
            x = self._layer(i, x)
        return self._attention_z(layer, _rms_norm(x, self.w.need(self._p(layer) + "input_layernorm.weight", (self.d,)), self.eps))


class Gpt2:
    """GPT2LMHeadModel: x = wte[ids] + wpe[t]; Conv1D weights [in, out] (y = x @ W + b); c_attn columns [q | k | v],
    each [heads, hd]; scale 1/sqrt(hd) (scale_attn_weights), also 1/(layer+1) with scale_attn_by_inverse_layer_idx;
    activation_function (default gelu_new); ln_f; lm_head = wte when tie_word_embeddings (default true), else
    lm_head.weight. Names with or without the ``transformer.`` prefix; attn.bias / masked_bias buffers unread."""

    def __init__(self, config, weights):
        self.w = weights
        self.d = _opt(config, "n_embd", 768)
        self.heads = _opt(config, "n_head", 12)
        self.layers = _opt(config, "n_layer", 12)
        self.positions = _opt(config, "n_positions", 1024)
        self.vocab = _opt(config, "vocab_size", 50257)
        self.inner = _opt(config, "n_inner", 4 * self.d)
        self.hd = self.d // self.heads
        self.eps = _opt(config, "layer_norm_epsilon", 1e-5)
        self.act = _opt(config, "activation_function", "gelu_new")
        _activation(self.act, np.zeros(1))
        self.scale_weights = _opt(config, "scale_attn_weights", True)
        self.scale_by_layer = _opt(config, "scale_attn_by_inverse_layer_idx", False)
        self.tied = _opt(config, "tie_word_embeddings", True)
        if weights.get("transformer.wte.weight") is not None:
            self.prefix = "transformer."
        elif weights.get("wte.weight") is not None:
            self.prefix = ""
        else:
            raise KeyError("gpt2: neither wte.weight nor transformer.wte.weight is present")

    def _p(self, i):
        return f"{self.prefix}h.{i}."

    def _ln(self, x, name):
        return _layer_norm(x, self.w.need(name + ".weight", (self.d,)), self.w.need(name + ".bias", (self.d,)), self.eps)

    def _conv1d(self, x, name, inp, out):
        return x @ self.w.need(name + ".weight", (inp, out)) + self.w.need(name + ".bias", (out,))

    def _embed(self, ids):
        ids = _check_ids(ids, self.vocab)
        if ids.size > self.positions:
            raise ValueError(f"{ids.size} tokens exceed n_positions {self.positions}")
        wte = self.w.need(self.prefix + "wte.weight", (self.vocab, self.d))
        wpe = self.w.need(self.prefix + "wpe.weight", (self.positions, self.d))
        return wte[ids] + wpe[:ids.size]

    def _attention_z(self, i, h):
        n, hd = h.shape[0], self.hd
        qkv = self._conv1d(h, self._p(i) + "attn.c_attn", self.d, 3 * self.d)
        q, k, v = (qkv[:, c * self.d:(c + 1) * self.d].reshape(n, self.heads, hd).transpose(1, 0, 2) for c in range(3))
        scale = (1 / math.sqrt(hd) if self.scale_weights else 1.0) / ((i + 1) if self.scale_by_layer else 1)
        return _causal_attention(q, k, v, scale)

    def _layer(self, i, x):
        p = self._p(i)
        x = x + self._conv1d(self._attention_z(i, self._ln(x, p + "ln_1")), p + "attn.c_proj", self.d, self.d)
        up = _activation(self.act, self._conv1d(self._ln(x, p + "ln_2"), p + "mlp.c_fc", self.d, self.inner))
        return x + self._conv1d(up, p + "mlp.c_proj", self.inner, self.d)

    def logits(self, ids):
        x = self._embed(ids)
        for i in range(self.layers):
            x = self._layer(i, x)
        h = self._ln(x, self.prefix + "ln_f")
        head = self.prefix + "wte.weight" if self.tied else "lm_head.weight"
        return h @ self.w.need(head, (self.vocab, self.d)).T

    def layer_z(self, ids, layer):
        _check_layer(layer, self.layers)
        x = self._embed(ids)
        for i in range(layer):
            x = self._layer(i, x)
        return self._attention_z(layer, self._ln(x, self._p(layer) + "ln_1"))


def model_type(config):
    t = config.get("model_type")
    if t is None and config.get("architectures"):
        t = _ARCHITECTURES.get(config["architectures"][0])
    if t not in SUPPORTED:
        raise ValueError(f"config.json: model_type {t!r} is not supported; supported: {', '.join(SUPPORTED)}")
    return t


def build(config, weights):
    """The reference for a parsed config and a Weights (or any object with get(name) and need(name, shape))."""
    t = model_type(config)
    if t == "gpt_neox":
        return GptNeox(config, weights)
    if t == "gpt2":
        return Gpt2(config, weights)
    return Llama(config, weights, t)


def load(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    return build(config, Weights.from_folder(folder))


def main(argv=None):
    ap = argparse.ArgumentParser(description="float64 numpy reference logits (or per-head z) of a checkpoint folder")
    ap.add_argument("folder")
    ap.add_argument("--ids", required=True, help="comma-separated token ids")
    ap.add_argument("--layer-z", type=int, default=None, help="print/save the per-head z of this layer instead of logits")
    ap.add_argument("--out", default=None, help="write the array to this .npy file")
    a = ap.parse_args(argv)
    try:
        m = load(a.folder)
        ids = [int(s) for s in a.ids.split(",") if s.strip()]
        r = m.logits(ids) if a.layer_z is None else m.layer_z(ids, a.layer_z)
    except (KeyError, ValueError, FileNotFoundError) as e:
        print(f"numpy_reference: {e}", file=sys.stderr)
        return 2
    if a.out:
        np.save(a.out, r)
    else:
        np.savetxt(sys.stdout, r, fmt="%.17g")
    return 0


if __name__ == "__main__":
    sys.exit(main())
