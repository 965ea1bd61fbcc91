"""The safetensors format (an 8-byte little-endian header length, a JSON header of {name: {dtype, shape,
data_offsets}}, then the raw little-endian tensors), read and written with torch alone, so that nothing beyond torch
needs installing. https://github.com/huggingface/safetensors#format
"""
import json
import struct

import torch

_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8}
_NAMES = {value: key for key, value in _DTYPES.items()}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata dict) from a .safetensors file; raises ValueError naming what is wrong."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"read_safetensors: expected {path} at least 8 bytes, got {len(data)}.")
    (header_size,) = struct.unpack("<Q", data[:8])
    if header_size > len(data) - 8:
        raise ValueError(f"read_safetensors: expected a header of at most {len(data) - 8} bytes in {path}, got {header_size}.")
    header = json.loads(data[8 : 8 + header_size].decode("utf-8"))
    body = memoryview(data)[8 + header_size :]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, spec in header.items():
        dtype = _DTYPES.get(spec.get("dtype"))
        if dtype is None:
            raise ValueError(f"read_safetensors: expected tensor '{name}' dtype among {sorted(_DTYPES)}, got {spec.get('dtype')}.")
        start, end = spec["data_offsets"]
        shape = [int(size) for size in spec["shape"]]
        count = 1
        for size in shape:
            count *= size
        if not 0 <= start <= end <= len(body) or end - start != count * torch.tensor([], dtype=dtype).element_size():
            raise ValueError(f"read_safetensors: expected tensor '{name}' of shape {shape} to fit its data_offsets, got {start}..{end}.")
        flat = torch.frombuffer(bytearray(body[start:end]), dtype=dtype) if end > start else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(shape)
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} (float32, float64, int32, int64 or uint8; contiguous copies are made) to `path`."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        tensor = tensors[name].detach().contiguous().cpu()
        if tensor.dtype not in _NAMES:
            raise ValueError(f"write_safetensors: expected tensor '{name}' dtype among {sorted(map(str, _NAMES))}, got {tensor.dtype}.")
        raw = tensor.numpy().tobytes() if tensor.numel() else b""
        header[name] = {"dtype": _NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for chunk in chunks:
            f.write(chunk)
