"""The client's protocol side: bounded error replies (python3 -m unittest discover -s tests -t ., from python/)."""
import io
import json
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import editgate_client  # noqa: E402


class BoundedErrors(unittest.TestCase):
    def test_short_messages_are_kept_whole(self):
        self.assertEqual(editgate_client._bounded("KeyError: 'x'"), "KeyError: 'x'")

    def test_long_messages_keep_head_and_end_and_say_what_was_dropped(self):
        text = "A" * 10 + "x" * 1_000_000 + "THE END"
        out = editgate_client._bounded(text)
        self.assertLess(len(out), editgate_client.MAX_ERROR + 100)
        self.assertTrue(out.startswith("A" * 10))
        self.assertTrue(out.endswith("THE END"))
        self.assertIn(f"[... {len(text) - editgate_client.MAX_ERROR} characters dropped ...]", out)

    def test_a_worker_reply_for_a_huge_exception_is_one_short_line(self):
        def edit(tensors, request):
            raise ValueError("spam " * 200_000)

        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        editgate_client.safetensors_np.write(os.path.join(folder, "model.safetensors"), {"w": np.zeros(2, np.float32)}, {"w": "F32"}, {})
        stdin, stdout, stderr = sys.stdin, sys.stdout, sys.stderr
        sys.stdin = io.StringIO(json.dumps({"protocol": 1, "id": "t1", "input": folder, "output": folder}) + "\n")
        sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
        replies = sys.stdout
        try:
            editgate_client.run(lambda t, r: edit(t, r), ["--worker"])
        finally:
            sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
        line = replies.getvalue()
        self.assertEqual(line.count("\n"), 1)
        reply = json.loads(line)
        self.assertIs(reply["ok"], False)
        self.assertEqual(reply["id"], "t1")
        self.assertTrue(reply["error"].startswith("ValueError: spam"), reply["error"][:100])
        self.assertIn("characters dropped", reply["error"])
        self.assertLess(len(reply["error"]), editgate_client.MAX_ERROR + 100)


if __name__ == "__main__":
    unittest.main()
