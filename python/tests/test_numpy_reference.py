"""python3 -m unittest discover -s tests -t .   (run from python/)

Self-checks of reference/numpy_reference.py on tiny random checkpoint folders written here.
"""
import io
import json
import math
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from editgate_client import safetensors_np  # noqa: E402
from reference import numpy_reference as ref  # noqa: E402

VOCAB = 37
IDS = [3, 17, 0, 36, 9, 9, 21, 5]


def _u(r, shape, scale):
    return scale * (2 * r.random(shape) - 1)


def llama_config(model_type="llama", hidden=16, heads=4, kv=2, layers=2, **extra):
    c = {"model_type": model_type, "hidden_size": hidden, "num_attention_heads": heads, "num_key_value_heads": kv,
         "num_hidden_layers": layers, "intermediate_size": 24, "vocab_size": VOCAB, "rms_norm_eps": 1e-5,
         "rope_theta": 10000.0, "hidden_act": "silu", "rope_scaling": None}
    c.update(extra)
    return c


def llama_weights(c, seed):
    r = np.random.default_rng(seed)
    d, heads, kv, inter = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["intermediate_size"]
    hd = c.get("head_dim") or d // heads
    t = c["model_type"]
    qkv_bias = t == "qwen2" or (t == "llama" and c.get("attention_bias"))
    w = {"model.embed_tokens.weight": _u(r, (VOCAB, d), 1.0), "model.norm.weight": 1 + _u(r, d, 0.2)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = 1 + _u(r, d, 0.2)
        w[p + "post_attention_layernorm.weight"] = 1 + _u(r, d, 0.2)
        w[p + "self_attn.q_proj.weight"] = _u(r, (heads * hd, d), 0.6)
        w[p + "self_attn.k_proj.weight"] = _u(r, (kv * hd, d), 0.6)
        w[p + "self_attn.v_proj.weight"] = _u(r, (kv * hd, d), 0.6)
        w[p + "self_attn.o_proj.weight"] = _u(r, (d, heads * hd), 0.4)
        if qkv_bias:
            for name, n in (("q_proj", heads * hd), ("k_proj", kv * hd), ("v_proj", kv * hd)):
                w[p + f"self_attn.{name}.bias"] = _u(r, n, 0.5)
        if t == "llama" and c.get("attention_bias"):
            w[p + "self_attn.o_proj.bias"] = _u(r, d, 0.5)
        w[p + "mlp.gate_proj.weight"] = _u(r, (inter, d), 0.4)
        w[p + "mlp.up_proj.weight"] = _u(r, (inter, d), 0.4)
        w[p + "mlp.down_proj.weight"] = _u(r, (d, inter), 0.3)
    if not c.get("tie_word_embeddings"):
        w["lm_head.weight"] = _u(r, (VOCAB, d), 0.5)
    return w


def gpt2_config(**extra):
    c = {"model_type": "gpt2", "n_embd": 16, "n_head": 4, "n_layer": 2, "n_positions": 12, "n_inner": None,
         "vocab_size": VOCAB, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new"}
    c.update(extra)
    return c


def gpt2_weights(prefix, seed):
    r = np.random.default_rng(seed)
    d = 16
    w = {prefix + "wte.weight": _u(r, (VOCAB, d), 1.0), prefix + "wpe.weight": _u(r, (12, d), 0.5),
         prefix + "ln_f.weight": 1 + _u(r, d, 0.2), prefix + "ln_f.bias": _u(r, d, 0.1)}
    for i in range(2):
        p = f"{prefix}h.{i}."
        w.update({p + "ln_1.weight": 1 + _u(r, d, 0.2), p + "ln_1.bias": _u(r, d, 0.1),
                  p + "attn.c_attn.weight": _u(r, (d, 3 * d), 0.5), p + "attn.c_attn.bias": _u(r, 3 * d, 0.3),
                  p + "attn.c_proj.weight": _u(r, (d, d), 0.4), p + "attn.c_proj.bias": _u(r, d, 0.1),
                  p + "attn.bias": np.tril(np.ones((1, 1, 12, 12), dtype=bool)),
                  p + "ln_2.weight": 1 + _u(r, d, 0.2), p + "ln_2.bias": _u(r, d, 0.1),
                  p + "mlp.c_fc.weight": _u(r, (d, 4 * d), 0.4), p + "mlp.c_fc.bias": _u(r, 4 * d, 0.1),
                  p + "mlp.c_proj.weight": _u(r, (4 * d, d), 0.2), p + "mlp.c_proj.bias": _u(r, d, 0.1)})
    return w


def neox_config(parallel=True, rotary_pct=0.25):
    return {"model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"], "vocab_size": VOCAB, "hidden_size": 32,
            "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 48, "hidden_act": "gelu",
            "rotary_pct": rotary_pct, "rotary_emb_base": 10000, "max_position_embeddings": 64, "layer_norm_eps": 1e-5,
            "use_parallel_residual": parallel, "torch_dtype": "float64"}


def neox_weights(c, seed):
    r = np.random.default_rng(seed)
    d, inter = c["hidden_size"], c["intermediate_size"]
    w = {"gpt_neox.embed_in.weight": _u(r, (VOCAB, d), 1.0), "embed_out.weight": _u(r, (VOCAB, d), 0.5),
         "gpt_neox.final_layer_norm.weight": 1 + _u(r, d, 0.2), "gpt_neox.final_layer_norm.bias": _u(r, d, 0.1)}
    for i in range(c["num_hidden_layers"]):
        p = f"gpt_neox.layers.{i}."
        for ln in ("input_layernorm", "post_attention_layernorm"):
            w[p + ln + ".weight"] = 1 + _u(r, d, 0.2)
            w[p + ln + ".bias"] = _u(r, d, 0.1)
        w.update({p + "attention.query_key_value.weight": _u(r, (3 * d, d), 0.5),
                  p + "attention.query_key_value.bias": _u(r, 3 * d, 0.3),
                  p + "attention.dense.weight": _u(r, (d, d), 0.4), p + "attention.dense.bias": _u(r, d, 0.1),
                  p + "mlp.dense_h_to_4h.weight": _u(r, (inter, d), 0.4), p + "mlp.dense_h_to_4h.bias": _u(r, inter, 0.1),
                  p + "mlp.dense_4h_to_h.weight": _u(r, (d, inter), 0.2), p + "mlp.dense_4h_to_h.bias": _u(r, d, 0.1)})
    return w


def write_folder(folder, config, weights, dtypes=None):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    safetensors_np.write(os.path.join(folder, "model.safetensors"), weights, dtypes)
    return folder


def model(config, weights):
    return ref.build(config, ref.Weights(weights))


class Causality(unittest.TestCase):
    def test_logits_at_t_ignore_later_tokens_in_every_family(self):
        changed = IDS[:5] + [(t + 11) % VOCAB for t in IDS[5:]]
        scaling = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                   "original_max_position_embeddings": 16}
        cases = {"gpt_neox": (neox_config(), None), "gpt2": (gpt2_config(), None)}
        for t in ("llama", "mistral", "qwen2"):
            cases[t] = (llama_config(t, attention_bias=True, rope_scaling=scaling), None)
        for name, (c, _) in cases.items():
            with self.subTest(name):
                w = {"gpt_neox": lambda: neox_weights(c, 1), "gpt2": lambda: gpt2_weights("", 1)}.get(name, lambda: llama_weights(c, 1))()
                m = model(c, w)
                a, b = m.logits(IDS), m.logits(changed)
                np.testing.assert_array_equal(a[:5], b[:5])
                self.assertTrue((np.abs(a[5:] - b[5:]).max(axis=1) > 1e-6).all())


