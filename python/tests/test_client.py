"""The client's protocol side: bounded error replies, input maps reused, unchanged arrays left out (python3 -m unittest discover -s tests -t ., from python/)."""
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


class InputMapsAndOutputs(unittest.TestCase):
    """An input folder is mapped once while its files keep their stamps; arrays handed back unchanged are not written."""

    def folder(self, values):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        path = os.path.join(folder, "model.safetensors")
        editgate_client.safetensors_np.write(path, {"w": np.array(values, np.float32), "b": np.arange(3, dtype=np.int64)}, {}, {})
        return folder, path

    def test_the_same_input_is_mapped_once_and_handed_out_in_fresh_dicts(self):
        folder, _ = self.folder([1, 2])
        t1, d1 = editgate_client.load_input(folder)
        t1["w"] = "the caller may change its dict"
        t2, d2 = editgate_client.load_input(folder)
        self.assertIsNot(t1, t2)
        self.assertEqual(d2, {"w": "F32", "b": "I64"})
        t3, _ = editgate_client.load_input(folder)
        self.assertIs(t3["w"], t2["w"], "the same read-only map, not a new one per request")
        self.assertFalse(t3["w"].flags.writeable)
        np.testing.assert_array_equal(t3["w"], [1, 2])

    def test_a_replaced_file_is_read_again(self):
        folder, path = self.folder([1, 2])
        before, _ = editgate_client.load_input(folder)
        editgate_client.safetensors_np.write(path, {"w": np.array([7, 8, 9], np.float32)}, {}, {})  # a new file (os.replace)
        after, dtypes = editgate_client.load_input(folder)
        np.testing.assert_array_equal(after["w"], [7, 8, 9])
        self.assertEqual(set(after), {"w"})
        np.testing.assert_array_equal(before["w"], [1, 2])  # the old map stays valid for whoever holds it

    def test_arrays_handed_back_unchanged_are_left_out_of_the_output(self):
        folder, _ = self.folder([1, 2])
        out = os.path.join(folder, "out")

        def edit(tensors, request):
            full = dict(tensors)  # the whole model back, one tensor changed
            full["w"] = tensors["w"] * 2
            full["renamed"] = tensors["b"]  # an input array under another name is written
            return full

        editgate_client.handle({"protocol": 1, "id": "t1", "input": folder, "output": out}, edit)
        written, dtypes, meta = editgate_client.safetensors_np.read(os.path.join(out, "model.safetensors"))
        self.assertEqual(sorted(written), ["renamed", "w"])
        np.testing.assert_array_equal(written["w"], [2, 4])
        np.testing.assert_array_equal(written["renamed"], [0, 1, 2])

    def test_written_bytes_do_not_depend_on_the_arrays_layout(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        base = np.arange(12, dtype=np.float32).reshape(3, 4)
        variants = {"c": base, "strided": np.asfortranarray(base), "big_endian": base.astype(">f4")}
        blobs = set()
        for name, arr in variants.items():
            path = os.path.join(folder, name + ".safetensors")
            editgate_client.safetensors_np.write(path, {"x": arr, "s": np.float64(3.5)}, {}, {})
            with open(path, "rb") as f:
                blobs.add(f.read())
            t, d, _ = editgate_client.safetensors_np.read(path)
            np.testing.assert_array_equal(t["x"], base)
            self.assertEqual(t["s"].shape, ())
        self.assertEqual(len(blobs), 1, "one byte string for every layout of the same values")


if __name__ == "__main__":
    unittest.main()
