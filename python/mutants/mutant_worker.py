"""Python twins of the Java mutant catalogue (dev.editgate.fixtures.mutants.Mutant), bit for bit.

    python3 mutant_worker.py --mutant inverse_on_dense --worker
    python3 mutant_worker.py --mutant seed_component_major_qkv --request R.json
    python3 mutant_worker.py --mutant mlp_inverse_on_out --worker          # protocol 2 requests (edit kinds)
Convention of the request: new query head i = old head permutation[i]. Every mutant is a plausible bug, written the
way a lab would write it for the family it targets (FAMILIES); the correct parts come from editgate_client.layouts.
The edit-kind mutants (KIND_OF: mlp-permutation, residual-permutation, qk-/vo-scaling) answer protocol 2 requests of
their kind (docs/external-edit-protocol.md); their correct parts come from editgate_client.kinds.
"""
import os
import sys

import numpy as np

from editgate_client import kinds, layouts, run, safetensors_np, load_input


def _names(layer):
    p = f"gpt_neox.layers.{layer}.attention."
    return p + "query_key_value.weight", p + "query_key_value.bias", p + "dense.weight", p + "dense.bias"


def _round_f16(a, tag):
    if tag == "F16" or a.dtype.kind != "f" and tag != "BF16":
        return a
    if tag == "BF16":
        f = (a.astype(np.uint32) << 16).view(np.float32).astype(np.float16).astype(np.float32)
        u = f.view(np.uint32)
        rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16  # round to nearest even, as HalfFloats.floatToBf16
        return rounded.astype(np.uint16)
    return a.astype(np.float32).astype(np.float16).astype(np.float32).astype(a.dtype)


# The families each mutant's code was written for (Mutant.families() in Java).
_NEOX, _LLAMA, _GPT2 = {"gpt_neox"}, {"llama"}, {"gpt2"}
_ALL = _NEOX | _LLAMA | _GPT2
FAMILIES = {
    "seed_component_major_qkv": _NEOX, "inverse_on_dense": _ALL, "dense_rows": _NEOX, "qkv_bias_not_permuted": _NEOX,
    "only_q_and_k": _NEOX, "block_size_two_head_dim": _NEOX, "mutates_input": _ALL, "rounds_through_fp16": _ALL,
    "high_heads_ignored": _NEOX | _GPT2, "also_next_layer": _ALL, "scatter_convention": _ALL,
    "dense_bias_permuted": _NEOX | _GPT2, "gpt2_as_neox": _GPT2, "gpt2_conv1d_axis": _GPT2, "llama_q_input_axis": _LLAMA,
    "llama_o_proj_rows": _LLAMA, "kv_left_in_place": _LLAMA, "hard_coded_group_size": _LLAMA, "qkv_biases_not_moved": _LLAMA,
    "mlp_out_not_permuted": _ALL, "swiglu_gate_without_up": _LLAMA, "mlp_inverse_on_out": _ALL,
    "residual_final_norm_forgotten": _ALL, "residual_positions_forgotten": _GPT2, "residual_inverse_on_reads": _ALL,
    "qk_scaling_on_k_not_q": _ALL, "vo_scaling_on_v_not_o": _ALL, "gqa_scaling_per_query_head": _LLAMA,
    # shape-dependent: right on the model the code was written for, wrong (or crashing) on other shapes
    "head_dim_from_hidden": _LLAMA, "bias_assumed_present": _NEOX | _LLAMA, "tied_embeddings_written_twice": _LLAMA | _GPT2,
}
# The edit kind each edit-kind mutant gets wrong (the others are head permutations).
KIND_OF = {
    "mlp_out_not_permuted": kinds.MLP_PERMUTATION, "swiglu_gate_without_up": kinds.MLP_PERMUTATION,
    "mlp_inverse_on_out": kinds.MLP_PERMUTATION, "residual_final_norm_forgotten": kinds.RESIDUAL_PERMUTATION,
    "residual_positions_forgotten": kinds.RESIDUAL_PERMUTATION, "residual_inverse_on_reads": kinds.RESIDUAL_PERMUTATION,
    "qk_scaling_on_k_not_q": kinds.QK_SCALING, "vo_scaling_on_v_not_o": kinds.VO_SCALING,
    "gqa_scaling_per_query_head": kinds.QK_SCALING,
}
HARD_CODED_GROUP = 4  # Llama-3.1-8B's 32 / 8


