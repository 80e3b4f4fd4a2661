"""editgate_client.layouts against attention written from the Hugging Face modeling code of each family.

python3 -m unittest discover -s tests -t .   (run from python/)
"""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from editgate_client import layouts  # noqa: E402

T = 5  # tokens


def causal_attention(q, k, v):
    """q, k, v [T, heads, hd] -> z [T, heads, hd]: softmax(q k^T / sqrt(hd)) v, causal (positions play no part in a head permutation)."""
    hd = q.shape[-1]
    s = np.einsum("thd,uhd->htu", q, k) / np.sqrt(hd)
    s = np.where(np.tril(np.ones((T, T), bool))[None], s, -np.inf)
    a = np.exp(s - s.max(-1, keepdims=True))
    a /= a.sum(-1, keepdims=True)
    return np.einsum("htu,uhd->thd", a, v)


def neox_attention(t, cfg, layer, x):
    """GPTNeoXAttention: qkv.view(..., heads, 3*hd) then split q, k, v; merged heads go through dense [out, in]."""
    h, hd = cfg["num_attention_heads"], cfg["hidden_size"] // cfg["num_attention_heads"]
    p = f"gpt_neox.layers.{layer}.attention."
    qkv = (x @ t[p + "query_key_value.weight"].T + t[p + "query_key_value.bias"]).reshape(T, h, 3 * hd)
    z = causal_attention(qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:])
    return z.reshape(T, h * hd) @ t[p + "dense.weight"].T + t[p + "dense.bias"], z


