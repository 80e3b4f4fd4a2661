"""Every edit kind editgate checks, with numpy, for every family: the kind comes from the request.

Run by editgate: ``python3 numpy_edits.py --request R.json`` or ``--worker`` (``editgate gate --edit-kind KIND
--edit "command:python3 python/examples/numpy_edits.py" --edit-mode worker``), with the client installed
(``pip install ./python``, numpy is its only dependency).

Protocol 2 requests name the kind (``request["edit"]``) and carry its parameters as numpy arrays
(``request["params"]``); head permutations still arrive as protocol 1 requests (``request["permutation"]``).
The family, the heads, KV heads, neurons and hidden size come from the request's ``input``/config.json;
``editgate_client.kinds`` knows which tensors each kind touches (docs/external-edit-protocol.md, version 2).
"""
from editgate_client import kinds, layouts, run


def edit(tensors, request):
    config = layouts.read_config(request["input"])
    if request["protocol"] == 1:  # a head permutation: new query head i = old head permutation[i]
        return layouts.permute_heads(tensors, config, request["layer"], request["permutation"])
    kind, params, layer = request["edit"], request["params"], request.get("layer")
    if kind == "head-permutation":           # new query head i = old head p[i]; KV heads by sigma[j] = p[j*g] // g
        return kinds.permute_heads(tensors, config, layer, params["permutation"])
    if kind == "kv-group-permutation":       # new KV head j = old KV head sigma[j], its query heads with it
        return kinds.permute_kv_groups(tensors, config, layer, params["permutation"])
    if kind == "mlp-permutation":            # new neuron i = old neuron p[i] of this layer's MLP
        return kinds.permute_mlp(tensors, config, layer, params["permutation"])
    if kind == "residual-permutation":       # new residual coordinate i = old coordinate p[i], whole model
        return kinds.permute_residual(tensors, config, params["permutation"])
    dtypes = request["dtypes"]               # BF16 tensors are uint16 bits: scalings need to know which
    if kind == "qk-scaling":                 # q of head h times 2**e[h], k of its KV head times 2**-e[h]
        return kinds.scale_qk(tensors, config, layer, params["exponents"], dtypes)
    if kind == "vo-scaling":                 # v of KV head h // g times 2**e[h], o's columns of head h times 2**-e[h]
        return kinds.scale_vo(tensors, config, layer, params["exponents"], dtypes)
    if kind == "up-down-scaling":            # SwiGLU: up row n times 2**e[n], down column n times 2**-e[n]
        return kinds.scale_up_down(tensors, config, layer, params["exponents"], dtypes)
    raise ValueError(f"numpy_edits.py does not know the edit {kind!r}; it knows {', '.join(kinds.KINDS)}")


if __name__ == "__main__":
    run(edit)
