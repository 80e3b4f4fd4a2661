"""The same edit for labs with torch + safetensors installed (not runnable in editgate's CI, which has
numpy only). editgate protocol 1, one-shot: ``python torch_head_permutation.py --request R.json``.
It writes only the three changed tensors; bf16 stays bf16.
"""
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file


def edit(tensors, request, heads):
    layer, perm = request["layer"], torch.tensor(request["permutation"])
    p = f"gpt_neox.layers.{layer}.attention."
    w, b, d = tensors[p + "query_key_value.weight"], tensors[p + "query_key_value.bias"], tensors[p + "dense.weight"]
    hidden = d.shape[0]
    return {
        p + "query_key_value.weight": w.view(heads, -1, hidden)[perm].reshape(w.shape).contiguous(),  # [heads, 3*hd, hidden]
        p + "query_key_value.bias": b.view(heads, -1)[perm].reshape(b.shape).contiguous(),
        p + "dense.weight": d.view(hidden, heads, -1)[:, perm].reshape(d.shape).contiguous(),  # columns per head
    }


def main():
    path = sys.argv[sys.argv.index("--request") + 1] if "--request" in sys.argv else os.environ["EDITGATE_REQUEST"]
    request = json.load(open(path))
    heads = json.load(open(os.path.join(request["input"], "config.json")))["num_attention_heads"]
    tensors = {}
    for f in sorted(os.listdir(request["input"])):
        if f.endswith(".safetensors"):
            tensors.update(load_file(os.path.join(request["input"], f)))
    os.makedirs(request["output"], exist_ok=True)
    save_file(edit(tensors, request, heads), os.path.join(request["output"], "model.safetensors"), {"format": "pt"})


if __name__ == "__main__":
    main()
