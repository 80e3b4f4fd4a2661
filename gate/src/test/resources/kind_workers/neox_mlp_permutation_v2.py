"""A protocol-2 worker for the Java side's test: mlp-permutation on GPT-NeoX, numpy only.

Reads one JSON request per stdin line, checks that it is a version 2 mlp-permutation request as kinds.md
specifies, gathers the layer's neurons (new neuron i = old neuron p[i]) and replies {"id", "ok"}.
"""
import json
import sys
import traceback

import numpy as np
from editgate_client import load_input, write_output


def edit(request):
    assert request["protocol"] == 2, request
    assert request["edit"] == "mlp-permutation", request
    assert "new neuron i = old neuron p[i]" in request["convention"], request
    p = np.asarray(request["params"]["permutation"], dtype=np.int64)
    layer = request["layer"]
    tensors, dtypes = load_input(request["input"])
    pre = f"gpt_neox.layers.{layer}.mlp."
    up, up_b, down = pre + "dense_h_to_4h.weight", pre + "dense_h_to_4h.bias", pre + "dense_4h_to_h.weight"
    changed = {up: tensors[up][p], up_b: tensors[up_b][p], down: tensors[down][:, p]}
    write_output(request["output"], changed, dtypes)


def main():
    out = sys.stdout
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            edit(request)
            reply = {"id": request.get("id"), "ok": True}
        except Exception as e:
            traceback.print_exc()
            reply = {"id": request.get("id"), "ok": False, "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
