"""editgate's reference runner: a numpy forward of every supported family behind the runner protocol
(docs/runner-protocol.md), faithful to Hugging Face, with per-head z hooks for patching and ablation, the way
TransformerLens' ``hook_z`` does it. ``--mutant NAME`` (or $EDITGATE_RUNNER_MUTANT) plants one harness bug, so
that ``editgate harness`` can be shown catching it:

    slice_patching    "heads" are head_dim-wide slices of the attention output after the output projection (the seed)
    wrong_layer       patches / ablates layer L+1 (L-1 for the last layer) when asked for layer L
    half_softmax      float16 weights and activations with the attention softmax in float16 (HF computes it in float32),
                      while the hello still says float32: what a harness that asked for float32 gets from
                      ``from_pretrained(torch_dtype="auto")`` on a float16 checkpoint plus a hand-written half softmax
    no_causal_mask    attention sees every position
    rotary_adjacent   rotary on adjacent pairs (x0, x1), (x2, x3) ... instead of the two halves
    gqa_tile          grouped-query keys/values repeated with tile instead of repeat_interleave
    positions_from_1  positions start at 1
    bos_prepended     a BOS token is prepended to every sequence (its logits row dropped, so shapes still match)
    sampling          generation samples (temperature 1) instead of taking the argmax
    patch_noop        patch_heads / ablate_heads change nothing: they return the unpatched logits (a hook never
                      registered, or registered on a module the forward does not call)

    python python/runners/numpy_runner.py [--dtype float32|float64|float16] [--tokenize] [--mutant NAME]

``--tokenize`` also answers ``logits`` for text prompts, tokenizing with the model folder's byte-level BPE
tokenizer.json (byte_bpe.py); with ``bos_prepended`` its ids then start with the BOS token, as a tokenizer with
``add_bos_token`` does.

numpy is the only dependency; the model is read with editgate_client.safetensors_np through reference.numpy_reference.
"""
import argparse
import collections
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from editgate_client.runner import serve  # noqa: E402
from byte_bpe import ByteLevelBPE  # noqa: E402
from reference import numpy_reference as nr  # noqa: E402

MUTANTS = ("slice_patching", "wrong_layer", "half_softmax", "no_causal_mask", "rotary_adjacent", "gqa_tile",
           "positions_from_1", "bos_prepended", "sampling", "patch_noop")
_DTYPES = {"float64": np.float64, "float32": np.float32, "float16": np.float16}


