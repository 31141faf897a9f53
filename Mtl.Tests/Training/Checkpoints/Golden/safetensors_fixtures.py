#!/usr/bin/python3
"""Independent safetensors writer and reader (struct + json only) for Mtl's checkpoint tests.

    /usr/bin/python3 safetensors_fixtures.py            # writes tiny_model_f32/f64.safetensors here
    /usr/bin/python3 safetensors_fixtures.py FILE...    # loads files into torch tensors and prints them

Debian has no python3-safetensors package, so this follows the format's specification instead of the
library: an 8-byte little-endian header length N, N bytes of JSON (padded with spaces to a multiple of
8, as the reference implementation pads), then the tensors' little-endian bytes; data_offsets are
relative to the end of the header. The fixtures hold the tensors of CheckpointTests' TinyModel
(shared.0 = Linear(3, 4), shared.1 = Linear(4, 2), buffer running_mean [4]) with element i of the k-th
tensor equal to (16k + i)/8 - 3 (exact in float32), and the metadata {"epoch": "3"}. C# must write
these files byte for byte and load them back; loading them here checks that torch gets the same values.
"""
import json
import os
import struct
import sys

import torch

TENSORS = [("shared.0.weight", [4, 3]), ("shared.0.bias", [4]), ("shared.1.weight", [2, 4]),
           ("shared.1.bias", [2]), ("running_mean", [4])]
METADATA = {"epoch": "3"}
DTYPES = {"F32": (torch.float32, "<f", 4), "F64": (torch.float64, "<d", 8)}


def expected(dtype):
    out = {}
    for k, (name, shape) in enumerate(TENSORS):
        n = 1
        for d in shape:
            n *= d
        out[name] = torch.tensor([(16 * k + i) / 8 - 3 for i in range(n)], dtype=dtype).reshape(shape)
    return out


def write(path, tensors, code, metadata):
    header, data, offset = {}, b"", 0
    if metadata:
        header["__metadata__"] = metadata
    fmt, size = DTYPES[code][1], DTYPES[code][2]
    for name, t in tensors.items():
        raw = struct.pack("<%d%s" % (t.numel(), fmt[1]), *t.flatten().tolist())
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    assert 8 + n <= len(blob), "header length beyond the file"
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = blob[8 + n:]
    out = {}
    for name, info in header.items():
        dtype, fmt, size = DTYPES[info["dtype"]]
        b, e = info["data_offsets"]
        count = (e - b) // size
        values = struct.unpack("<%d%s" % (count, fmt[1]), data[b:e])
        out[name] = torch.tensor(values, dtype=dtype).reshape(info["shape"])
    return out, metadata


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    if len(sys.argv) == 1:
        for code in DTYPES:
            path = os.path.join(here, "tiny_model_%s.safetensors" % code.lower())
            write(path, expected(DTYPES[code][0]), code, METADATA)
            tensors, metadata = read(path)
            assert metadata == METADATA
            for name, t in expected(DTYPES[code][0]).items():
                assert torch.equal(tensors[name], t), name
            print("wrote", path)
    else:
        for path in sys.argv[1:]:
            tensors, metadata = read(path)
            print(path, metadata)
            for name, t in tensors.items():
                print(" ", name, t.dtype, list(t.shape), t.flatten().tolist())
