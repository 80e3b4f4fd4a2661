"""python3 -m unittest discover -s tests -t .   (run from python/)

The laws of every edit kind (editgate_client.kinds) on every family's tiny random checkpoint, in F32, F16 and BF16:
identity is a bit-exact no-op, the inverse restores every bit, editing by a then b equals editing by compose(a, b),
exactly the tensors the protocol lists change, and the edited model's float64 logits (reference/numpy_reference.py)
equal the original's.
"""
import os
import sys
import tempfile
import unittest
import zlib

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from editgate_client import kinds, layouts  # noqa: E402
from reference import numpy_reference as ref  # noqa: E402
from tests.kind_models import BUILDERS, DTYPES, applies, build, params, write_folder  # noqa: E402

IDS = [3, 17, 0, 36, 9, 9, 21, 5]
LAYER = 1
LOGIT_TOLERANCE = 1e-12  # relative to max |logit|: float64 reassociation only (the edits are exact)


def same_bits(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def merged(tensors, changed):
    out = dict(tensors)
    out.update(changed)
    return out


def changed_names(before, after):
    return {k for k in after if not same_bits(before[k], after[k])}


def expected_tensors(model, kind, layer):
    """The tensors the protocol document lists for ``kind`` on ``model``, written out by hand (not from kinds.py)."""
    c, _, _ = build(model)
    fam = layouts.family(c)
    if fam == "gpt_neox":
        bias = c.get("attention_bias", True)
        p = f"gpt_neox.layers.{layer}."
        heads = {p + "attention.query_key_value.weight", p + "attention.dense.weight"} | ({p + "attention.query_key_value.bias"} if bias else set())
        table = {
            kinds.MLP_PERMUTATION: {p + "mlp.dense_h_to_4h.weight", p + "mlp.dense_h_to_4h.bias", p + "mlp.dense_4h_to_h.weight"},
            kinds.QK_SCALING: heads - {p + "attention.dense.weight"},
            kinds.VO_SCALING: heads,
        }
        residual = {"gpt_neox.embed_in.weight", "embed_out.weight", "gpt_neox.final_layer_norm.weight", "gpt_neox.final_layer_norm.bias"}
        for i in range(c["num_hidden_layers"]):
            q = f"gpt_neox.layers.{i}."
            residual |= {q + "input_layernorm.weight", q + "input_layernorm.bias", q + "post_attention_layernorm.weight",
                         q + "post_attention_layernorm.bias", q + "attention.query_key_value.weight", q + "attention.dense.weight",
                         q + "mlp.dense_h_to_4h.weight", q + "mlp.dense_4h_to_h.weight", q + "mlp.dense_4h_to_h.bias"}
            if bias:
                residual.add(q + "attention.dense.bias")
    elif fam == "gpt2":
        pre = "transformer." if model == "gpt2-prefixed-untied" else ""
        p = f"{pre}h.{layer}."
        heads = {p + "attn.c_attn.weight", p + "attn.c_attn.bias", p + "attn.c_proj.weight"}
        table = {
            kinds.MLP_PERMUTATION: {p + "mlp.c_fc.weight", p + "mlp.c_fc.bias", p + "mlp.c_proj.weight"},
            kinds.QK_SCALING: {p + "attn.c_attn.weight", p + "attn.c_attn.bias"},
            kinds.VO_SCALING: heads,
        }
        residual = {pre + "wte.weight", pre + "wpe.weight", pre + "ln_f.weight", pre + "ln_f.bias"}
        if model == "gpt2-prefixed-untied":
            residual.add("lm_head.weight")
        for i in range(c["n_layer"]):
            q = f"{pre}h.{i}."
            residual |= {q + n for n in ("ln_1.weight", "ln_1.bias", "ln_2.weight", "ln_2.bias", "attn.c_attn.weight",
                                         "attn.c_proj.weight", "attn.c_proj.bias", "mlp.c_fc.weight", "mlp.c_proj.weight",
                                         "mlp.c_proj.bias")}
    else:
        qkv_bias = model in ("llama3-biases", "qwen2-tied")
        mlp_bias = o_bias = model == "llama3-biases"
        p = f"model.layers.{layer}."
        b = lambda *ns: {p + n for n in ns}  # noqa: E731
        heads = b("self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight")
        qk, vo = b("self_attn.q_proj.weight", "self_attn.k_proj.weight"), b("self_attn.v_proj.weight", "self_attn.o_proj.weight")
        mlp, up_down = b("mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"), b("mlp.up_proj.weight", "mlp.down_proj.weight")
        if qkv_bias:
            heads |= b("self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias")
            qk |= b("self_attn.q_proj.bias", "self_attn.k_proj.bias")
            vo |= b("self_attn.v_proj.bias")
        if mlp_bias:
            mlp |= b("mlp.gate_proj.bias", "mlp.up_proj.bias")
            up_down |= b("mlp.up_proj.bias")
        table = {kinds.MLP_PERMUTATION: mlp, kinds.QK_SCALING: qk, kinds.VO_SCALING: vo, kinds.UP_DOWN_SCALING: up_down}
        residual = {"model.embed_tokens.weight", "model.norm.weight"} | (set() if c.get("tie_word_embeddings") else {"lm_head.weight"})
        for i in range(c["num_hidden_layers"]):
            q = f"model.layers.{i}."
            residual |= {q + n for n in ("input_layernorm.weight", "post_attention_layernorm.weight", "self_attn.q_proj.weight",
                                         "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight",
                                         "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight")}
            residual |= {q + "self_attn.o_proj.bias"} if o_bias else set()
            residual |= {q + "mlp.down_proj.bias"} if mlp_bias else set()
    table[kinds.HEAD_PERMUTATION] = table[kinds.KV_GROUP_PERMUTATION] = heads
    table[kinds.RESIDUAL_PERMUTATION] = residual
    return table[kind]


def logits(config, tensors, dtypes):
    return ref.build(config, ref.Weights(tensors, dtypes)).logits(IDS)


def cases():
    for model in BUILDERS:
        for kind in kinds.KINDS:
            if applies(kind, build(model)[0]):
                yield model, kind


class KindLaws(unittest.TestCase):
    """One subTest per (model, kind, dtype)."""

    def each(self, body, dtypes=DTYPES):
        for model, kind in cases():
            for tag in dtypes:
                with self.subTest(model=model, kind=kind, dtype=tag):
                    config, tensors, types = build(model, tag)
                    r = np.random.default_rng(zlib.crc32(f"{model} {kind} {tag}".encode()))
                    body(model, kind, config, tensors, types, r)

    def test_identity_is_a_bit_exact_no_op(self):
        def body(model, kind, config, tensors, types, r):
            out = kinds.apply(kind, tensors, config, kinds.identity(kind, config), LAYER, types)
            self.assertTrue(out)
            for name, a in out.items():
                self.assertTrue(same_bits(a, tensors[name]), name)
        self.each(body)

    def test_the_inverse_restores_every_bit(self):
        def body(model, kind, config, tensors, types, r):
            p = params(kind, config, r, full=True)
            edited = merged(tensors, kinds.apply(kind, tensors, config, p, LAYER, types))
            self.assertTrue(changed_names(tensors, edited))
            back = merged(edited, kinds.apply(kind, edited, config, kinds.inverse(kind, p), LAYER, types))
            self.assertEqual(changed_names(tensors, back), set())
        self.each(body)

    def test_editing_by_a_then_b_equals_editing_by_the_composite(self):
        def body(model, kind, config, tensors, types, r):
            a, b = params(kind, config, r), params(kind, config, r)
            once = merged(tensors, kinds.apply(kind, tensors, config, a, LAYER, types))
            twice = merged(once, kinds.apply(kind, once, config, b, LAYER, types))
            direct = merged(tensors, kinds.apply(kind, tensors, config, kinds.compose(kind, a, b), LAYER, types))
            self.assertEqual(changed_names(twice, direct), set())
        self.each(body)

    def test_exactly_the_listed_tensors_are_returned_and_change(self):
        def body(model, kind, config, tensors, types, r):
            out = kinds.apply(kind, tensors, config, params(kind, config, r, full=True), LAYER, types)
            expected = expected_tensors(model, kind, LAYER)
            self.assertEqual(set(out), expected)
            self.assertEqual(changed_names(tensors, merged(tensors, out)), expected)
        self.each(body)

    def test_edited_logits_equal_the_originals(self):
        def body(model, kind, config, tensors, types, r):
            before = logits(config, tensors, types)
            after = logits(config, merged(tensors, kinds.apply(kind, tensors, config, params(kind, config, r, full=True), LAYER, types)), types)
            self.assertLessEqual(np.abs(after - before).max(), LOGIT_TOLERANCE * np.abs(before).max())
        self.each(body, dtypes=("F32", "BF16"))

    def test_inputs_are_never_written(self):
        def body(model, kind, config, tensors, types, r):
            frozen = {k: v.copy() for k, v in tensors.items()}
            for v in tensors.values():
                v.flags.writeable = False  # like the client's read-only memory maps
            kinds.apply(kind, tensors, config, params(kind, config, r, full=True), LAYER, types)
            self.assertEqual(changed_names(frozen, tensors), set())
        self.each(body, dtypes=("BF16",))


class ReferenceActions(unittest.TestCase):
    """Where the moved or scaled entries land, spelled out with numpy views (independently of kinds.py's plans)."""

    def test_mlp_permutation_moves_in_rows_and_out_columns(self):
        c, t, _ = build("llama3-biases")
        p = np.random.default_rng(1).permutation(c["intermediate_size"])
        out = kinds.permute_mlp(t, c, 0, p)
        m = "model.layers.0.mlp."
        np.testing.assert_array_equal(out[m + "gate_proj.weight"], t[m + "gate_proj.weight"][p])
        np.testing.assert_array_equal(out[m + "up_proj.bias"], t[m + "up_proj.bias"][p])
        np.testing.assert_array_equal(out[m + "down_proj.weight"], t[m + "down_proj.weight"][:, p])
        c, t, _ = build("gpt2")
        p = np.random.default_rng(2).permutation(4 * c["n_embd"])
        out = kinds.permute_mlp(t, c, 1, p)
        np.testing.assert_array_equal(out["h.1.mlp.c_fc.weight"], t["h.1.mlp.c_fc.weight"][:, p])  # Conv1D [d, I]
        np.testing.assert_array_equal(out["h.1.mlp.c_proj.weight"], t["h.1.mlp.c_proj.weight"][p])  # Conv1D [I, d]

    def test_residual_permutation_reads_inputs_and_writes_outputs(self):
        c, t, _ = build("gpt_neox")
        p = np.random.default_rng(3).permutation(c["hidden_size"])
        out = kinds.permute_residual(t, c, p)
        q = "gpt_neox.layers.0."
        np.testing.assert_array_equal(out["gpt_neox.embed_in.weight"], t["gpt_neox.embed_in.weight"][:, p])
        np.testing.assert_array_equal(out[q + "attention.query_key_value.weight"], t[q + "attention.query_key_value.weight"][:, p])
        np.testing.assert_array_equal(out[q + "attention.dense.weight"], t[q + "attention.dense.weight"][p])  # [d, H*hd]: rows only
        np.testing.assert_array_equal(out[q + "input_layernorm.bias"], t[q + "input_layernorm.bias"][p])

    def test_qk_scaling_on_gqa_scales_q_heads_and_their_kv_head_inversely(self):
        c, t, types = build("qwen2-tied", "BF16")  # 6 query heads, 2 KV heads (groups of 3), head_dim 4
        e = np.array([2, 2, 2, -1, -1, -1])
        out = kinds.scale_qk(t, c, 0, e, types)
        wide = lambda a: (a.astype(np.uint32) << 16).view(np.float32).astype(np.float64)  # noqa: E731
        a = "model.layers.0.self_attn."
        q_old, q_new = wide(t[a + "q_proj.weight"]).reshape(6, 4, -1), wide(out[a + "q_proj.weight"]).reshape(6, 4, -1)
        k_old, k_new = wide(t[a + "k_proj.bias"]).reshape(2, 4), wide(out[a + "k_proj.bias"]).reshape(2, 4)
        np.testing.assert_array_equal(q_new, q_old * 2.0 ** e[:, None, None])
        np.testing.assert_array_equal(k_new, k_old * 2.0 ** -np.array([2, -1])[:, None])

    def test_vo_scaling_on_gpt2_scales_v_columns_and_c_proj_rows(self):
        c, t, _ = build("gpt2", "F16")  # 4 heads of 4 on d = 16
        e = np.array([1, -2, 3, 0])
        out = kinds.scale_vo(t, c, 0, e)
        per_column = np.repeat(e, 4).astype(np.float64)
        w_old, w_new = t["h.0.attn.c_attn.weight"].astype(np.float64), out["h.0.attn.c_attn.weight"].astype(np.float64)
        np.testing.assert_array_equal(w_new[:, :32], w_old[:, :32])  # q and k untouched
        np.testing.assert_array_equal(w_new[:, 32:], w_old[:, 32:] * 2.0 ** per_column)
        np.testing.assert_array_equal(out["h.0.attn.c_proj.weight"].astype(np.float64),
                                      t["h.0.attn.c_proj.weight"].astype(np.float64) * 2.0 ** -per_column[:, None])

    def test_kv_group_permutation_is_the_head_permutation_of_its_induced_heads(self):
        c, t, _ = build("qwen2-tied")
        out = kinds.permute_kv_groups(t, c, 1, [1, 0])
        self.assertEqual(kinds.kv_group_heads([1, 0], 3).tolist(), [3, 4, 5, 0, 1, 2])
        expected = layouts.permute_heads(t, c, 1, [3, 4, 5, 0, 1, 2])
        self.assertEqual(set(out), set(expected))
        for k in out:
            self.assertTrue(same_bits(out[k], expected[k]), k)


class NeuronEquivariance(unittest.TestCase):
    def test_ablating_old_neurons_s_equals_ablating_the_new_neurons_that_hold_them(self):
        """Gather convention: old neuron p[i] is new neuron i, so ablating old set S = ablating {i : p[i] in S}."""
        def ablate(config, tensors, layer, neurons):
            out = dict(tensors)
            (down,) = [a for a in kinds.mlp_parts(config, layer, tensors.keys()) if a.role == "down"]
            w = np.array(tensors[down.tensor])
            index = [slice(None)] * w.ndim
            index[down.axis] = list(neurons)
            w[tuple(index)] = 0  # the neuron's output weights: it writes nothing
            out[down.tensor] = w
            return out

        for model in ("gpt_neox", "gpt2", "llama3-biases"):
            with self.subTest(model):
                c, t, types = build(model)
                r = np.random.default_rng(9)
                n = kinds.intermediate_size(c)
                p = r.permutation(n)
                edited = merged(t, kinds.permute_mlp(t, c, 0, p))
                old = set(r.choice(n, 5, replace=False).tolist())
                new = {i for i in range(n) if p[i] in old}
                a, b = logits(c, ablate(c, t, 0, old), types), logits(c, ablate(c, edited, 0, new), types)
                self.assertLessEqual(np.abs(a - b).max(), LOGIT_TOLERANCE * np.abs(a).max())
                wrong = logits(c, ablate(c, edited, 0, old), types)  # the same indices in the new model: other neurons
                self.assertGreater(np.abs(wrong - a).max(), 1e-6 * np.abs(a).max())


class ExactScaling(unittest.TestCase):
    def test_power_of_two_scaling_never_rounds_and_round_trips_in_every_dtype(self):
        r = np.random.default_rng(5)
        magnitudes = np.ldexp(1 + r.random(400), r.integers(-8, 9, 400)) * r.choice([-1, 1], 400)
        values = np.concatenate([magnitudes, [0.0, -0.0, 1.0, -1.5]]).reshape(4, -1)
        e = np.array([-3, 1, 3, -1])
        for tag, stored, wide in (("F32", values.astype(np.float32), lambda a: a.astype(np.float64)),
                                  ("F16", values.astype(np.float16), lambda a: a.astype(np.float64)),
                                  ("BF16", (values.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16),
                                   lambda a: (a.astype(np.uint32) << 16).view(np.float32).astype(np.float64))):
            with self.subTest(tag):
                scaled = kinds.scale_pow2(stored, e, 0, tag)
                self.assertEqual(scaled.dtype, stored.dtype)
                np.testing.assert_array_equal(wide(scaled), wide(stored) * 2.0 ** e[:, None])  # exact: no rounding
                self.assertTrue(same_bits(kinds.scale_pow2(scaled, -e, 0, tag), stored))
                np.testing.assert_array_equal(np.signbit(wide(scaled)), np.signbit(wide(stored)))

    def test_bf16_rounds_to_nearest_even_like_editgate_and_keeps_nan(self):
        # 1 + 2^-8 is halfway between two bf16 values (1 and 1 + 2^-7): ties to even (1); 1 + 3*2^-8 rounds up to 1 + 2^-6
        f = np.array([1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8, np.nan], np.float32)
        bits = kinds._float32_to_bf16(f)
        self.assertEqual(bits[0], 0x3F80)
        self.assertEqual(bits[1], 0x3F82)
        self.assertTrue(np.isnan((bits[2:].astype(np.uint32) << 16).view(np.float32)).all())

    def test_uint16_without_the_bf16_tag_is_refused(self):
        with self.assertRaisesRegex(ValueError, "uint16 tensor is scaled only as BF16 bits"):
            kinds.scale_pow2(np.zeros((2, 2), np.uint16), [1, 1], 0)


class Refusals(unittest.TestCase):
    def test_up_down_scaling_on_a_gelu_family_names_the_family_and_why(self):
        for model in ("gpt_neox", "gpt2"):
            c, t, types = build(model)
            with self.subTest(model), self.assertRaisesRegex(ValueError, f"SwiGLU.*{layouts.family(c)} model.*not homogeneous"):
                kinds.apply(kinds.UP_DOWN_SCALING, t, c, {"exponents": [0] * kinds.intermediate_size(c)}, 0, types)

    def test_exponents_that_differ_inside_a_kv_group_are_refused(self):
        c, t, _ = build("qwen2-tied")
        with self.assertRaisesRegex(ValueError, r"differ inside KV group 1 \(query heads 3..5: \[1, 1, 2\]\)"):
            kinds.scale_vo(t, c, 0, [0, 0, 0, 1, 1, 2])

    def test_bad_parameters_and_layers_are_named(self):
        c, t, _ = build("llama-gqa")
        with self.assertRaisesRegex(ValueError, r"mlp-permutation's permutation has 3 entries; the model has 24"):
            kinds.apply(kinds.MLP_PERMUTATION, t, c, {"permutation": [0, 0, 1]}, 0)
        twice = list(range(24))
        twice[5] = 4
        with self.assertRaisesRegex(ValueError, r"is not a permutation of 0..23: \[5\] missing"):
            kinds.apply(kinds.MLP_PERMUTATION, t, c, {"permutation": twice}, 0)
        with self.assertRaisesRegex(ValueError, "layer 2 is out of range: the model has 2 layers"):
            kinds.apply(kinds.QK_SCALING, t, c, {"exponents": [0] * 4}, 2)
        with self.assertRaisesRegex(ValueError, "needs an integer \"layer\", got None"):
            kinds.apply(kinds.VO_SCALING, t, c, {"exponents": [0] * 4})
        with self.assertRaisesRegex(ValueError, r"qk-scaling needs params \{\"exponents\""):
            kinds.apply(kinds.QK_SCALING, t, c, {"permutation": [0] * 4}, 0)
        with self.assertRaisesRegex(ValueError, "unknown edit kind 'rotation'"):
            kinds.apply("rotation", t, c, {}, 0)
        with self.assertRaisesRegex(ValueError, "must be a list of integers"):
            kinds.apply(kinds.RESIDUAL_PERMUTATION, t, c, {"permutation": [0.0] * 16})


class EditFunction(unittest.TestCase):
    def test_kinds_edit_serves_protocol_1_and_2_requests(self):
        with tempfile.TemporaryDirectory() as root:
            folder, c, t, types = write_folder(root, "llama-gqa", "BF16")
            v1 = {"protocol": 1, "layer": 0, "permutation": [2, 3, 0, 1], "input": folder}
            self.assertEqual(changed_names(merged(t, layouts.permute_heads(t, c, 0, [2, 3, 0, 1])), merged(t, kinds.edit(t, v1))), set())
            e = np.array([1, 1, -2, -2])
            v2 = {"protocol": 2, "edit": "vo-scaling", "layer": 1, "params": {"exponents": e}, "input": folder, "dtypes": types}
            got = kinds.edit(t, v2)
            self.assertEqual(changed_names(merged(t, kinds.scale_vo(t, c, 1, e, types)), merged(t, got)), set())
            self.assertEqual(set(got), {"model.layers.1.self_attn.v_proj.weight", "model.layers.1.self_attn.o_proj.weight"})


class Parameters(unittest.TestCase):
    def test_compose_inverse_identity_follow_the_gather_convention(self):
        a, b = {"permutation": np.array([1, 2, 0])}, {"permutation": np.array([0, 2, 1])}
        x = np.array([10, 11, 12])
        np.testing.assert_array_equal(x[a["permutation"]][b["permutation"]], x[kinds.compose(kinds.MLP_PERMUTATION, a, b)["permutation"]])
        np.testing.assert_array_equal(kinds.inverse(kinds.MLP_PERMUTATION, a)["permutation"], [2, 0, 1])
        np.testing.assert_array_equal(kinds.compose(kinds.QK_SCALING, {"exponents": [1, -3]}, {"exponents": [2, 3]})["exponents"], [3, 0])
        np.testing.assert_array_equal(kinds.inverse(kinds.UP_DOWN_SCALING, {"exponents": [1, -3]})["exponents"], [-1, 3])
        c, _, _ = build("gpt2")
        self.assertEqual({k: kinds.parameter_length(k, c) for k in kinds.KINDS},
                         {"head-permutation": 4, "kv-group-permutation": 4, "mlp-permutation": 64, "residual-permutation": 16,
                          "qk-scaling": 4, "vo-scaling": 4, "up-down-scaling": 64})


if __name__ == "__main__":
    unittest.main()
