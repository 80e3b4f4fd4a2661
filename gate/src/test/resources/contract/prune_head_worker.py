"""A lab's head-pruning edit as an external protocol-2 worker (numpy; test fixture for ContractEditModesTest).

argv[1]: the folder holding editgate_client (the repository's python/). Requests arrive one JSON line each on stdin:
{"protocol": 2, "id", "edit": "head-pruning", "layer", "params": {"layer", "head"}, "convention", "input", "output"};
GPT-NeoX only: zeroes head `head`'s columns of gpt_neox.layers.{layer}.attention.dense.weight.
With argv[2] == "wrong-head" it zeroes head+1 as well (a bug the contract's rank clause catches).
"""
import json
import os
import sys

sys.path.insert(0, sys.argv[1])
from editgate_client import load_input, write_output  # noqa: E402

stdout = sys.stdout
sys.stdout = sys.stderr
wrong = len(sys.argv) > 2 and sys.argv[2] == "wrong-head"
for line in sys.stdin:
    req = json.loads(line)
    try:
        if req.get("protocol") != 2:
            raise ValueError(f"this worker speaks protocol 2, got {req.get('protocol')!r}")
        p = req["params"]
        tensors, dtypes = load_input(req["input"])
        with open(os.path.join(req["input"], "config.json")) as f:
            cfg = json.load(f)
        hd = cfg["hidden_size"] // cfg["num_attention_heads"]
        name = f"gpt_neox.layers.{p['layer']}.attention.dense.weight"
        w = tensors[name].copy()
        heads = [p["head"], p["head"] + 1] if wrong else [p["head"]]
        for h in heads:
            w[:, h * hd:(h + 1) * hd] = 0
        write_output(req["output"], {name: w}, dtypes)
        reply = {"id": req["id"], "ok": True}
    except Exception as e:  # the gate judges ok:false as a failed request
        reply = {"id": req["id"], "ok": False, "error": f"{type(e).__name__}: {e}"}
    stdout.write(json.dumps(reply) + "\n")
    stdout.flush()