class GroupedQueryAttention(unittest.TestCase):
    def test_gqa_equals_multi_head_with_kv_repeated_interleaved_and_not_tiled(self):
        for heads, kv in ((4, 2), (8, 2), (6, 2), (9, 3)):
            with self.subTest(heads=heads, kv=kv):
                c = llama_config(heads=heads, kv=kv, head_dim=4, attention_bias=True)
                w = llama_weights(c, 3)
                expected = model(c, w).logits(IDS)
                mha = dict(c, num_key_value_heads=heads)
                g = heads // kv
                for order, same in ((np.arange(heads) // g, True), (np.arange(heads) % kv, False)):
                    w2 = dict(w)
                    for i in range(2):
                        for part in ("k_proj", "v_proj"):
                            name = f"model.layers.{i}.self_attn.{part}"
                            w2[name + ".weight"] = w[name + ".weight"].reshape(kv, 4, -1)[order].reshape(heads * 4, -1)
                            w2[name + ".bias"] = w[name + ".bias"].reshape(kv, 4)[order].reshape(-1)
                    diff = np.abs(model(mha, w2).logits(IDS) - expected).max()
                    if same:
                        self.assertLessEqual(diff, 1e-12 * np.abs(expected).max())
                    else:
                        self.assertGreater(diff, 1e-3 * np.abs(expected).max())


class Rope(unittest.TestCase):
    def test_llama3_inv_freq_matches_hand_computed_values(self):
        c = llama_config(hidden=32, heads=4, kv=4, rope_theta=500000.0)
        np.testing.assert_allclose(ref.llama_inv_freq(c, 8), [1.0, 0.03760603093086393, 0.001414213562373095, 5.318295896944989e-05], rtol=1e-15)
        scaled = [1.0, 0.03760603093086393, 0.0005248461609929547, 6.647869871181236e-06]
        c["rope_scaling"] = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                             "original_max_position_embeddings": 8192}
        np.testing.assert_allclose(ref.llama_inv_freq(c, 8), scaled, rtol=1e-15)
        v5 = {"rope_parameters": dict(c["rope_scaling"], rope_theta=500000.0)}
        np.testing.assert_allclose(ref.llama_inv_freq(v5, 8), scaled, rtol=1e-15)

    def test_rotate_half_pairs_dimension_i_with_i_plus_half(self):
        x = np.zeros((1, 4, 8))
        x[0, :, 0] = 1
        r = ref._rope(x, np.array([1.0, 0.1, 0.01, 0.001]))
        np.testing.assert_allclose(r[0, 3], [math.cos(3), 0, 0, 0, math.sin(3), 0, 0, 0], atol=1e-15)


class Layouts(unittest.TestCase):
    def test_neox_head_permutation_of_qkv_row_blocks_and_dense_columns_is_a_symmetry(self):
        c = neox_config()
        w = neox_weights(c, 4)
        pi = np.array([2, 0, 3, 1])
        w2 = dict(w)
        p = "gpt_neox.layers.1.attention."
        w2[p + "query_key_value.weight"] = w[p + "query_key_value.weight"].reshape(4, 24, 32)[pi].reshape(96, 32)
        w2[p + "query_key_value.bias"] = w[p + "query_key_value.bias"].reshape(4, 24)[pi].reshape(-1)
        w2[p + "dense.weight"] = w[p + "dense.weight"].reshape(32, 4, 8)[:, pi].reshape(32, 32)
        a, b = model(c, w).logits(IDS), model(c, w2).logits(IDS)
        self.assertLessEqual(np.abs(a - b).max(), 1e-12 * np.abs(a).max())
        np.testing.assert_allclose(model(c, w2).layer_z(IDS, 1).reshape(8, 4, 8), model(c, w).layer_z(IDS, 1).reshape(8, 4, 8)[:, pi], atol=1e-12)

    def test_gpt2_prefix_is_detected_and_buffers_are_ignored(self):
        a = model(gpt2_config(), gpt2_weights("", 5))
        b = model(gpt2_config(), gpt2_weights("transformer.", 5))
        self.assertEqual((a.prefix, b.prefix), ("", "transformer."))
        np.testing.assert_array_equal(a.logits(IDS), b.logits(IDS))

    def test_gpt2_c_attn_is_q_k_v_blocks_of_conv1d_columns(self):
        # per-head z at t = 0 is v of that head: c_attn columns 2d + h*hd .. of x @ W + b
        w = gpt2_weights("", 6)
        m = model(gpt2_config(), w)
        x = w["wte.weight"][IDS[0]] + w["wpe.weight"][0]
        h = (x - x.mean()) / np.sqrt(x.var() + 1e-5) * w["h.0.ln_1.weight"] + w["h.0.ln_1.bias"]
        v = h @ w["h.0.attn.c_attn.weight"][:, 32:48] + w["h.0.attn.c_attn.bias"][32:48]
        np.testing.assert_allclose(m.layer_z(IDS, 0)[0], v, rtol=0, atol=1e-13)

    def test_tied_equals_untied_with_a_copied_head(self):
        c = llama_config("qwen2", tie_word_embeddings=True)
        w = llama_weights(c, 7)
        self.assertNotIn("lm_head.weight", w)
        untied = dict(w, **{"lm_head.weight": w["model.embed_tokens.weight"].copy()})
        np.testing.assert_array_equal(model(c, w).logits(IDS), model(dict(c, tie_word_embeddings=False), untied).logits(IDS))

    def test_zero_qwen2_biases_equal_no_biases(self):
        c = llama_config("qwen2")
        w = llama_weights(c, 8)
        zero = {k: (np.zeros_like(v) if k.endswith(".bias") else v) for k, v in w.items()}
        none = {k: v for k, v in w.items() if not k.endswith(".bias")}
        plain = dict(c, model_type="llama")
        np.testing.assert_array_equal(model(c, zero).logits(IDS), model(plain, none).logits(IDS))
        self.assertGreater(np.abs(model(c, w).logits(IDS) - model(plain, none).logits(IDS)).max(), 1e-3)


class Folders(unittest.TestCase):
    def test_bf16_folder_is_widened_exactly(self):
        c = llama_config()
        w = {k: v.astype(np.float32) for k, v in llama_weights(c, 9).items()}
        bits = {k: (v.view(np.uint32) >> 16).astype(np.uint16) for k, v in w.items()}
        truncated = {k: (b.astype(np.uint32) << 16).view(np.float32) for k, b in bits.items()}
        with tempfile.TemporaryDirectory() as d:
            write_folder(os.path.join(d, "bf16"), c, bits, {k: "BF16" for k in bits})
            write_folder(os.path.join(d, "f32"), c, truncated)
            np.testing.assert_array_equal(ref.load(os.path.join(d, "bf16")).logits(IDS), ref.load(os.path.join(d, "f32")).logits(IDS))

    def test_cli_writes_logits_and_refuses_unsupported_families(self):
        c = gpt2_config()
        with tempfile.TemporaryDirectory() as d:
            folder = write_folder(os.path.join(d, "m"), c, gpt2_weights("", 10))
            out = os.path.join(d, "logits.npy")
            self.assertEqual(ref.main([folder, "--ids", "1,2,3", "--out", out]), 0)
            np.testing.assert_array_equal(np.load(out), ref.load(folder).logits([1, 2, 3]))
            write_folder(os.path.join(d, "phi"), dict(c, model_type="phi"), gpt2_weights("", 10))
            err = io.StringIO()
            with redirect_stderr(err):
                self.assertEqual(ref.main([os.path.join(d, "phi"), "--ids", "1"]), 2)
            self.assertIn("gpt_neox, llama, mistral, qwen2, gpt2", err.getvalue())


if __name__ == "__main__":
    unittest.main()
