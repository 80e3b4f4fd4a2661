"""A correct head permutation with numpy, for every family editgate reads: new query head i = old head perm[i].

Run by editgate: ``python3 numpy_head_permutation.py --request R.json`` or ``--worker``, with the client
installed (``pip install ./python``, numpy is its only dependency).
The family, the heads and the KV heads come from the request's ``input``/config.json; ``editgate_client.layouts``
knows where each family keeps a head (GPT-NeoX fused QKV rows [heads, 3, hd] + dense columns; Llama/Mistral/Qwen2
q_proj rows, k_proj/v_proj rows by the KV permutation, o_proj columns; GPT-2 c_attn columns [q | k | v] + c_proj rows).
On grouped-query attention a permutation that splits a KV group fails the trial with a message naming the group.
"""
import os

from editgate_client import layouts, run


def edit(tensors, request):
    config = layouts.read_config(request["input"])
    return layouts.permute_heads(tensors, config, request["layer"], request["permutation"])  # only the changed tensors


if __name__ == "__main__":
    run(edit)
