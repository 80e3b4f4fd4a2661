"""``python -m editgate_client._worker MODULE QUALNAME [FILE]``: the worker ``testing.check`` hands the gate.

Imports the edit function (from FILE when the function lived in a script run as __main__) and serves it
with ``editgate_client.run`` in worker mode: protocol 1 requests as they come, protocol 2 requests with
``request["edit"]`` (the kind), ``request["params"]`` (numpy arrays) and ``request["dtypes"]``.
"""
import importlib
import importlib.util
import sys

from . import run


def _load(module, qualname, path):
    if path:
        spec = importlib.util.spec_from_file_location("_editgate_user_module", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    else:
        mod = importlib.import_module(module)
    obj = mod
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


if __name__ == "__main__":
    argv = sys.argv[1:]
    if len(argv) not in (2, 3):
        sys.stderr.write("usage: python -m editgate_client._worker MODULE QUALNAME [FILE]\n")
        sys.exit(2)
    fn = _load(argv[0], argv[1], argv[2] if len(argv) == 3 else "")
    run(fn, ["--worker"])
