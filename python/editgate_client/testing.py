"""Run editgate's gate on a Python edit function from a test (pytest, unittest or plain asserts).

    from editgate_client.testing import check

    def test_my_edit():
        check(edit, model="fixture:tiny", tries=50)

``check`` starts the gate in worker mode with a small worker that imports ``edit_fn`` the way this process
did, waits for the verdict, and raises ``AssertionError`` carrying the gate's own message (the failed stage,
the minimal counterexample, the diagnosis and the rerun command) when the edit is wrong. A broken setup (the
CLI missing, a bad option, a stage that could not run) raises ``EditgateSetupError`` instead, so a test run
tells a broken edit from a broken setup. pytest is not required.
"""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

__all__ = ["check", "GateResult", "EditgateSetupError"]


class EditgateSetupError(RuntimeError):
    """The gate did not judge the edit: bad usage or setup (exit 2) or an inconclusive run (exit 3)."""


class GateResult:
    """What a passing gate run left: its verdict line, full output and report folder."""

    def __init__(self, exit_code, output, report):
        self.exit_code = exit_code
        self.output = output
        self.report = report
        self.verdict = next((l for l in output.splitlines() if l.startswith("verdict:")), "")

    def __repr__(self):
        return f"GateResult({self.verdict!r}, report={self.report!r})"


def _function_reference(edit_fn):
    """module:qualname for the worker to import, plus the file to load it from when the module is __main__."""
    module = getattr(edit_fn, "__module__", None)
    qualname = getattr(edit_fn, "__qualname__", "")
    if not module or "<" in qualname:
        raise TypeError(f"check() needs a module-level function (got {edit_fn!r}): the gate's worker imports it by name")
    path = ""
    if module == "__main__":
        mod = sys.modules.get("__main__")
        path = os.path.abspath(getattr(mod, "__file__", "") or "")
        if not path:
            raise TypeError("check() cannot import a function defined interactively; put it in a module")
    return module, qualname, path


def _cli(editgate):
    given = editgate or os.environ.get("EDITGATE_CLI")
    if given:
        return shlex.split(given)
    found = shutil.which("editgate")
    if found:
        return [found]
    raise EditgateSetupError("editgate CLI not found: put the editgate launcher on PATH, set EDITGATE_CLI=/path/to/editgate,"
                             " or pass check(..., editgate='/path/to/editgate')")


def check(edit_fn, model="fixture:tiny", layer=None, tries=None, seed=None, dtype=None, time_budget=None,
          report=None, edit_timeout=None, editgate=None, extra_args=(), timeout=None, edit_kind=None):
    """Runs the gate on ``edit_fn(tensors, request) -> changed tensors`` in worker mode.

    ``edit_kind`` (e.g. "mlp-permutation"; the gate's default is head-permutation) is passed as ``--edit-kind``.

    Returns a GateResult when the gate passes; raises AssertionError with the gate's message when it fails,
    EditgateSetupError when it could not judge the edit. ``report`` defaults to a fresh temporary folder.
    """
    module, qualname, path = _function_reference(edit_fn)
    worker = [sys.executable, "-m", "editgate_client._worker", module, qualname] + ([path] if path else [])
    report = report or tempfile.mkdtemp(prefix="editgate-check-")
    args = _cli(editgate) + ["gate", "--edit", "command:" + shlex.join(worker), "--edit-mode", "worker",
                             "--model", str(model), "--report", str(report)]
    for flag, value in (("--edit-kind", edit_kind), ("--layer", layer), ("--tries", tries), ("--seed", seed),
                        ("--dtype", dtype), ("--time-budget", time_budget), ("--edit-timeout", edit_timeout)):
        if value is not None:
            args += [flag, str(value)]
    args += list(extra_args)
    env = dict(os.environ)
    # the worker imports edit_fn's module exactly as this process can
    paths = [os.path.abspath(p) if p else os.getcwd() for p in sys.path]
    env["PYTHONPATH"] = os.pathsep.join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    try:
        proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, timeout=timeout)
    except FileNotFoundError as e:
        raise EditgateSetupError(f"cannot start the editgate CLI {args[0]!r}: {e}") from e
    output = proc.stdout + (("\n" + proc.stderr) if proc.stderr.strip() else "")
    if proc.returncode == 0:
        return GateResult(0, output, report)
    if proc.returncode == 1:
        raise AssertionError(f"editgate: the gate failed on {module}.{qualname}\n" + _summary(proc.stdout))
    raise EditgateSetupError(f"editgate did not judge {module}.{qualname} (exit {proc.returncode}: "
                             + ("inconclusive" if proc.returncode == 3 else "bad usage or setup") + ")\n" + output.strip())


def _summary(stdout):
    """The gate's stage lines, counterexamples, diagnosis, verdict and rerun line, without the progress noise."""
    lines = stdout.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("  structural")), 0)
    return "\n".join(lines[start:]).strip()