def _head_index(perm, hd, length):
    """Index map of an axis whose first len(perm)*hd entries are head blocks moved by perm (the rest stays)."""
    idx = np.arange(length)
    idx[:len(perm) * hd] = (np.asarray(perm)[:, None] * hd + np.arange(hd)).ravel()  # fails if the blocks do not fit
    return idx


def _neox(t, s, mutant, layer, perm, ok):
    heads, hd = s.heads, s.head_dim
    qw, qb, dw, _ = _names(layer)
    w, b, d = t[qw], t[qb], t[dw]
    hidden = d.shape[0]
    if mutant == "seed_component_major_qkv":
        return {qw: w.reshape(3, heads, hd, hidden)[:, perm].reshape(w.shape),
                qb: b.reshape(3, heads, hd)[:, perm].reshape(b.shape), dw: ok[dw]}
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
    return None


def _gpt2(t, s, mutant, layer, perm):
    heads, hd, d = s.heads, s.head_dim, s.hidden
    p = f"{'transformer.' if 'transformer.wte.weight' in t else ''}h.{layer}.attn."
    w, b, c = t[p + "c_attn.weight"], t[p + "c_attn.bias"], t[p + "c_proj.weight"]  # Conv1D [in, out]
    if mutant == "gpt2_as_neox":  # c_attn columns taken as GPT-NeoX's [heads, 3, hd]; c_proj rows right
        return {p + "c_attn.weight": w.reshape(d, heads, 3 * hd)[:, perm].reshape(w.shape),
                p + "c_attn.bias": b.reshape(heads, 3 * hd)[perm].reshape(b.shape),
                p + "c_proj.weight": c.reshape(heads, hd, d)[perm].reshape(c.shape)}
    if mutant == "gpt2_conv1d_axis":  # weights treated as Linear [out, in]: c_attn rows, c_proj columns; the bias is right
        return {p + "c_attn.weight": w.reshape(heads, hd, 3 * d)[perm].reshape(w.shape),
                p + "c_attn.bias": b.reshape(3, heads, hd)[:, perm].reshape(b.shape),
                p + "c_proj.weight": c.reshape(d, heads, hd)[:, perm].reshape(c.shape)}
    return None