class Forward:
    """One model folder in one dtype. ``run(ids, z_hook, out_hook)`` -> logits [T, V]; hooks see layer i's
    z [T, heads, hd] (the input of the output projection) and its attention output [T, d] (after it)."""

    def __init__(self, folder, dtype, mutant):
        with open(os.path.join(folder, "config.json")) as f:
            self.config = json.load(f)
        self.family = nr.model_type(self.config)
        self.ref = nr.build(self.config, nr.Weights.from_folder(folder))
        self.dt = dtype
        self.mutant = mutant
        self.layers = self.ref.layers
        self.heads = self.ref.heads
        self.hd = self.ref.hd
        self.d = self.ref.d
        self._w = {}

    # ------------------------------------------------------------------ arithmetic in the runner's dtype
    def W(self, name, shape):
        key = (name, tuple(shape))
        if key not in self._w:
            self._w[key] = self.ref.w.need(name, shape).astype(self.dt)
            self.ref.w._cache.pop(name, None)  # keep only the runner-dtype copy (a 160M model is 1.3 GB in float64)
        return self._w[key]

    def opt(self, name, shape, present):
        return self.W(name, shape) if present else None

    def mm(self, x, w):
        """x @ w; half inputs multiply in float32 and round the result to float16 (as GPU GEMMs do)."""
        if self.dt == np.float16:
            return (x.astype(np.float32) @ w.astype(np.float32)).astype(np.float16)
        return x @ w

    def linear(self, x, w, b=None):
        """torch Linear, w [out, in]."""
        y = self.mm(x, w.T)
        return y if b is None else (y + b).astype(self.dt)

    def layer_norm(self, x, g, b, eps):
        x32 = x.astype(np.float64 if self.dt == np.float64 else np.float32)
        mean = x32.mean(-1, keepdims=True)
        var = ((x32 - mean) ** 2).mean(-1, keepdims=True)
        return ((x32 - mean) / np.sqrt(var + eps) * g + b).astype(self.dt)

    def rms_norm(self, x, g, eps):
        x32 = x.astype(np.float64 if self.dt == np.float64 else np.float32)
        return (x32 / np.sqrt((x32 * x32).mean(-1, keepdims=True) + eps)).astype(self.dt) * g

    def act(self, name, x):
        work = x.astype(np.float64 if self.dt == np.float64 else np.float32)
        return nr._activation(name, work.astype(np.float64)).astype(self.dt)

    def positions(self, n):
        return np.arange(n, dtype=np.float64) + (1 if self.mutant == "positions_from_1" else 0)

    def rope(self, x, inv_freq):
        """x [heads, T, rd] -> rotated; rotate_half over the halves (HF), or adjacent pairs for the mutant."""
        freqs = np.outer(self.positions(x.shape[-2]), inv_freq)            # (T, rd/2)
        if self.mutant == "rotary_adjacent":
            cos, sin = np.cos(freqs).astype(self.dt), np.sin(freqs).astype(self.dt)
            x1, x2 = x[..., 0::2], x[..., 1::2]                            # (heads, T, rd/2) each
            out = np.empty_like(x)
            out[..., 0::2] = x1 * cos - x2 * sin
            out[..., 1::2] = x2 * cos + x1 * sin
            return out.astype(self.dt)
        emb = np.concatenate([freqs, freqs], axis=-1)                      # (T, rd)
        cos, sin = np.cos(emb).astype(self.dt), np.sin(emb).astype(self.dt)
        half = x.shape[-1] // 2
        rot = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
        return (x * cos + rot * sin).astype(self.dt)

    def attention(self, q, k, v, scale):
        """q/k/v [heads, T, hd] -> z [T, heads, hd]; softmax in float32 for half inputs (float16 for the mutant)."""
        n = q.shape[1]
        s = self.mm(q, k.transpose(0, 2, 1))                               # (heads, T, T)
        soft = self.dt if self.mutant == "half_softmax" else (np.float64 if self.dt == np.float64 else np.float32)
        s = s.astype(soft) * soft(scale)
        if self.mutant != "no_causal_mask":
            s = np.where(np.tril(np.ones((n, n), dtype=bool)), s, soft(-np.inf))
        e = np.exp(s - s.max(-1, keepdims=True))
        p = (e / e.sum(-1, keepdims=True)).astype(self.dt)
        z = self.mm(p, v)                                                  # (heads, T, hd)
        return z.transpose(1, 0, 2)                                        # (T, heads, hd)

    def expand_kv(self, k, groups):
        """[kv, T, hd] -> [heads, T, hd]: query head h reads KV head h // groups (repeat_interleave)."""
        if self.mutant == "gqa_tile":
            return np.tile(k, (groups, 1, 1))
        return np.repeat(k, groups, axis=0)

    # ------------------------------------------------------------------ the families
    def run(self, ids, z_hook=None, out_hook=None):
        ids = np.asarray(ids, dtype=np.int64)
        if self.mutant == "bos_prepended":
            bos = self.config.get("bos_token_id")
            ids = np.concatenate([[0 if bos is None else int(bos)], ids])
        nr._check_ids(ids, self.ref.vocab)
        f = {"gpt_neox": self._neox, "gpt2": self._gpt2}.get(self.family, self._llama)
        logits = f(ids, z_hook or (lambda i, z: z), out_hook or (lambda i, o: o))
        return logits[1:] if self.mutant == "bos_prepended" else logits

    def _neox(self, ids, z_hook, out_hook):
        r, n, hd, d = self.ref, len(ids), self.hd, self.d
        x = self.W("gpt_neox.embed_in.weight", (r.vocab, d))[ids]              # (T, d)
        ln = lambda x, name: self.layer_norm(x, self.W(name + ".weight", (d,)), self.W(name + ".bias", (d,)), r.eps)
        for i in range(self.layers):
            p = f"gpt_neox.layers.{i}."
            h = ln(x, p + "input_layernorm")
            qkv = self.linear(h, self.W(p + "attention.query_key_value.weight", (3 * d, d)),
                              self.opt(p + "attention.query_key_value.bias", (3 * d,), r.bias))
            qkv = qkv.reshape(n, self.heads, 3 * hd).transpose(1, 0, 2)       # (heads, T, 3*hd)
            q, k, v = qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:]
            if r.rd > 0:
                q = np.concatenate([self.rope(q[..., :r.rd], r.inv_freq), q[..., r.rd:]], axis=-1)
                k = np.concatenate([self.rope(k[..., :r.rd], r.inv_freq), k[..., r.rd:]], axis=-1)
            z = z_hook(i, self.attention(q, k, v, 1 / math.sqrt(hd)))          # (T, heads, hd)
            attn = out_hook(i, self.linear(z.reshape(n, d), self.W(p + "attention.dense.weight", (d, d)),
                                           self.opt(p + "attention.dense.bias", (d,), r.bias)))
            mlp = lambda y: self.linear(self.act(r.act, self.linear(y, self.W(p + "mlp.dense_h_to_4h.weight", (r.inter, d)),
                                                                    self.W(p + "mlp.dense_h_to_4h.bias", (r.inter,)))),
                                        self.W(p + "mlp.dense_4h_to_h.weight", (d, r.inter)), self.W(p + "mlp.dense_4h_to_h.bias", (d,)))
            if r.parallel:
                x = (x + attn + mlp(ln(x, p + "post_attention_layernorm"))).astype(self.dt)
            else:
                x = (x + attn).astype(self.dt)
                x = (x + mlp(ln(x, p + "post_attention_layernorm"))).astype(self.dt)
        h = ln(x, "gpt_neox.final_layer_norm")
        name = "embed_out.weight" if r.w.get("embed_out.weight") is not None else "lm_head.weight"
        return self.linear(h, self.W(name, (r.vocab, d)))

    def _llama(self, ids, z_hook, out_hook):
        r, n, hd, d = self.ref, len(ids), self.hd, self.d
        x = self.W("model.embed_tokens.weight", (r.vocab, d))[ids]           # (T, d)
        proj = lambda y, name, out, inp, bias: self.linear(y, self.W(name + ".weight", (out, inp)), self.opt(name + ".bias", (out,), bias))
        g = self.heads // r.kv
        for i in range(self.layers):
            p = f"model.layers.{i}."
            h = self.rms_norm(x, self.W(p + "input_layernorm.weight", (d,)), r.eps)
            a = p + "self_attn."
            q = proj(h, a + "q_proj", self.heads * hd, d, r.qkv_bias).reshape(n, self.heads, hd).transpose(1, 0, 2)
            k = proj(h, a + "k_proj", r.kv * hd, d, r.qkv_bias).reshape(n, r.kv, hd).transpose(1, 0, 2)
            v = proj(h, a + "v_proj", r.kv * hd, d, r.qkv_bias).reshape(n, r.kv, hd).transpose(1, 0, 2)
            q, k = self.rope(q, r.inv_freq), self.rope(k, r.inv_freq)           # (heads|kv, T, hd)
            z = z_hook(i, self.attention(q, self.expand_kv(k, g), self.expand_kv(v, g), hd ** -0.5))  # (T, heads, hd)
            x = (x + out_hook(i, proj(z.reshape(n, self.heads * hd), a + "o_proj", d, self.heads * hd, r.o_bias))).astype(self.dt)
            h = self.rms_norm(x, self.W(p + "post_attention_layernorm.weight", (d,)), r.eps)
            gate = proj(h, p + "mlp.gate_proj", r.inter, d, r.mlp_bias)
            up = proj(h, p + "mlp.up_proj", r.inter, d, r.mlp_bias)
            x = (x + proj((self.act("silu", gate) * up).astype(self.dt), p + "mlp.down_proj", d, r.inter, r.mlp_bias)).astype(self.dt)
        h = self.rms_norm(x, self.W("model.norm.weight", (d,)), r.eps)
        return self.linear(h, self.W("model.embed_tokens.weight" if r.tied else "lm_head.weight", (r.vocab, d)))

    def _gpt2(self, ids, z_hook, out_hook):
        r, n, hd, d = self.ref, len(ids), self.hd, self.d
        pos = self.positions(n).astype(np.int64)
        if pos[-1] >= r.positions:
            raise ValueError(f"{n} tokens exceed n_positions {r.positions}")
        x = (self.W(r.prefix + "wte.weight", (r.vocab, d))[ids] + self.W(r.prefix + "wpe.weight", (r.positions, d))[pos]).astype(self.dt)
        conv = lambda y, name, inp, out: (self.mm(y, self.W(name + ".weight", (inp, out))) + self.W(name + ".bias", (out,))).astype(self.dt)
        ln = lambda y, name: self.layer_norm(y, self.W(name + ".weight", (d,)), self.W(name + ".bias", (d,)), r.eps)
        for i in range(self.layers):
            p = f"{r.prefix}h.{i}."
            qkv = conv(ln(x, p + "ln_1"), p + "attn.c_attn", d, 3 * d)             # (T, 3d): [q | k | v]
            q, k, v = (qkv[:, c * d:(c + 1) * d].reshape(n, self.heads, hd).transpose(1, 0, 2) for c in range(3))
            scale = (1 / math.sqrt(hd) if r.scale_weights else 1.0) / ((i + 1) if r.scale_by_layer else 1)
            z = z_hook(i, self.attention(q, k, v, scale))                        # (T, heads, hd)
            x = (x + out_hook(i, conv(z.reshape(n, d), p + "attn.c_proj", d, d))).astype(self.dt)
            up = self.act(r.act, conv(ln(x, p + "ln_2"), p + "mlp.c_fc", d, r.inner))
            x = (x + conv(up, p + "mlp.c_proj", r.inner, d)).astype(self.dt)
        h = ln(x, r.prefix + "ln_f")
        return self.linear(h, self.W(r.prefix + "wte.weight" if r.tied else "lm_head.weight", (r.vocab, d)))


