"""python3 -m unittest discover -s tests -t .   (run from python/)

The runner protocol's Python side (editgate_client.runner.serve) and the numpy reference runner: in float64 it
equals reference/numpy_reference.py on every family, patching every head from the same prompt changes nothing,
ablating a head equals zeroing its z in the reference, and the serve loop answers over safetensors folders.
"""
import io
import json
import os
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runners"))
from editgate_client import safetensors_np  # noqa: E402
from editgate_client.runner import serve  # noqa: E402
from tests import test_numpy_reference as t  # noqa: E402
import numpy_runner  # noqa: E402

IDS = np.array([t.IDS], dtype=np.int64)


class Families(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def folders(self):
        out = {}
        for name, (c, w) in {"neox": (t.neox_config(), None), "llama": (t.llama_config(), None), "gpt2": (t.gpt2_config(), None)}.items():
            weights = t.neox_weights(c, 1) if name == "neox" else t.llama_weights(c, 2) if name == "llama" else t.gpt2_weights("", 3)
            f = os.path.join(self.tmp.name, name)
            t.write_folder(f, c, weights)
            out[name] = f
        return out

    def test_float64_runner_equals_the_reference(self):
        for name, f in self.folders().items():
            r = numpy_runner.NumpyRunner("float64")
            want = t.ref.load(f).logits(IDS[0])
            np.testing.assert_allclose(r.logits(f, IDS)[0], want, rtol=0, atol=1e-10, err_msg=name)

    def test_patching_from_the_same_prompt_is_the_identity_and_ablation_matches_zeroed_z(self):
        for name, f in self.folders().items():
            r = numpy_runner.NumpyRunner("float64")
            heads = r.model(f).heads
            plain = r.logits(f, IDS)
            np.testing.assert_allclose(r.patch_heads(f, IDS, IDS, 1, list(range(heads))), plain, atol=1e-12, err_msg=name)
            ablated = r.ablate_heads(f, IDS, 1, [0])
            self.assertGreater(np.abs(ablated - plain).max(), 1e-6, name)   # head 0 matters
            self.assertEqual(r.generate(f, IDS, 3).shape, (1, 3))

    def test_serve_answers_over_safetensors_folders(self):
        f = self.folders()["neox"]
        inp, out = os.path.join(self.tmp.name, "in"), os.path.join(self.tmp.name, "out")
        os.makedirs(inp)
        os.makedirs(out)
        safetensors_np.write(os.path.join(inp, "inputs.safetensors"), {"ids": IDS})
        requests = io.StringIO(json.dumps({"protocol": 1, "id": "r1", "op": "logits", "model": f, "input": inp, "output": out}) + "\n"
                               + json.dumps({"protocol": 1, "id": "r2", "op": "nope", "model": f, "input": inp, "output": out}) + "\n")
        replies = io.StringIO()
        real = sys.stdout
        try:
            serve(numpy_runner.NumpyRunner("float32"), requests, replies)
        finally:
            sys.stdout = real
        lines = [json.loads(x) for x in replies.getvalue().splitlines()]
        self.assertEqual(lines[0]["protocol"], 1)
        self.assertEqual(lines[0]["dtype"], "float32")
        self.assertEqual(lines[1], {"id": "r1", "ok": True})
        self.assertFalse(lines[2]["ok"])
        self.assertIn("'nope' is not among this runner's capabilities", lines[2]["error"])
        got, _, _ = safetensors_np.read(os.path.join(out, "result.safetensors"))
        self.assertEqual(got["logits"].shape, (1, IDS.shape[1], t.VOCAB))
        self.assertEqual(got["logits"].dtype, np.float32)


if __name__ == "__main__":
    unittest.main()
