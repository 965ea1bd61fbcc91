"""PNG decoding with the standard library (zlib) and torch, to the RGBA bytes pngjs gives vaejs for the same file:
every colour type and bit depth, Adam7 interlacing, palettes, and a tRNS colour key turning its pixels to (0, 0, 0, 0)
as pngjs does; depths other than 8 scaled to 0..255 as ⌊v·255 / (2^d − 1) + ½⌋. https://www.w3.org/TR/png/
"""
import struct
import zlib

import torch

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7 passes: (x start, y start, x step, y step)
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


class PngError(ValueError):
    pass


def read_header(path):
    """(width, height, colour: whether the colour type has colour) from the first 26 bytes."""
    with open(path, "rb") as f:
        head = f.read(26)
    if len(head) < 26 or head[:8] != SIGNATURE:
        raise PngError(f"expected file '{path}' a PNG (signature 89 50 4e 47 0d 0a 1a 0a), got other bytes.")
    width, height = struct.unpack(">II", head[16:24])
    return width, height, bool(head[25] & 2)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _unfilter(data, offset, rows, stride, bpp):
    """Undoes the per-row filters of `rows` rows of `stride` bytes starting at data[offset]; returns the raw bytes."""
    out = bytearray(rows * stride)
    previous = bytearray(stride)
    for y in range(rows):
        kind = data[offset]
        row = bytearray(data[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        if kind == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 255
        elif kind == 2:
            row = bytearray((a + b) & 255 for a, b in zip(row, previous))
        elif kind == 3:
            for i in range(stride):
                row[i] = (row[i] + ((row[i - bpp] if i >= bpp else 0) + previous[i]) // 2) & 255
        elif kind == 4:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                upper_left = previous[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + _paeth(left, previous[i], upper_left)) & 255
        elif kind != 0:
            raise PngError(f"expected filter type 0..4, got {kind}.")
        out[y * stride : (y + 1) * stride] = row
        previous = row
    return out, offset


def _samples(raw, rows, width, channels, depth):
    """Raw scanline bytes → samples [rows, width, channels] (int64, unscaled)."""
    if depth == 8:
        return torch.frombuffer(bytes(raw), dtype=torch.uint8).long().reshape(rows, width, channels) if raw else torch.zeros(rows, width, channels, dtype=torch.long)
    if depth == 16:
        big = torch.frombuffer(bytes(raw), dtype=torch.uint8).long().reshape(rows, width * channels, 2)
        return (big[..., 0] * 256 + big[..., 1]).reshape(rows, width, channels)
    stride = (width * channels * depth + 7) // 8
    bits = torch.frombuffer(bytes(raw), dtype=torch.uint8).long().reshape(rows, stride)
    per_byte = 8 // depth
    shifts = torch.arange(per_byte - 1, -1, -1) * depth
    values = ((bits[:, :, None] >> shifts) & ((1 << depth) - 1)).reshape(rows, stride * per_byte)
    return values[:, : width * channels].reshape(rows, width, channels)


def decode_png(path):
    """The image at `path` as pngjs decodes it: uint8 RGBA [height, width, 4]. Raises PngError naming the file."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return _decode(data)
    except (PngError, zlib.error, struct.error, IndexError, RuntimeError) as error:
        raise PngError(f"expected file '{path}' a valid PNG, got {error}") from None


def _decode(data):
    if data[:8] != SIGNATURE:
        raise PngError("no PNG signature.")
    position, idat, palette, transparent = 8, [], None, None
    header = None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = torch.tensor(list(body), dtype=torch.long).reshape(-1, 3)
        elif kind == b"tRNS":
            transparent = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise PngError("no IHDR chunk.")
    width, height, depth, colour_type, _, _, interlace = header
    if colour_type not in CHANNELS:
        raise PngError(f"colour type {colour_type}.")
    channels = CHANNELS[colour_type]
    raw = zlib.decompress(b"".join(idat))
    bpp = max(1, channels * depth // 8)
    samples = torch.zeros(height, width, channels, dtype=torch.long)
    passes = ADAM7 if interlace == 1 else ((0, 0, 1, 1),)
    offset = 0
    for x0, y0, dx, dy in passes:
        pass_width, pass_height = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if pass_width <= 0 or pass_height <= 0:
            continue
        stride = (pass_width * channels * depth + 7) // 8
        rows, offset = _unfilter(raw, offset, pass_height, stride, bpp)
        samples[y0::dy, x0::dx] = _samples(rows, pass_height, pass_width, channels, depth)
    return _to_rgba(samples, colour_type, depth, palette, transparent)


def _to_rgba(samples, colour_type, depth, palette, transparent):
    height, width, _ = samples.shape
    maximum = (1 << depth) - 1
    if colour_type == 3:
        alpha = torch.full((len(palette),), 255, dtype=torch.long)
        if transparent:
            alpha[: len(transparent)] = torch.tensor(list(transparent[: len(palette)]), dtype=torch.long)
        index = samples[..., 0]
        return torch.cat([palette[index], alpha[index][..., None]], -1).to(torch.uint8)
    grey = colour_type in (0, 4)
    colour = samples[..., :1].expand(-1, -1, 3) if grey else samples[..., :3]
    has_alpha = colour_type in (4, 6)
    alpha = samples[..., -1:] if has_alpha else torch.full((height, width, 1), maximum, dtype=torch.long)
    rgba = torch.cat([colour, alpha], -1)
    if transparent and not has_alpha:
        key = struct.unpack(">H", transparent[:2]) if grey else struct.unpack(">HHH", transparent[:6])
        match = (samples[..., :1] == key[0]).all(-1) if grey else (samples[..., :3] == torch.tensor(key)).all(-1)
        rgba[match] = 0
    if depth != 8:
        rgba = torch.floor(rgba.double() * 255 / maximum + 0.5).long()
    return rgba.to(torch.uint8)
