"""Serve a lab's own model code to ``editgate harness`` (runner protocol 1, docs/runner-protocol.md).

A runner is an object with a ``hello()`` dict and one method per operation it can do; ``serve(runner)``
prints the hello line, then answers one JSON request per stdin line with one JSON reply per stdout line.
Arrays travel as safetensors files: the request's ``input`` folder (read-only, owned by the gate) holds
them, the runner writes its answer into the request's ``output`` folder.

    from editgate_client.runner import serve

    class MyRunner:
        def hello(self):
            return {"runner": "my-lab-harness", "dtype": "float32", "tokenizes": False,
                    "capabilities": ["logits", "generate", "patch_heads", "ablate_heads"]}
        def logits(self, model, ids): ...                          # ids int64 [B, T] -> [B, T, V]
        def generate(self, model, ids, n): ...                     # greedy, -> int64 [B, n] (new tokens only)
        def patch_heads(self, model, clean, corrupt, layer, heads): ...   # -> logits of corrupt [B, T, V]
        def ablate_heads(self, model, ids, layer, heads): ...      # -> [B, T, V]

    serve(MyRunner())

``model`` is a Hugging Face model folder path; keep loaded models in a small cache keyed by it (the gate asks
about the original and several edited copies). While a method runs, ``sys.stdout`` goes to stderr so that a
print never corrupts a reply.
"""
import json
import os
import sys

import numpy as np

from . import safetensors_np
from ._lines import answer_lines

__all__ = ["serve", "PROTOCOL", "OPERATIONS"]
PROTOCOL = 1
OPERATIONS = ("logits", "generate", "patch_heads", "ablate_heads")
_DTYPES = ("float64", "float32", "float16", "bfloat16")


def _check_hello(hello):
    if not isinstance(hello, dict):
        raise TypeError(f"runner.hello() returned {type(hello).__name__}; expected a dict")
    caps = hello.get("capabilities")
    if not isinstance(caps, list) or not caps or any(c not in OPERATIONS for c in caps):
        raise ValueError(f"hello capabilities must be a non-empty list drawn from {OPERATIONS}, got {caps!r}")
    if hello.get("dtype") not in _DTYPES:
        raise ValueError(f"hello dtype must be one of {_DTYPES}, got {hello.get('dtype')!r}")
    out = {"protocol": PROTOCOL, "runner": str(hello.get("runner", "runner")), "capabilities": list(caps),
           "tokenizes": bool(hello.get("tokenizes", False)), "dtype": hello["dtype"]}
    return out


def _read_inputs(folder):
    path = os.path.join(folder, "inputs.safetensors")
    if not os.path.exists(path):
        return {}
    tensors, _, _ = safetensors_np.read(path)
    return {k: np.array(v) for k, v in tensors.items()}  # private copies: the input folder stays untouched


def _logits_array(a, name):
    a = np.asarray(a)
    if a.dtype not in (np.float16, np.float32, np.float64):
        a = a.astype(np.float32)
    if a.ndim != 3:
        raise ValueError(f"{name} must return logits [batch, seq, vocab], got shape {list(a.shape)}")
    return a


def handle(runner, request, capabilities):
    op = request.get("op")
    if op not in capabilities:
        raise ValueError(f"operation {op!r} is not among this runner's capabilities {capabilities}")
    model, out = request["model"], request["output"]
    inputs = _read_inputs(request["input"])
    result = {}
    if op == "logits":
        if "prompts" in request:
            ids, logits = runner.logits_of_prompts(model, request["prompts"])
            for i, (t, l) in enumerate(zip(ids, logits)):
                result[f"ids.{i}"] = np.asarray(t, dtype=np.int64)
                result[f"logits.{i}"] = np.asarray(l)
        else:
            result["logits"] = _logits_array(runner.logits(model, inputs["ids"]), "logits")
    elif op == "generate":
        result["tokens"] = np.asarray(runner.generate(model, inputs["ids"], int(request["n"])), dtype=np.int64)
    elif op == "patch_heads":
        result["logits"] = _logits_array(runner.patch_heads(model, inputs["clean"], inputs["corrupt"], int(request["layer"]),
                                                            [int(h) for h in request["heads"]]), "patch_heads")
    elif op == "ablate_heads":
        result["logits"] = _logits_array(runner.ablate_heads(model, inputs["ids"], int(request["layer"]),
                                                             [int(h) for h in request["heads"]]), "ablate_heads")
    safetensors_np.write(os.path.join(out, "result.safetensors"), result)


def serve(runner, stdin=None, stdout=None):
    """Prints the hello line, then answers requests until stdin closes."""
    stdin = stdin or sys.stdin
    replies = stdout or sys.stdout
    sys.stdout = sys.stderr  # user prints go to stderr; only the hello and replies reach the real stdout
    hello = _check_hello(runner.hello())
    replies.write(json.dumps(hello) + "\n")
    replies.flush()

    def answer(request):
        if request.get("protocol") != PROTOCOL:
            raise ValueError(f"unsupported runner protocol {request.get('protocol')!r}; this client speaks {PROTOCOL}")
        handle(runner, request, hello["capabilities"])

    answer_lines(stdin, replies, answer)
