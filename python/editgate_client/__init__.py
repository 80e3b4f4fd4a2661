"""editgate client: wrap ``edit(tensors, request) -> changed tensors`` as an editgate external edit.

    from editgate_client import run
    def edit(tensors, request): ...   # return only the tensors you changed
    run(edit)

Protocol (docs/external-edit-protocol.md, version 1):
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
import traceback

from . import safetensors_np

__all__ = ["run", "load_input", "write_output", "safetensors_np", "PROTOCOL"]
PROTOCOL = 1


def load_input(folder):
    """All tensors of the model folder (every *.safetensors file) -> (tensors, dtypes)."""
    tensors, dtypes = {}, {}
    files = sorted(glob.glob(os.path.join(folder, "*.safetensors")))
    if not files:
        raise FileNotFoundError(f"no *.safetensors in {folder}")
    for f in files:
        t, d, _ = safetensors_np.read(f)
        tensors.update(t)
        dtypes.update(d)
    return tensors, dtypes


def write_output(folder, changed, dtypes):
    os.makedirs(folder, exist_ok=True)
    safetensors_np.write(os.path.join(folder, "model.safetensors"), changed, dtypes, {"format": "pt", "writer": "editgate_client"})


def handle(request, edit_fn):
    if request.get("protocol") != PROTOCOL:
        raise ValueError(f"unsupported protocol {request.get('protocol')!r}; this client speaks {PROTOCOL}")
    tensors, dtypes = load_input(request["input"])
    changed = edit_fn(tensors, request)
    if not isinstance(changed, dict):
        raise TypeError(f"edit function returned {type(changed).__name__}; expected dict name -> array")
    write_output(request["output"], changed, dtypes)


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


MAX_ERROR = 4000


def _bounded(text, limit=MAX_ERROR):
    """Head and end of a long error message (editgate keeps at most a few KiB of it anyway)."""
    if len(text) <= limit:
        return text
    head = limit // 4
    return f"{text[:head]}\n[... {len(text) - limit} characters dropped ...]\n{text[len(text) - (limit - head):]}"


def _worker(edit_fn):
    replies = sys.stdout
    sys.stdout = sys.stderr  # user prints go to stderr; only replies reach the real stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        rid = None
        try:
            request = json.loads(line)
            rid = request.get("id")
            handle(request, edit_fn)
            reply = {"id": rid, "ok": True}
        except Exception as e:  # a failed trial, never a dead worker
            traceback.print_exc(file=sys.stderr)
            reply = {"id": rid, "ok": False, "error": _bounded(f"{type(e).__name__}: {e}")}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
