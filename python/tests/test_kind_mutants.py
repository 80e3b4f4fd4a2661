"""python3 -m unittest discover -s tests -t .   (run from python/)

The edit-kind mutants of mutants/mutant_worker.py (the Python twins of fixtures' Mutant catalogue) on every family
they were written for: each differs from the reference edit, and each changes the logits unless the bug happens
to be a symmetry (documented per mutant below).
"""
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "mutants"))
import mutant_worker  # noqa: E402
from editgate_client import kinds, layouts  # noqa: E402
from tests.kind_models import BUILDERS, applies, write_folder  # noqa: E402
from tests.test_kinds import LAYER, changed_names, logits, merged  # noqa: E402

# Mutants whose output is the unedited model: k (or v) scaled by c and by 1/c, the other side untouched. The model
# computes the same function, but the edit is not the reference action (q, or o, should have been scaled).
NO_OPS = {"qk_scaling_on_k_not_q", "vo_scaling_on_v_not_o"}


def exposing_params(kind, config):
    """Parameters that expose every mutant: a single n-cycle (not an involution, so p and p^-1 differ) or
    exponents that are non-zero and differ between KV groups."""
    n = kinds.parameter_length(kind, config)
    if kind in kinds.PERMUTATIONS:
        return {"permutation": np.roll(np.arange(n), 1)}
    s = layouts.shape(config)
    per_group = np.array([1, -2, 3, -1, 2, -3] * n)[:s.kv_heads]
    if kind == kinds.UP_DOWN_SCALING:
        return {"exponents": np.array([1, -2, 3, -1, 2, -3] * n)[:n]}
    return {"exponents": np.repeat(per_group, s.heads // s.kv_heads)}


def request(kind, folder, params, dtypes):
    r = {"protocol": 2, "id": "t1", "edit": kind, "params": params, "input": folder, "output": "", "dtypes": dtypes,
         "convention": "test"}
    if kind != kinds.RESIDUAL_PERMUTATION:
        r["layer"] = LAYER
    return r


class KindMutants(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="editgate-kind-mutants-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root)

    def test_every_kind_mutant_is_named_in_the_catalogue_with_its_families(self):
        self.assertEqual(set(mutant_worker.KIND_OF), {
            "mlp_out_not_permuted", "swiglu_gate_without_up", "mlp_inverse_on_out", "residual_final_norm_forgotten",
            "residual_positions_forgotten", "residual_inverse_on_reads", "qk_scaling_on_k_not_q", "vo_scaling_on_v_not_o",
            "gqa_scaling_per_query_head"})
        self.assertTrue(set(mutant_worker.KIND_OF) <= set(mutant_worker.FAMILIES))

    def test_each_mutant_differs_from_the_reference_and_breaks_the_model_unless_documented(self):
        runs = 0
        for mutant, kind in mutant_worker.KIND_OF.items():
            for model in BUILDERS:
                for tag in ("F32", "BF16"):
                    folder, config, tensors, dtypes = write_folder(self.root, model, tag)
                    s = layouts.shape(config)
                    if s.family not in mutant_worker.FAMILIES[mutant] or not applies(kind, config):
                        continue
                    with self.subTest(mutant=mutant, model=model, dtype=tag):
                        runs += 1
                        p = exposing_params(kind, config)
                        got = merged(tensors, mutant_worker.make_edit(mutant)(tensors, request(kind, folder, p, dtypes)))
                        want = merged(tensors, kinds.apply(kind, tensors, config, p, LAYER, dtypes))
                        if mutant == "gqa_scaling_per_query_head" and s.kv_heads == s.heads:
                            self.assertEqual(changed_names(want, got), set(), "identical to the reference when g = 1")
                            continue
                        self.assertTrue(changed_names(want, got), "the mutant must differ from the reference edit")
                        if mutant in NO_OPS:
                            self.assertEqual(changed_names(tensors, got), set(), "k (v) scaled by c and 1/c: the model unchanged")
                            continue
                        before, after = logits(config, tensors, dtypes), logits(config, got, dtypes)
                        self.assertGreater(np.abs(after - before).max(), 1e-3 * np.abs(before).max())
        self.assertGreaterEqual(runs, 60)

    def test_a_mutant_refuses_another_kind_and_another_family(self):
        folder, config, tensors, dtypes = write_folder(self.root, "llama-gqa", "F32")
        p = exposing_params(kinds.QK_SCALING, config)
        with self.assertRaisesRegex(ValueError, "mutant mlp_inverse_on_out edits mlp-permutation; the request asks for qk-scaling"):
            mutant_worker.make_edit("mlp_inverse_on_out")(tensors, request(kinds.QK_SCALING, folder, p, dtypes))
        with self.assertRaisesRegex(ValueError, r"mutant residual_positions_forgotten is written for \[gpt2\] models, not llama"):
            mutant_worker.make_edit("residual_positions_forgotten")(tensors, request(kinds.RESIDUAL_PERMUTATION, folder, p, dtypes))
        v1 = {"protocol": 1, "id": "t1", "layer": 0, "permutation": [0, 1, 2, 3], "input": folder, "output": ""}
        with self.assertRaisesRegex(ValueError, r"edits vo-scaling; the request asks for head-permutation \(protocol 1\)"):
            mutant_worker.make_edit("vo_scaling_on_v_not_o")(tensors, v1)

    def test_head_permutation_mutants_also_read_protocol_2_head_permutations(self):
        folder, config, tensors, dtypes = write_folder(self.root, "gpt_neox", "F32")
        perm = [1, 2, 0, 3]
        v1 = {"protocol": 1, "id": "a", "layer": 0, "permutation": perm, "input": folder, "output": ""}
        v2 = request(kinds.HEAD_PERMUTATION, folder, {"permutation": np.array(perm)}, dtypes)
        a = mutant_worker.make_edit("inverse_on_dense")(tensors, v1)
        b = mutant_worker.make_edit("inverse_on_dense")(tensors, dict(v2, layer=0))
        self.assertEqual(set(a), set(b))
        self.assertEqual(changed_names(merged(tensors, a), merged(tensors, b)), set())


if __name__ == "__main__":
    unittest.main()
