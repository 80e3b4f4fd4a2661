"""python3 -m unittest discover -s tests -t .   (run from python/)"""
import json
import os
import sys
import tempfile
import unittest

import numpy as np

from editgate_client import safetensors_np


class RoundTrip(unittest.TestCase):
    def test_every_dtype_round_trips_bit_for_bit(self):
        arrays = {
            "f32": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
            "f16": (np.arange(6, dtype=np.float16) - 2.5),
            "f64": np.linspace(-1, 1, 5),
            "i64": np.arange(4, dtype=np.int64) - 2,
            "i32": np.arange(3, dtype=np.int32),
            "u8": np.arange(3, dtype=np.uint8),
            "bool": np.array([True, False, True]),
            "bf16": np.array([0x3F80, 0xC000, 0x7F80], dtype=np.uint16),
            "scalar": np.array(3.5, dtype=np.float32),
        }
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.safetensors")
            safetensors_np.write(path, arrays, {"bf16": "BF16"}, {"format": "pt"})
            tensors, dtypes, meta = safetensors_np.read(path)
            self.assertEqual(meta, {"format": "pt"})
            self.assertEqual(dtypes["bf16"], "BF16")
            self.assertEqual(dtypes["f32"], "F32")
            self.assertEqual(dtypes["bool"], "BOOL")
            for k, v in arrays.items():
                self.assertEqual(tensors[k].shape, v.shape, k)
                self.assertEqual(tensors[k].tobytes(), np.asarray(v).tobytes(), k)
            with open(path, "rb") as f:
                n = int.from_bytes(f.read(8), "little")
                self.assertEqual(n % 8, 0)
                self.assertIn("bf16", json.loads(f.read(n)))

    def test_inputs_are_read_only(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.safetensors")
            safetensors_np.write(path, {"a": np.zeros(3, np.float32)})
            t, _, _ = safetensors_np.read(path)
            with self.assertRaises(ValueError):
                t["a"][0] = 1.0


if __name__ == "__main__":
    unittest.main()