def _llama(t, s, mutant, layer, perm, sigma, ok):
    heads, kv, hd = s.heads, s.kv_heads, s.head_dim
    p = f"model.layers.{layer}.self_attn."
    q, o = p + "q_proj.weight", p + "o_proj.weight"
    kv_names = [p + f"{x}_proj.{y}" for x in "kv" for y in ("weight", "bias")]
    if mutant == "llama_q_input_axis":  # q_proj's input axis (columns) permuted instead of its rows
        out = dict(ok)
        out[q] = t[q][:, _head_index(perm, hd, t[q].shape[1])]
        return out
    if mutant == "llama_o_proj_rows":
        out = dict(ok)
        out[o] = t[o][_head_index(perm, hd, t[o].shape[0])]
        return out
    if mutant == "kv_left_in_place":  # k/v (and their biases) never moved
        return {n: a for n, a in ok.items() if n not in kv_names}
    if mutant == "hard_coded_group_size":  # k/v copied along with each query head, group size 4 whatever the config says
        out = {n: a for n, a in ok.items() if n not in kv_names}
        g = HARD_CODED_GROUP
        for n in kv_names:
            if n in t:
                src, dst = t[n], t[n].copy()
                for i in range(heads):
                    if i // g < kv and perm[i] // g < kv:
                        dst[(i // g) * hd:(i // g + 1) * hd] = src[(perm[i] // g) * hd:(perm[i] // g + 1) * hd]
                out[n] = dst
        return out
    if mutant == "qkv_biases_not_moved":
        return {n: a for n, a in ok.items() if not n.endswith(".bias")}
    return None


def _mlp(t, cfg, mutant, layer, params):
    perm = kinds.check_permutation(params["permutation"], kinds.intermediate_size(cfg))
    parts = kinds.mlp_parts(cfg, layer, t.keys())
    if mutant == "mlp_out_not_permuted":  # the in side (gate/up rows, c_fc columns, biases) moves, down stays
        return kinds.gather_axes(t, [(a, perm) for a in parts if a.role != "down"])
    if mutant == "swiglu_gate_without_up":  # gate_proj rows (and bias) and down_proj columns move; up_proj (and bias) stay
        return kinds.gather_axes(t, [(a, perm) for a in parts if a.role not in ("up", "up_bias")])
    inv = np.argsort(perm)  # mlp_inverse_on_out
    return kinds.gather_axes(t, [(a, inv if a.role == "down" else perm) for a in parts])


def _residual(t, cfg, mutant, params):
    perm = kinds.check_permutation(params["permutation"], layouts.shape(cfg).hidden)
    axes = kinds.residual_axes(cfg, t.keys())
    if mutant == "residual_final_norm_forgotten":  # final norm weight (and bias) left in place
        return kinds.gather_axes(t, [(a, perm) for a in axes if a.role != "final_norm"])
    if mutant == "residual_positions_forgotten":  # GPT-2's wpe left in place
        return kinds.gather_axes(t, [(a, perm) for a in axes if a.role != "position"])
    inv = np.argsort(perm)  # residual_inverse_on_reads: q/k/v/qkv and mlp up/gate/fc input axes by p^-1
    return kinds.gather_axes(t, [(a, inv if a.role == "read" else perm) for a in axes])


def _scaling(t, cfg, s, mutant, layer, params, dtypes):
    e, per_kv = kinds.group_exponents(params["exponents"], s, KIND_OF[mutant])
    names = t.keys()
    if mutant == "gqa_scaling_per_query_head":  # k rows of KV head j by 1/c of query head j (not of group j's heads)
        return kinds.scale_axes(t, kinds.head_block_factors(cfg, layer, names, {"q": e, "k": -e[:s.kv_heads]}), dtypes)
    part = "k" if mutant == "qk_scaling_on_k_not_q" else "v"
    # two passes, as the Java twin: qk: k gets c (meant for q), then its own 1/c; vo: v gets its own c, then 1/c (meant for o)
    out = kinds.scale_axes(t, kinds.head_block_factors(cfg, layer, names, {part: per_kv}), dtypes)
    out.update(kinds.scale_axes(dict(t, **out), kinds.head_block_factors(cfg, layer, names, {part: -per_kv}), dtypes))
    return out


def _kind_mutant(t, req, cfg, s, mutant):
    kind = KIND_OF[mutant]
    asked = req.get("edit") if req.get("protocol") == 2 else "head-permutation (protocol 1)"
    if asked != kind:
        raise ValueError(f"mutant {mutant} edits {kind}; the request asks for {asked}")
    params, layer = req["params"], req.get("layer")
    if kind == kinds.RESIDUAL_PERMUTATION:
        return _residual(t, cfg, mutant, params)
    layouts.head_blocks(cfg, layer, t.keys())  # checks the layer
    if kind == kinds.MLP_PERMUTATION:
        return _mlp(t, cfg, mutant, layer, params)
    return _scaling(t, cfg, s, mutant, layer, params, req.get("dtypes"))


def _head_permutation(req):
    """layer and permutation of a head-permutation request, protocol 1 or 2."""
    if req.get("protocol") == 2:
        if req.get("edit") != kinds.HEAD_PERMUTATION:
            raise ValueError(f"this mutant edits head-permutation; the request asks for {req.get('edit')}")
        return req["layer"], np.array(req["params"]["permutation"], dtype=np.int64)
    return req["layer"], np.array(req["permutation"], dtype=np.int64)


def make_edit(mutant):
    if mutant not in FAMILIES:
        raise ValueError(f"unknown mutant {mutant}; expected one of {', '.join(FAMILIES)}")

    def edit(t, req):
        cfg = layouts.read_config(req["input"])
        s = layouts.shape(cfg)
        if s.family not in FAMILIES[mutant]:
            raise ValueError(f"mutant {mutant} is written for [{', '.join(sorted(FAMILIES[mutant]))}] models, not {s.family}")
        if mutant in KIND_OF:
            return _kind_mutant(t, req, cfg, s, mutant)
        layer, perm = _head_permutation(req)
        inv = np.argsort(perm)
        sigma = layouts.kv_permutation(perm, s.heads // s.kv_heads)  # refuses a perm that splits a KV group, as Java does
        blocks = layouts.head_blocks(cfg, layer, t.keys())
        ok = layouts.permute_heads(t, cfg, layer, perm)
        o_name = next(b.tensor for b in blocks if b.kind == "o")
        special = (_neox(t, s, mutant, layer, perm, ok) if s.family == "gpt_neox"
                   else _gpt2(t, s, mutant, layer, perm) if s.family == "gpt2"
                   else _llama(t, s, mutant, layer, perm, sigma, ok))
        if special is not None:
            return special
        if mutant == "head_dim_from_hidden":  # head_dim = hidden_size // num_attention_heads, the config's head_dim ignored
            wrong_hd = s.hidden // s.heads
            wrong = [layouts._strided(b.kind, b.bias, b.label, b.tensor, b.axis, wrong_hd, len(b.starts), 0, wrong_hd) for b in blocks]
            return layouts.move_blocks(t, layouts.head_moves(wrong, list(perm), sigma))
        if mutant == "bias_assumed_present":  # the q/k/v biases read unconditionally: KeyError on a model without them
            names = ([f"gpt_neox.layers.{layer}.attention.query_key_value.bias"] if s.family == "gpt_neox"
                     else [f"model.layers.{layer}.self_attn.{x}_proj.bias" for x in "qkv"])
            _ = [t[n] for n in names]
            return ok
        if mutant == "tied_embeddings_written_twice":  # lm_head.weight saved too: on a tied model, a second copy of the embedding
            embed = "model.embed_tokens.weight" if s.family == "llama" else layouts._gpt2_prefix(t.keys()) + "wte.weight"
            out = dict(ok)
            out["lm_head.weight"] = t["lm_head.weight"] if "lm_head.weight" in t else t[embed]
            return out
        if mutant == "inverse_on_dense":
            out = dict(ok)
            out[o_name] = layouts.permute_heads(t, cfg, layer, inv)[o_name]
            return out
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
        if mutant == "high_heads_ignored":  # a loop bound hard-coded for another model: new heads >= min(8, heads-2) stay
            limit = min(8, s.heads - 2)
            p = np.arange(s.heads)
            p[:limit] = perm[:limit]
            return layouts.move_blocks(t, [(b, p) for b in blocks])
        if mutant == "also_next_layer":
            other = layer + 1 if layer + 1 < s.layers else layer - 1
            out = dict(ok)
            if other >= 0:
                out.update(layouts.permute_heads(t, cfg, other, perm))
            return out
        if mutant == "scatter_convention":
            return layouts.permute_heads(t, cfg, layer, inv)
        if mutant == "dense_bias_permuted":  # the output projection's bias is not per head
            out = dict(ok)
            db = o_name[:-len("weight")] + "bias"
            out[db] = t[db].reshape(s.heads, s.head_dim)[perm].reshape(t[db].shape)
            return out
        raise ValueError(f"mutant {mutant} has no code for {s.family}")
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
