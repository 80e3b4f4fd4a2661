"""A transformers/PyTorch runner for ``editgate harness`` (runner protocol 1, docs/runner-protocol.md): the shape a
lab's own harness takes when it is put under test. Copy it and replace the bodies with your code: your loading,
your forward, your generation settings, your patching hooks. (Not run in editgate's CI: it needs torch and
transformers; editgate's own reference runner is numpy_runner.py next to it.)

Head activations are taken the way TransformerLens' ``hook_z`` does: a forward **pre**-hook on the module that
feeds the attention output projection sees z, the concatenated per-head attention outputs ``[B, T, heads*hd]``,
before heads are mixed. Patching the *output* of that projection in head_dim-wide slices (the seed's bug) patches
residual-stream coordinates, not heads; ``editgate harness`` diagnoses exactly that.

    pip install torch transformers ./python            # editgate_client needs only numpy
    editgate harness --model EleutherAI/pythia-160m --layer 6 \
        --runner "command:python python/runners/torch_runner.py --dtype float32"

``--dtype`` is what the runner loads and computes in, and what its hello declares: the harness judges it by that
dtype's tolerance. (``torch_dtype="auto"`` would load pythia's float16 checkpoint in float16 while you believe
you run float32: the baseline property catches that and says so.)
"""
import argparse
import collections
import os
import sys

import numpy as np
import torch
import transformers
from transformers import AutoModelForCausalLM

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # for a checkout without pip install
from editgate_client.runner import serve  # noqa: E402

_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16, "float64": torch.float64}


def output_projection(model, layer):
    """The module whose input is z (the per-head attention outputs, concatenated) at ``layer``."""
    t = model.config.model_type
    if t == "gpt_neox":
        return model.gpt_neox.layers[layer].attention.dense
    if t in ("llama", "mistral", "qwen2"):
        return model.model.layers[layer].self_attn.o_proj
    if t == "gpt2":
        return model.transformer.h[layer].attn.c_proj                    # Conv1D, input [B, T, d] is still z
    raise ValueError(f"model_type {t!r}: tell output_projection where the attention output projection lives")


def head_shape(config):
    heads = config.num_attention_heads
    hd = getattr(config, "head_dim", None) or config.hidden_size // heads
    return heads, hd


class TorchRunner:
    def __init__(self, dtype="float32", device=None):
        self.dtype_name = dtype
        self.dtype = _DTYPES[dtype]
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._models = collections.OrderedDict()

    def hello(self):
        return {"runner": f"transformers {transformers.__version__}, torch {torch.__version__} on {self.device}",
                "dtype": self.dtype_name, "tokenizes": False,
                "capabilities": ["logits", "generate", "patch_heads", "ablate_heads"]}

    def model(self, folder):
        if folder not in self._models:
            m = AutoModelForCausalLM.from_pretrained(folder, torch_dtype=self.dtype, attn_implementation="eager")
            self._models[folder] = m.to(self.device).eval()
            while len(self._models) > 2:                                  # the original and one edited copy
                self._models.popitem(last=False)
        self._models.move_to_end(folder)
        return self._models[folder]

    def _ids(self, ids):
        return torch.as_tensor(np.asarray(ids), dtype=torch.long, device=self.device)

    @torch.no_grad()
    def logits(self, folder, ids):
        return self.model(folder)(self._ids(ids)).logits.float().cpu().numpy()     # [B, T, V]

    @torch.no_grad()
    def generate(self, folder, ids, n):
        m = self.model(folder)
        x = self._ids(ids)
        out = m.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=n, min_new_tokens=n, do_sample=False,
                         num_beams=1, repetition_penalty=1.0, pad_token_id=m.config.eos_token_id or 0)
        return out[:, x.shape[1]:].cpu().numpy()                                  # [B, n]: new tokens only

    def _with_z_hook(self, m, layer, fn, ids):
        """Runs ``ids`` with ``fn(z [B, T, heads, hd]) -> z`` applied to the output projection's input at ``layer``."""
        heads, hd = head_shape(m.config)

        def pre_hook(module, args):
            z = args[0]
            b, t, _ = z.shape
            z = fn(z.reshape(b, t, heads, hd).clone()).reshape(b, t, heads * hd)   # (B, T, heads, hd) -> (B, T, heads*hd)
            return (z,) + tuple(args[1:])

        handle = output_projection(m, layer).register_forward_pre_hook(pre_hook)
        try:
            return m(self._ids(ids)).logits.float().cpu().numpy()
        finally:
            handle.remove()

    @torch.no_grad()
    def patch_heads(self, folder, clean, corrupt, layer, heads):
        m = self.model(folder)
        saved = {}

        def keep(z):
            saved["z"] = z.clone()
            return z

        self._with_z_hook(m, layer, keep, clean)                                   # clean run: remember z at the layer

        def patch(z):
            z[:, :, heads] = saved["z"][:, :, heads]                               # the listed heads from the clean run
            return z

        return self._with_z_hook(m, layer, patch, corrupt)

    @torch.no_grad()
    def ablate_heads(self, folder, ids, layer, heads):
        def zero(z):
            z[:, :, heads] = 0
            return z

        return self._with_z_hook(self.model(folder), layer, zero, ids)


def main(argv=None):
    ap = argparse.ArgumentParser(description="a transformers runner for editgate harness (runner protocol 1)")
    ap.add_argument("--dtype", default="float32", choices=sorted(_DTYPES))
    ap.add_argument("--device", default=None)
    a = ap.parse_args(argv)
    serve(TorchRunner(a.dtype, a.device))


if __name__ == "__main__":
    main()
