"""python3 -m unittest discover -s tests -t .   (run from python/)

Protocol 2 through the client: the example worker examples/numpy_edits.py and the mutant worker run as editgate runs
them (worker mode on stdin/stdout, one-shot mode with a request file), next to protocol 1 requests; what the edit
function is handed (kind, numpy params, dtypes) for a lab-defined edit.
"""
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, PYTHON_DIR)
import editgate_client  # noqa: E402
from editgate_client import kinds, layouts, load_input  # noqa: E402
from tests.kind_models import applies, params, write_folder  # noqa: E402
from tests.test_kinds import changed_names, merged  # noqa: E402


def jsonable(p):
    return {k: v.tolist() for k, v in p.items()}


def serve(script_args, lines):
    """Runs a worker (python3 SCRIPT... --worker) on the request lines; its reply lines and stderr."""
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    proc = subprocess.run([sys.executable] + script_args + ["--worker"], input="".join(json.dumps(r) + "\n" for r in lines),
                          capture_output=True, text=True, env=env, timeout=120)
    return [json.loads(l) for l in proc.stdout.splitlines()], proc.stderr


class Protocol2Workers(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="editgate-protocol2-")
        self.addCleanup(shutil.rmtree, self.root)

    def out(self, name):
        folder = os.path.join(self.root, "out-" + name)
        os.makedirs(folder)
        return folder

    def test_the_example_worker_answers_every_kind_on_every_family_bit_for_bit(self):
        r = np.random.default_rng(7)
        for model in ("gpt_neox", "gpt2-prefixed-untied", "llama-gqa", "llama3-biases", "qwen2-tied"):
            for tag in ("F32", "BF16"):
                folder, config, tensors, dtypes = write_folder(self.root, model, tag)
                expected, lines = {}, []
                for kind in kinds.KINDS:
                    if not applies(kind, config):
                        continue
                    p = params(kind, config, r, full=True)
                    rid = f"{model}-{tag}-{kind}"
                    req = {"protocol": 2, "id": rid, "edit": kind, "params": jsonable(p),
                           "convention": "new index i = old index p[i]; scalings multiply by 2^e",
                           "input": folder, "output": self.out(rid)}
                    if kind != kinds.RESIDUAL_PERMUTATION:
                        req["layer"] = 1
                    lines.append(req)
                    expected[rid] = (req["output"], kinds.apply(kind, tensors, config, p, 1, dtypes))
                perm = params(kinds.HEAD_PERMUTATION, config, r, full=True)["permutation"].tolist()
                v1 = {"protocol": 1, "id": "v1", "edit": "head_permutation", "layer": 0, "permutation": perm,
                      "convention": "new head i = old head perm[i]", "input": folder, "output": self.out(f"{model}-{tag}-v1")}
                lines.append(v1)
                expected["v1"] = (v1["output"], layouts.permute_heads(tensors, config, 0, perm))
                replies, err = serve([os.path.join(PYTHON_DIR, "examples", "numpy_edits.py")], lines)
                self.assertEqual(replies, [{"id": req["id"], "ok": True} for req in lines], err[-2000:])
                for rid, (out, want) in expected.items():
                    with self.subTest(model=model, dtype=tag, request=rid):
                        got, got_types = load_input(out)
                        self.assertEqual(set(got), set(want))
                        self.assertEqual(changed_names(merged(tensors, want), merged(tensors, got)), set())
                        self.assertEqual({k: got_types[k] for k in got}, {k: dtypes[k] for k in got})

    def test_one_shot_mode_reads_a_protocol_2_request_file(self):
        folder, config, tensors, dtypes = write_folder(self.root, "qwen2-tied", "BF16")
        p = {"exponents": np.array([1, 1, 1, -2, -2, -2])}
        req = {"protocol": 2, "id": "t7", "edit": "qk-scaling", "layer": 0, "params": jsonable(p),
               "convention": "q of head h times 2^e[h], k of its KV head times 2^-e[h]", "input": folder, "output": self.out("t7")}
        path = os.path.join(self.root, "request.json")
        with open(path, "w") as f:
            json.dump(req, f)
        env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
        proc = subprocess.run([sys.executable, os.path.join(PYTHON_DIR, "examples", "numpy_edits.py"), "--request", path],
                              capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        got, _ = load_input(req["output"])
        want = kinds.scale_qk(tensors, config, 0, p["exponents"], dtypes)
        self.assertEqual(changed_names(merged(tensors, want), merged(tensors, got)), set())

    def test_errors_name_the_family_and_the_worker_keeps_serving(self):
        folder, config, tensors, dtypes = write_folder(self.root, "gpt2", "F32")
        n = kinds.intermediate_size(config)
        lines = [{"protocol": 2, "id": "a", "edit": "up-down-scaling", "layer": 0, "params": {"exponents": [1] * n},
                  "input": folder, "output": self.out("a")},
                 {"protocol": 3, "id": "b", "input": folder, "output": self.out("b")},
                 {"protocol": 2, "id": "c", "edit": "mlp-permutation", "layer": 0, "input": folder, "output": self.out("c")},
                 {"protocol": 2, "id": "d", "edit": "mlp-permutation", "layer": 0, "params": {"permutation": list(range(n))[::-1]},
                  "input": folder, "output": self.out("d")}]
        replies, _ = serve([os.path.join(PYTHON_DIR, "examples", "numpy_edits.py")], lines)
        self.assertEqual([r["ok"] for r in replies], [False, False, False, True])
        self.assertIn("up-down-scaling needs a SwiGLU MLP (the llama family); this is a gpt2 model", replies[0]["error"])
        self.assertIn("unsupported protocol 3; this client speaks 1 and 2", replies[1]["error"])
        self.assertIn('"params" must be a JSON object, got None', replies[2]["error"])

    def test_the_mutant_worker_answers_protocol_2_as_its_cli_twin_is_run(self):
        folder, config, tensors, dtypes = write_folder(self.root, "llama-gqa", "F32")
        perm = np.roll(np.arange(kinds.intermediate_size(config)), 1)
        req = {"protocol": 2, "id": "m1", "edit": "mlp-permutation", "layer": 1, "params": {"permutation": perm.tolist()},
               "input": folder, "output": self.out("m1")}
        replies, err = serve([os.path.join(PYTHON_DIR, "mutants", "mutant_worker.py"), "--mutant", "mlp_inverse_on_out"], [req])
        self.assertEqual(replies, [{"id": "m1", "ok": True}], err[-2000:])
        got, _ = load_input(req["output"])
        m = "model.layers.1.mlp."
        np.testing.assert_array_equal(got[m + "up_proj.weight"], tensors[m + "up_proj.weight"][perm])
        np.testing.assert_array_equal(got[m + "down_proj.weight"], tensors[m + "down_proj.weight"][:, np.argsort(perm)])


class WhatTheEditFunctionSees(unittest.TestCase):
    def test_a_lab_defined_edit_gets_its_name_numpy_params_and_dtypes(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        editgate_client.safetensors_np.write(os.path.join(folder, "model.safetensors"),
                                             {"w": np.zeros(2, np.float32), "b": np.zeros(2, np.uint16)}, {"w": "F32", "b": "BF16"})
        seen = []

        def edit(tensors, request):
            seen.append(request)
            return {}

        req = {"protocol": 2, "id": "t1", "edit": "lab-rotation", "layer": 3,
               "params": {"angles": [0.5, 1], "order": [2, 0, 1], "grid": [[1, 2], [3, 4]], "names": ["a", "b"], "n": 3,
                          "empty": []},
               "convention": "the lab's own", "input": folder, "output": folder}
        stdin, stdout = sys.stdin, sys.stdout
        sys.stdin, sys.stdout = io.StringIO(json.dumps(req) + "\n"), io.StringIO()
        replies = sys.stdout
        try:
            editgate_client.run(edit, ["--worker"])  # replies go to the stdout it found; it points stdout at stderr
        finally:
            sys.stdin, sys.stdout = stdin, stdout
        self.assertEqual(json.loads(replies.getvalue()), {"id": "t1", "ok": True})
        (r,) = seen
        p = r["params"]
        self.assertEqual((r["edit"], r["layer"], r["convention"]), ("lab-rotation", 3, "the lab's own"))
        self.assertEqual((p["angles"].dtype, p["order"].dtype, p["grid"].shape), (np.float64, np.int64, (2, 2)))
        np.testing.assert_array_equal(p["order"], [2, 0, 1])
        self.assertEqual((p["names"], p["n"], p["empty"]), (["a", "b"], 3, []))
        self.assertEqual(r["dtypes"], {"w": "F32", "b": "BF16"})
        self.assertEqual(req["params"]["order"], [2, 0, 1], "the caller's request is not modified")

    def test_protocol_1_requests_reach_the_edit_function_unchanged(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        editgate_client.safetensors_np.write(os.path.join(folder, "model.safetensors"), {"w": np.zeros(2, np.float32)}, {"w": "F32"})
        seen = []
        req = {"protocol": 1, "id": "t1", "edit": "head_permutation", "layer": 0, "permutation": [1, 0],
               "convention": "new head i = old head perm[i]", "input": folder, "output": folder}
        editgate_client.handle(dict(req), lambda t, r: seen.append(r) or {})
        self.assertEqual(seen, [req])


if __name__ == "__main__":
    unittest.main()
