"""editgate client: wrap ``edit(tensors, request) -> changed tensors`` as an editgate external edit.

    from editgate_client import run
    def edit(tensors, request): ...   # return only the tensors you changed
    run(edit)

Protocol (docs/external-edit-protocol.md, versions 1 and 2):
  version 1: a head permutation, ``request["layer"]`` and ``request["permutation"]`` (a JSON list), unchanged;
  version 2: ``request["edit"]`` names the kind (``kinds.KINDS``, or a lab's own name), ``request["params"]`` holds
            its parameters with every JSON array of numbers as a numpy array (int64, or float64 when any entry is
            not an integer), ``request["layer"]`` is absent for whole-model kinds, and the client adds
            ``request["dtypes"]`` (tensor name -> safetensors tag, so a uint16 array is known to hold BF16 bits).
            ``kinds.edit`` is a ready edit function for every built-in kind.
  one-shot: ``python my_edit.py --request /path/request.json`` (or $EDITGATE_REQUEST); exit 0 = success.
  worker:   ``python my_edit.py --worker``: one JSON request per stdin line, one JSON reply per stdout line
            ``{"id":..., "ok":true}`` / ``{"id":..., "ok":false, "error":"..."}``.
While the edit runs, ``sys.stdout`` is redirected to stderr so user prints never corrupt replies.
Input tensors are read-only memory maps: never write into them (editgate checks the input after every trial).
"""
import glob
import json
import os
import sys

import numpy as np

from . import safetensors_np
from ._lines import MAX_ERROR, _bounded, answer_lines  # noqa: F401 (MAX_ERROR, _bounded: public to tests)

__all__ = ["run", "load_input", "write_output", "safetensors_np", "PROTOCOL", "PROTOCOLS", "protocol2_request"]
PROTOCOLS = (1, 2)
PROTOCOL = PROTOCOLS[-1]  # the newest version this client speaks


# (folder) -> (file stamps, tensors, dtypes): the input folders read last, memory-mapped once and reused while every
# file keeps its stamp (device, inode, size, mtime and ctime in ns). A worker handed the same input copy trial after
# trial then touches only the pages its edit reads, with no new mapping, header parse or page faults per request.
_INPUTS = {}
_MAX_CACHED_INPUTS = 2


def _stamps(files):
    stamps = []
    for f in files:
        st = os.stat(f)
        stamps.append((f, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(stamps)


def load_input(folder):
    """All tensors of the model folder (every *.safetensors file) -> (tensors, dtypes).

    Tensors are read-only memory maps. A folder read before whose files all keep their stamps is not read again:
    the same maps come back (in new dicts, which the caller may change freely)."""
    files = sorted(glob.glob(os.path.join(folder, "*.safetensors")))
    if not files:
        raise FileNotFoundError(f"no *.safetensors in {folder}")
    stamps = _stamps(files)
    cached = _INPUTS.get(folder)
    if cached is None or cached[0] != stamps:
        tensors, dtypes = {}, {}
        for f in files:
            t, d, _ = safetensors_np.read(f)
            tensors.update(t)
            dtypes.update(d)
        _INPUTS.pop(folder, None)
        while len(_INPUTS) >= _MAX_CACHED_INPUTS:  # oldest first: a deleted round-trip input's map is released
            _INPUTS.pop(next(iter(_INPUTS)))
        cached = (stamps, tensors, dtypes)
    _INPUTS[folder] = cached
    return dict(cached[1]), dict(cached[2])


def write_output(folder, changed, dtypes, inputs=None):
    """Writes ``changed`` as ``folder/model.safetensors``; an entry that is the very array ``inputs`` holds under the same
    name (the edit handed back what it was given, a read-only map it cannot have changed) is left out: absent means
    unchanged in the protocol."""
    os.makedirs(folder, exist_ok=True)
    if inputs is not None:
        changed = {k: v for k, v in changed.items() if inputs.get(k) is not v}
    safetensors_np.write(os.path.join(folder, "model.safetensors"), changed, dtypes, {"format": "pt", "writer": "editgate_client"})


def _numeric(value):
    """A JSON array of numbers as a numpy array (int64, else float64); anything else as JSON gave it."""
    if not isinstance(value, list):
        return value
    try:
        a = np.asarray(value)
    except ValueError:  # ragged nesting
        return value
    if a.size and a.dtype.kind in "iu":
        return a.astype(np.int64)
    if a.size and a.dtype.kind == "f":
        return a.astype(np.float64)
    return value


def protocol2_request(request, dtypes):
    """The request a version 2 edit function sees: ``edit`` checked, ``params`` with numpy arrays, ``dtypes`` added."""
    kind = request.get("edit")
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"protocol 2 request {request.get('id')!r}: \"edit\" must name the edit kind, got {kind!r}")
    params = request.get("params")
    if not isinstance(params, dict):
        raise ValueError(f"protocol 2 request {request.get('id')!r} ({kind}): \"params\" must be a JSON object, got {params!r}")
    layer = request.get("layer")
    if layer is not None and (isinstance(layer, bool) or not isinstance(layer, int)):
        raise ValueError(f"protocol 2 request {request.get('id')!r} ({kind}): \"layer\" must be an integer, got {layer!r}")
    out = dict(request)
    out["params"] = {k: _numeric(v) for k, v in params.items()}
    out["dtypes"] = dict(dtypes)
    return out


def handle(request, edit_fn):
    version = request.get("protocol")
    if version not in PROTOCOLS or isinstance(version, bool):
        raise ValueError(f"unsupported protocol {version!r}; this client speaks {' and '.join(map(str, PROTOCOLS))}")
    tensors, dtypes = load_input(request["input"])
    given = dict(tensors)  # what the edit was handed, even if it changes its dict
    if version == 2:
        request = protocol2_request(request, dtypes)
    changed = edit_fn(tensors, request)
    if not isinstance(changed, dict):
        raise TypeError(f"edit function returned {type(changed).__name__}; expected dict name -> array")
    write_output(request["output"], changed, dtypes, given)


def _request_path(argv):
    if "--request" in argv:
        return argv[argv.index("--request") + 1]
    return os.environ.get("EDITGATE_REQUEST")


def run(edit_fn, argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--worker" in argv or os.environ.get("EDITGATE_MODE") == "worker":
        _worker(edit_fn)
        return
    path = _request_path(argv)
    if not path:
        sys.stderr.write("usage: --request REQUEST.json (or EDITGATE_REQUEST) for one trial, or --worker\n")
        sys.exit(2)
    with open(path) as f:
        request = json.load(f)
    real_stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        handle(request, edit_fn)
    finally:
        sys.stdout = real_stdout


def _worker(edit_fn):
    replies = sys.stdout
    sys.stdout = sys.stderr  # user prints go to stderr; only replies reach the real stdout
    answer_lines(sys.stdin, replies, lambda request: handle(request, edit_fn))
