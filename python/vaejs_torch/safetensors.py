"""The safetensors format (an 8-byte little-endian header length, a JSON header of {name: {dtype, shape,
data_offsets}}, then the raw little-endian tensors), read and written with torch alone, so that nothing beyond torch
needs installing (the `safetensors` package reads the same files). https://github.com/huggingface/safetensors#format

The reader checks what `@vaejs/training`'s decodeSafetensors checks — a header that fits, JSON, every entry a known
dtype with a whole shape and offsets that match it, tensors tiling the data without gaps or overlaps — and raises
ValueError naming the field or the tensor.
"""
import json
import struct

import torch

_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8}
_NAMES = {value: key for key, value in _DTYPES.items()}
_MAX_HEADER = 100_000_000


def read_safetensors(path):
    """Returns ({name: tensor}, metadata dict) from a .safetensors file; raises ValueError naming what is wrong."""
    with open(path, "rb") as f:
        data = f.read()
    name = str(path)
    if len(data) < 8:
        raise ValueError(f"read_safetensors: expected {name} at least 8 bytes, got {len(data)}.")
    (header_size,) = struct.unpack("<Q", data[:8])
    if header_size > min(len(data) - 8, _MAX_HEADER):
        raise ValueError(f"read_safetensors: expected {name} header length at most {min(len(data) - 8, _MAX_HEADER)} bytes, got {header_size}.")
    try:
        header = json.loads(data[8 : 8 + header_size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"read_safetensors: expected {name} header UTF-8 JSON, got {error}.") from None
    if not isinstance(header, dict):
        raise ValueError(f"read_safetensors: expected {name} header a JSON object, got {type(header).__name__}.")
    body = memoryview(data)[8 + header_size :]
    metadata = header.pop("__metadata__", {}) or {}
    tensors, spans = {}, []
    for key, spec in header.items():
        tensors[key] = _tensor(name, key, spec, body)
        spans.append((spec["data_offsets"][0], spec["data_offsets"][1], key))
    covered = 0
    for begin, end, key in sorted(spans):
        if begin != covered:
            what = "overlaps the tensor before it" if begin < covered else f"leaves bytes {covered}..{begin} unused"
            raise ValueError(f"read_safetensors: expected {name} tensor '{key}' data_offsets to follow the previous tensor, got one that {what}.")
        covered = end
    if covered != len(body):
        raise ValueError(f"read_safetensors: expected {name} data {covered} bytes (the tensors' total), got {len(body)}.")
    return tensors, metadata


def _tensor(file, key, spec, body):
    if not isinstance(spec, dict):
        raise ValueError(f"read_safetensors: expected {file} tensor '{key}' an object {{dtype, shape, data_offsets}}, got {spec!r}.")
    dtype = _DTYPES.get(spec.get("dtype"))
    if dtype is None:
        raise ValueError(f"read_safetensors: expected {file} tensor '{key}' dtype among {sorted(_DTYPES)}, got {spec.get('dtype')!r}.")
    shape = spec.get("shape")
    if not isinstance(shape, list) or not all(isinstance(size, int) and size >= 0 for size in shape):
        raise ValueError(f"read_safetensors: expected {file} tensor '{key}' shape a list of whole sizes, got {shape!r}.")
    offsets = spec.get("data_offsets")
    count = 1
    for size in shape:
        count *= size
    width = torch.tensor([], dtype=dtype).element_size()
    valid = isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets)
    if not valid or not 0 <= offsets[0] <= offsets[1] <= len(body) or offsets[1] - offsets[0] != count * width:
        raise ValueError(f"read_safetensors: expected {file} tensor '{key}' of shape {shape} to fit its data_offsets, got {offsets!r}.")
    start, end = offsets
    flat = torch.frombuffer(bytearray(body[start:end]), dtype=dtype) if end > start else torch.empty(0, dtype=dtype)
    return flat.reshape(shape)


def _bytes(tensor):
    """A contiguous CPU tensor's bytes (numpy when present, else torch alone)."""
    try:
        return tensor.numpy().tobytes()
    except (ImportError, RuntimeError):
        return bytes(tensor.reshape(-1).view(torch.uint8).tolist())


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} (float32, float64, int32, int64 or uint8; contiguous copies are made) to `path`."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        tensor = tensors[name].detach().contiguous().cpu()
        if tensor.dtype not in _NAMES:
            raise ValueError(f"write_safetensors: expected tensor '{name}' dtype among {sorted(map(str, _NAMES))}, got {tensor.dtype}.")
        raw = _bytes(tensor) if tensor.numel() else b""
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