class NumpyRunner:
    """The runner protocol's four operations over :class:`Forward`, with the lab-style patching code."""

    def __init__(self, dtype="float32", mutant=None, tokenize=False):
        if mutant is not None and mutant not in MUTANTS:
            raise ValueError(f"unknown mutant {mutant!r}; known: {', '.join(MUTANTS)}")
        self.dtype_name = dtype                   # what the hello declares
        if mutant == "half_softmax":
            dtype = "float16"                     # what it computes in
        self.dt = _DTYPES[dtype]
        self.mutant = mutant
        self._models = collections.OrderedDict()
        self.tokenize = tokenize
        self._tokenizers = {}
        self._rng = np.random.default_rng(0)

    def hello(self):
        return {"runner": "editgate numpy runner" + (f" (mutant {self.mutant})" if self.mutant else ""),
                "dtype": self.dtype_name, "tokenizes": self.tokenize,
                "capabilities": ["logits", "generate", "patch_heads", "ablate_heads"]}

    def model(self, folder):
        if folder in self._models:
            self._models.move_to_end(folder)
            return self._models[folder]
        m = Forward(folder, self.dt, self.mutant)
        self._models[folder] = m
        while len(self._models) > 3:
            self._models.popitem(last=False)
        return m

    def logits(self, folder, ids):
        m = self.model(folder)
        return np.stack([m.run(row) for row in np.asarray(ids)])                   # (B, T, V)

    def logits_of_prompts(self, folder, prompts):
        """Tokenizes each prompt with the folder's tokenizer.json -> (ids per prompt, logits per prompt)."""
        if folder not in self._tokenizers:
            self._tokenizers[folder] = ByteLevelBPE(os.path.join(folder, "tokenizer.json"))
        m = self.model(folder)
        ids, logits = [], []
        for p in prompts:
            row = self._tokenizers[folder].encode(p)
            if self.mutant == "bos_prepended":
                bos = m.config.get("bos_token_id")
                row = [0 if bos is None else int(bos)] + row
                m.mutant = None                                                     # the BOS is in the ids now: run them as they are
                try:
                    logits.append(m.run(row))
                finally:
                    m.mutant = self.mutant
            else:
                logits.append(m.run(row))
            ids.append(row)
        return ids, logits

    def generate(self, folder, ids, n):
        m = self.model(folder)
        out = []
        for row in np.asarray(ids):
            seq = list(int(t) for t in row)
            for _ in range(n):
                last = m.run(seq)[-1].astype(np.float64)
                if self.mutant == "sampling":
                    p = np.exp(last - last.max())
                    seq.append(int(self._rng.choice(len(p), p=p / p.sum())))
                else:
                    seq.append(int(np.argmax(last)))
            out.append(seq[len(row):])
        return np.asarray(out, dtype=np.int64)                                      # (B, n)

    def _target_layer(self, m, layer):
        if not 0 <= layer < m.layers:
            raise ValueError(f"layer {layer} outside 0..{m.layers - 1}")
        if self.mutant == "wrong_layer":
            return layer + 1 if layer + 1 < m.layers else layer - 1
        return layer

    def _check_heads(self, m, heads):
        for h in heads:
            if not 0 <= h < m.heads:
                raise ValueError(f"head {h} outside 0..{m.heads - 1}")

    def patch_heads(self, folder, clean, corrupt, layer, heads):
        """Runs the clean prompt, keeps layer L's z, reruns the corrupted prompt with those heads' z replaced."""
        m = self.model(folder)
        self._check_heads(m, heads)
        target = self._target_layer(m, layer)
        clean, corrupt = np.asarray(clean), np.asarray(corrupt)
        if clean.shape != corrupt.shape:
            raise ValueError(f"clean {list(clean.shape)} and corrupt {list(corrupt.shape)} ids must have the same shape")
        out = []
        for c, x in zip(clean, corrupt):
            saved = {}
            if self.mutant == "patch_noop":
                out.append(m.run(x))                                                # the hook never fires
            elif self.mutant == "slice_patching":
                w = m.d // m.heads                                                  # the seed: slices of the post-projection output
                m.run(c, out_hook=lambda i, o: saved.setdefault(i, o.copy()) if i == target else o)

                def put(i, o):
                    if i != target:
                        return o
                    o = o.copy()
                    for h in heads:
                        o[:, h * w:(h + 1) * w] = saved[i][:, h * w:(h + 1) * w]
                    return o
                out.append(m.run(x, out_hook=put))
            else:
                m.run(c, z_hook=lambda i, z: saved.setdefault(i, z.copy()) if i == target else z)

                def put(i, z):
                    if i != target:
                        return z
                    z = z.copy()
                    z[:, heads] = saved[i][:, heads]                               # (T, |S|, hd)
                    return z
                out.append(m.run(x, z_hook=put))
        return np.stack(out)

    def ablate_heads(self, folder, ids, layer, heads):
        """Zero-ablates the heads' z at layer L (post-projection slices for the slice mutant)."""
        m = self.model(folder)
        self._check_heads(m, heads)
        target = self._target_layer(m, layer)
        out = []
        for row in np.asarray(ids):
            if self.mutant == "patch_noop":
                out.append(m.run(row))                                              # the hook never fires
            elif self.mutant == "slice_patching":
                w = m.d // m.heads

                def zero(i, o):
                    if i != target:
                        return o
                    o = o.copy()
                    for h in heads:
                        o[:, h * w:(h + 1) * w] = 0
                    return o
                out.append(m.run(row, out_hook=zero))
            else:
                def zero(i, z):
                    if i != target:
                        return z
                    z = z.copy()
                    z[:, heads] = 0
                    return z
                out.append(m.run(row, z_hook=zero))
        return np.stack(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="editgate's numpy reference runner (runner protocol 1)")
    ap.add_argument("--dtype", default="float32", choices=sorted(_DTYPES))
    ap.add_argument("--mutant", default=os.environ.get("EDITGATE_RUNNER_MUTANT") or None, choices=MUTANTS)
    ap.add_argument("--tokenize", action="store_true", help="also answer logits for text prompts (byte-level BPE tokenizer.json)")
    a = ap.parse_args(argv)
    serve(NumpyRunner(a.dtype, a.mutant, a.tokenize))


if __name__ == "__main__":
    main()
