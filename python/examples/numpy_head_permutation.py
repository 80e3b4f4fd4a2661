"""A correct GPT-NeoX head permutation with numpy: new head i = old head perm[i].

Run by editgate: ``python3 numpy_head_permutation.py --request R.json`` or ``--worker``, with the client
installed (``pip install ./python``, numpy is its only dependency).
"""
import json
import os

from editgate_client import run


def edit(tensors, request):
    layer, perm = request["layer"], request["permutation"]
    with open(os.path.join(request["input"], "config.json")) as f:
        heads = json.load(f)["num_attention_heads"]
    p = f"gpt_neox.layers.{layer}.attention."
    w, b, d = tensors[p + "query_key_value.weight"], tensors[p + "query_key_value.bias"], tensors[p + "dense.weight"]
    hidden = d.shape[0]
    return {
        # QKV rows are [heads, 3, head_dim]: move whole per-head row blocks
        p + "query_key_value.weight": w.reshape(heads, -1, hidden)[perm].reshape(w.shape),
        p + "query_key_value.bias": b.reshape(heads, -1)[perm].reshape(b.shape),
        # head h owns columns h*hd..(h+1)*hd-1 of dense [out, in]
        p + "dense.weight": d.reshape(hidden, heads, -1)[:, perm].reshape(d.shape),
    }


if __name__ == "__main__":
    run(edit)
