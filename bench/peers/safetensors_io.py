"""Minimal safetensors reader/writer for the PyTorch fixture scripts (Debian has no python3-safetensors).

Format: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}},
then the raw little-endian tensor bytes. Used by the bench/peers scripts that write the small
fixture files the C# tests compare against.
"""
import json
import struct

import numpy as np

_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32, "U8": np.uint8}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


def save(path, tensors, metadata=None):
    """Writes {name: numpy array or torch tensor} to path (keys sorted, like safetensors)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        dtype = None
        if hasattr(t, "detach"):
            t = t.detach().cpu().contiguous()
            if str(t.dtype) == "torch.bfloat16":  # numpy has no bfloat16: write its 16-bit patterns
                t, dtype = t.view(dtype=__import__("torch").int16), "BF16"
            t = t.numpy()
        a = np.ascontiguousarray(t).reshape(np.shape(t))  # ascontiguousarray makes 0-d arrays 1-d; keep shape [] as PyTorch has it
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype or _NAMES[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load(path):
    """Reads a safetensors file into {name: numpy array}."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"]).copy()
    return out
