"""Numpy-only safetensors reading and writing (no torch, no safetensors package).

BF16 has no numpy dtype: such tensors are read as raw ``uint16`` arrays and their dtype tag is kept
in ``dtypes`` so that writing them back stores ``BF16`` again. Moving rows or columns of a uint16
view moves the bf16 values bit for bit, which is all a permutation needs.
"""
import json
import os
import struct

import numpy as np

_TO_NP = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16, "BF16": np.uint16,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
    "U64": np.uint64, "U32": np.uint32, "U16": np.uint16, "U8": np.uint8, "BOOL": np.bool_,
}
_FROM_NP = {np.dtype(v).str: k for k, v in _TO_NP.items() if k not in ("BF16", "U16")}
_FROM_NP[np.dtype(np.uint16).str] = "U16"


def read(path):
    """Returns (tensors: dict name -> np.ndarray (little-endian, read-only memmap views), dtypes: dict name -> tag, metadata)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    metadata = header.pop("__metadata__", {}) or {}
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n).view(np.ndarray) if os.path.getsize(path) > 8 + n else np.zeros(0, np.uint8)
    tensors, dtypes = {}, {}
    for name, info in header.items():
        tag = info["dtype"]
        if tag not in _TO_NP:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {tag}")
        start, end = info["data_offsets"]
        dt = np.dtype(_TO_NP[tag]).newbyteorder("<")
        tensors[name] = data[start:end].view(dt).reshape(tuple(info["shape"]))
        dtypes[name] = tag
    return tensors, dtypes, metadata


def write(path, tensors, dtypes=None, metadata=None):
    """Writes ``tensors`` (name -> array); ``dtypes[name] == "BF16"`` marks uint16 arrays holding bf16 bits."""
    dtypes = dtypes or {}
    header, offset, blobs = {}, 0, []
    for name, arr in tensors.items():
        arr = np.require(np.asarray(arr), requirements="C")  # keeps 0-d arrays 0-d (ascontiguousarray does not)
        tag = dtypes.get(name)
        if tag != "BF16" or arr.dtype != np.uint16:
            tag = _FROM_NP.get(arr.dtype.newbyteorder("<").str if arr.dtype.byteorder == ">" else arr.dtype.str)
            if tag is None:
                raise ValueError(f"tensor {name}: numpy dtype {arr.dtype} has no safetensors tag")
        # the array's own bytes (no copy unless it is big-endian or not contiguous): [size] little-endian elements as bytes
        raw = np.require(arr.astype(arr.dtype.newbyteorder("<"), copy=False), requirements="C").reshape(-1).view(np.uint8)
        header[name] = {"dtype": tag, "shape": list(arr.shape), "data_offsets": [offset, offset + raw.nbytes]}
        blobs.append(raw)
        offset += raw.nbytes
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(memoryview(b))
    os.replace(tmp, path)
