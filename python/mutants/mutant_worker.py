"""Python twins of the Java mutant catalogue (dev.editgate.fixtures.mutants.Mutant), bit for bit.

    python3 mutant_worker.py --mutant inverse_on_dense --worker
    python3 mutant_worker.py --mutant seed_component_major_qkv --request R.json
Convention of the request: new head i = old head permutation[i]. Every mutant is a plausible bug.
"""
import json
import os
import sys

import numpy as np

from editgate_client import run, safetensors_np, load_input


def _names(layer):
    p = f"gpt_neox.layers.{layer}.attention."
    return p + "query_key_value.weight", p + "query_key_value.bias", p + "dense.weight", p + "dense.bias"


def _correct(t, layer, perm, heads):
    qw, qb, dw, _ = _names(layer)
    w, b, d = t[qw], t[qb], t[dw]
    hidden = d.shape[0]
    return {
        qw: w.reshape(heads, -1, hidden)[perm].reshape(w.shape),  # [heads, 3*hd, hidden]
        qb: b.reshape(heads, -1)[perm].reshape(b.shape),
        dw: d.reshape(hidden, heads, -1)[:, perm].reshape(d.shape),  # columns per head
    }


def _round_f16(a, tag):
    if tag == "F16" or a.dtype.kind != "f" and tag != "BF16":
        return a
    if tag == "BF16":
        f = (a.astype(np.uint32) << 16).view(np.float32).astype(np.float16).astype(np.float32)
        u = f.view(np.uint32)
        rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16  # round to nearest even, as HalfFloats.floatToBf16
        return rounded.astype(np.uint16)
    return a.astype(np.float32).astype(np.float16).astype(np.float32).astype(a.dtype)


def make_edit(mutant):
    def edit(t, req):
        layer, perm = req["layer"], np.array(req["permutation"], dtype=np.int64)
        with open(os.path.join(req["input"], "config.json")) as f:
            cfg = json.load(f)
        heads, layers = cfg["num_attention_heads"], cfg["num_hidden_layers"]
        qw, qb, dw, db = _names(layer)
        w, b, d = t[qw], t[qb], t[dw]
        hidden = d.shape[0]
        hd = hidden // heads
        inv = np.argsort(perm)
        ok = _correct(t, layer, perm, heads)
        if mutant == "seed_component_major_qkv":
            return {qw: w.reshape(3, heads, hd, hidden)[:, perm].reshape(w.shape),
                    qb: b.reshape(3, heads, hd)[:, perm].reshape(b.shape), dw: ok[dw]}
        if mutant == "inverse_on_dense":
            return {qw: ok[qw], qb: ok[qb], dw: d.reshape(hidden, heads, hd)[:, inv].reshape(d.shape)}
        if mutant == "dense_rows":
            return {qw: ok[qw], qb: ok[qb], dw: d.reshape(heads, hd, hidden)[perm].reshape(d.shape)}
        if mutant == "qkv_bias_not_permuted":
            return {qw: ok[qw], dw: ok[dw]}
        if mutant == "only_q_and_k":
            w2, b2 = w.reshape(heads, 3, hd, hidden).copy(), b.reshape(heads, 3, hd).copy()
            w2[:, :2] = w.reshape(heads, 3, hd, hidden)[perm, :2]
            b2[:, :2] = b.reshape(heads, 3, hd)[perm, :2]
            return {qw: w2.reshape(w.shape), qb: b2.reshape(b.shape), dw: ok[dw]}
        if mutant == "block_size_two_head_dim":
            bs, n = 2 * hd, heads * 2 * hd
            w2, b2 = w.copy(), b.copy()
            w2[:n] = w[:n].reshape(heads, bs, hidden)[perm].reshape(n, hidden)
            b2[:n] = b[:n].reshape(heads, bs)[perm].reshape(n)
            return {qw: w2, qb: b2, dw: ok[dw]}
        if mutant == "mutates_input":
            merged = dict(t)
            merged.update(ok)
            tensors, dtypes = load_input(req["input"])
            safetensors_np.write(os.path.join(req["input"], "model.safetensors"),
                                 {k: np.array(v) for k, v in merged.items()}, dtypes, {"format": "pt"})
            return ok
        if mutant == "rounds_through_fp16":
            tags = req.get("_dtypes", {})
            return {k: _round_f16(v, tags.get(k, "")) for k, v in ok.items()}
        if mutant == "high_heads_ignored":
            limit = min(8, heads - 2)
            p = np.arange(heads)
            p[:limit] = perm[:limit]
            return _correct(t, layer, p, heads)
        if mutant == "also_next_layer":
            other = layer + 1 if layer + 1 < layers else layer - 1
            out = dict(ok)
            if other >= 0:
                out.update(_correct(t, other, perm, heads))
            return out
        if mutant == "scatter_convention":
            return _correct(t, layer, inv, heads)
        if mutant == "dense_bias_permuted":
            out = dict(ok)
            out[db] = t[db].reshape(heads, hd)[perm].reshape(t[db].shape)
            return out
        raise ValueError(f"unknown mutant {mutant}")
    return edit


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--mutant" not in args:
        sys.stderr.write("usage: mutant_worker.py --mutant NAME (--worker | --request R.json)\n")
        sys.exit(2)
    name = args[args.index("--mutant") + 1]
    edit = make_edit(name)
    if name == "rounds_through_fp16":  # needs the dtype tags to treat BF16 bit patterns
        inner = edit

        def edit(t, req):  # noqa: F811
            _, dtypes = load_input(req["input"])
            return inner(t, dict(req, _dtypes=dtypes))
    run(edit, args)
