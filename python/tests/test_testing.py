"""editgate_client.testing.check without a gate: what it refuses before starting one (the full runs are in
gate/src/test/java/dev/editgate/gate/python/PythonPackageTest.java)."""
import os
import sys
import tempfile
import unittest
from unittest import mock

from editgate_client import testing


def module_level_edit(tensors, request):
    return {}


class CheckRefusesWhatItCannotRun(unittest.TestCase):
    def test_a_lambda_cannot_be_imported_by_the_worker(self):
        with self.assertRaises(TypeError) as e:
            testing.check(lambda t, r: {}, editgate="/bin/true")
        self.assertIn("module-level function", str(e.exception))

    def test_a_missing_cli_is_a_setup_error_not_an_assertion(self):
        env = {k: v for k, v in os.environ.items() if k != "EDITGATE_CLI"}
        env["PATH"] = "/nonexistent"
        with mock.patch.dict(os.environ, env, clear=True):
            with self.assertRaises(testing.EditgateSetupError) as e:
                testing.check(module_level_edit)
        self.assertIn("editgate CLI not found", str(e.exception))

    def test_the_edit_kind_reaches_the_cli_as_edit_kind(self):
        with tempfile.TemporaryDirectory() as d:
            fake = os.path.join(d, "fake_editgate.py")
            with open(fake, "w") as f:
                f.write("import sys\nprint(' '.join(sys.argv[1:]))\nprint('verdict: PASS')\n")
            result = testing.check(module_level_edit, edit_kind="mlp-permutation", layer=1, report=d,
                                   editgate=f"{sys.executable} {fake}")
        self.assertIn("--edit-kind mlp-permutation --layer 1", result.output)
        self.assertEqual(result.verdict, "verdict: PASS")

    def test_the_worker_command_names_the_function(self):
        module, qualname, path = testing._function_reference(module_level_edit)
        self.assertEqual((module.rsplit(".", 1)[-1], qualname, path), ("test_testing", "module_level_edit", ""))


if __name__ == "__main__":
    unittest.main()