def llama_attention(t, cfg, layer, x):
    """LlamaAttention: q/k/v_proj [out, in], view(heads|kv_heads, head_dim), repeat_kv (repeat_interleave), o_proj [out, in]."""
    h, kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or cfg["hidden_size"] // h
    p = f"model.layers.{layer}.self_attn."

    def proj(name, n):
        y = x @ t[p + name + ".weight"].T
        if p + name + ".bias" in t:
            y = y + t[p + name + ".bias"]
        return y.reshape(T, n, hd)

    q, k, v = proj("q_proj", h), np.repeat(proj("k_proj", kv), h // kv, axis=1), np.repeat(proj("v_proj", kv), h // kv, axis=1)
    z = causal_attention(q, k, v)
    return z.reshape(T, h * hd) @ t[p + "o_proj.weight"].T, z


def gpt2_attention(t, cfg, layer, x, prefix=""):
    """GPT2Attention: Conv1D c_attn (x @ W + b, W [in, out]), split(d) into q | k | v, each view(heads, hd); Conv1D c_proj."""
    h, d = cfg["n_head"], cfg["n_embd"]
    p = f"{prefix}h.{layer}.attn."
    q, k, v = np.split(x @ t[p + "c_attn.weight"] + t[p + "c_attn.bias"], 3, axis=-1)
    z = causal_attention(q.reshape(T, h, -1), k.reshape(T, h, -1), v.reshape(T, h, -1))
    return z.reshape(T, d) @ t[p + "c_proj.weight"] + t[p + "c_proj.bias"], z


def arange_tensors(shapes, seed):
    rng = np.random.default_rng(seed)
    return {n: rng.standard_normal(s) for n, s in shapes.items()}


def neox_case():
    cfg = {"model_type": "gpt_neox", "hidden_size": 12, "num_attention_heads": 3, "num_hidden_layers": 2}
    d = 12
    shapes = {}
    for i in range(2):
        p = f"gpt_neox.layers.{i}.attention."
        shapes.update({p + "query_key_value.weight": (3 * d, d), p + "query_key_value.bias": (3 * d,),
                       p + "dense.weight": (d, d), p + "dense.bias": (d,)})
    return cfg, arange_tensors(shapes, 1), neox_attention, d


def llama_case(heads=6, kv=2, hd=4, d=16, bias=True, model_type="qwen2"):
    cfg = {"model_type": model_type, "hidden_size": d, "num_attention_heads": heads, "num_key_value_heads": kv,
           "head_dim": hd, "num_hidden_layers": 2}
    shapes = {}
    for i in range(2):
        p = f"model.layers.{i}.self_attn."
        shapes.update({p + "q_proj.weight": (heads * hd, d), p + "k_proj.weight": (kv * hd, d),
                       p + "v_proj.weight": (kv * hd, d), p + "o_proj.weight": (d, heads * hd)})
        if bias:
            shapes.update({p + "q_proj.bias": (heads * hd,), p + "k_proj.bias": (kv * hd,), p + "v_proj.bias": (kv * hd,)})
    return cfg, arange_tensors(shapes, 2), llama_attention, d


def gpt2_case(prefix=""):
    cfg = {"model_type": "gpt2", "n_embd": 12, "n_head": 3, "n_layer": 2}
    d = 12
    shapes = {prefix + "wte.weight": (7, d)}
    for i in range(2):
        p = f"{prefix}h.{i}.attn."
        shapes.update({p + "c_attn.weight": (d, 3 * d), p + "c_attn.bias": (3 * d,), p + "c_proj.weight": (d, d),
                       p + "c_proj.bias": (d,), p + "bias": (1, 1, 8, 8)})
    fn = (lambda t, c, layer, x: gpt2_attention(t, c, layer, x, prefix))
    return cfg, arange_tensors(shapes, 3), fn, d


class PermuteHeads(unittest.TestCase):
    def check(self, case, perms, layer=1):
        cfg, t, attention, d = case
        x = np.random.default_rng(0).standard_normal((T, d))
        out0, z0 = attention(t, cfg, layer, x)
        for perm in perms:
            changed = layouts.permute_heads(t, cfg, layer, perm)
            self.assertTrue(set(changed) <= set(t))
            self.assertTrue(all(f".{layer}." in n for n in changed), sorted(changed))
            edited = dict(t, **changed)
            out1, z1 = attention(edited, cfg, layer, x)
            np.testing.assert_allclose(z1, z0[:, perm], rtol=1e-12, atol=1e-12, err_msg=f"new head i must be old head perm[i] for {perm}")
            np.testing.assert_allclose(out1, out0, rtol=1e-12, atol=1e-12, err_msg=str(perm))
            # the check can fail: moving the heads' inputs without the output projection changes the output
            if perm != sorted(perm):
                o = next(b.tensor for b in layouts.head_blocks(cfg, layer, t.keys()) if b.kind == "o")
                broken = dict(edited, **{o: t[o]})
                self.assertFalse(np.allclose(attention(broken, cfg, layer, x)[0], out0), str(perm))

    def test_gpt_neox(self):
        self.check(neox_case(), [[0, 1, 2], [1, 0, 2], [2, 0, 1], [1, 2, 0]])

    def test_llama_grouped_query_attention(self):
        g = [layouts.compose([0, 1], [[0, 1, 2], [0, 1, 2]]), layouts.compose([1, 0], [[0, 1, 2], [0, 1, 2]]),
             layouts.compose([0, 1], [[2, 0, 1], [0, 1, 2]]), layouts.compose([1, 0], [[1, 0, 2], [0, 2, 1]])]
        self.check(llama_case(), g)
        self.check(llama_case(heads=8, kv=2, hd=4, d=32, bias=False, model_type="llama"),
                   [layouts.compose([1, 0], [[3, 2, 1, 0], [0, 1, 2, 3]])])
        self.check(llama_case(heads=4, kv=4, hd=6, d=12, bias=True, model_type="qwen2"), [[1, 2, 0, 3], [3, 2, 1, 0]])

    def test_gpt2_with_and_without_prefix(self):
        for prefix in ("", "transformer."):
            self.check(gpt2_case(prefix), [[1, 0, 2], [2, 0, 1]])

    def test_neox_rows_move_in_blocks_of_three_head_dims(self):
        cfg, t, _, d = neox_case()
        w = np.arange(3 * d * d, dtype=np.float32).reshape(3 * d, d)
        t = dict(t, **{"gpt_neox.layers.0.attention.query_key_value.weight": w})
        new = layouts.permute_heads(t, cfg, 0, [2, 0, 1])["gpt_neox.layers.0.attention.query_key_value.weight"]
        hd = d // 3
        for i, src in enumerate([2, 0, 1]):
            np.testing.assert_array_equal(new[i * 3 * hd:(i + 1) * 3 * hd], w[src * 3 * hd:(src + 1) * 3 * hd])

    def test_gpt2_c_attn_columns_are_q_then_k_then_v(self):
        cfg, t, _, d = gpt2_case()
        w = np.arange(d * 3 * d, dtype=np.float32).reshape(d, 3 * d)
        t = dict(t, **{"h.0.attn.c_attn.weight": w})
        new = layouts.permute_heads(t, cfg, 0, [1, 0, 2])["h.0.attn.c_attn.weight"]
        hd = d // 3
        for c in range(3):
            np.testing.assert_array_equal(new[:, c * d:c * d + hd], w[:, c * d + hd:c * d + 2 * hd])

    def test_returns_only_the_head_tensors_and_never_writes_the_input(self):
        cfg, t, _, _ = llama_case()
        for a in t.values():
            a.flags.writeable = False
        changed = layouts.permute_heads(t, cfg, 0, layouts.compose([1, 0], [[0, 1, 2], [0, 1, 2]]))
        p = "model.layers.0.self_attn."
        self.assertEqual(sorted(changed), sorted(p + n for n in ["q_proj.weight", "k_proj.weight", "v_proj.weight", "o_proj.weight",
                                                                 "q_proj.bias", "k_proj.bias", "v_proj.bias"]))

    def test_a_permutation_that_splits_a_kv_group_is_refused(self):
        cfg, t, _, _ = llama_case()  # 6 heads, 2 KV heads: groups {0,1,2} and {3,4,5}
        with self.assertRaisesRegex(ValueError, r"splits a KV group: new query heads 0\.\.2 \(KV group 0\) would come from old heads 0 \(group 0\) and 3"):
            layouts.permute_heads(t, cfg, 0, [0, 3, 2, 1, 4, 5])
        self.assertEqual(layouts.kv_permutation([3, 4, 5, 0, 1, 2], 3), [1, 0])

    def test_family_detection_and_bad_configs(self):
        self.assertEqual(layouts.family({"model_type": "mistral"}), "llama")
        self.assertEqual(layouts.family({"architectures": ["GPT2LMHeadModel"]}), "gpt2")
        self.assertEqual(layouts.family({}), "gpt_neox")
        with self.assertRaisesRegex(ValueError, "model_type 'bert' is not supported"):
            layouts.family({"model_type": "bert"})
        with self.assertRaisesRegex(ValueError, "layer 2 is out of range"):
            layouts.head_blocks(neox_case()[0], 2)
        s = layouts.shape({"model_type": "mistral", "hidden_size": 48, "num_attention_heads": 6, "num_key_value_heads": 3,
                           "num_hidden_layers": 1, "attention_bias": True})
        self.assertEqual((s.kv_heads, s.head_dim, s.qkv_bias, s.o_bias), (3, 8, False, False))


if __name__ == "__main__":
    unittest.main()
