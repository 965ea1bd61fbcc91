"""vaejs' seeded random streams, number for number, so that the Python side scores a model on the very numbers vaejs
draws: `@vaejs/core`'s `createRng` (splitmix32 over a counter) and `tfSeed`, `@vaejs/datasets`' `mixSeed` and the
per-image Bernoulli draws of a binarised test set, and `tf.randomNormal` of TensorFlow.js (seedrandom's Alea
generator, https://github.com/davidbau/seedrandom/blob/3.0.5/lib/alea.js, then the Marsaglia polar method of
tfjs-core's MPRandGauss), whose doubles become float32 as a Float32Array rounds them.

Training draws its noise from torch's generators; only evaluation (`evaluate.py`) needs vaejs' exact numbers: its
test loss of a VAE is a one-sample estimate, and the same ε makes it equal to `vaejs eval`'s.
"""
import math

import torch

_MASK = 0xFFFFFFFF
_GOLDEN = 0x9E3779B9


def _imul(a, b):
    return (a * b) & _MASK


def splitmix32(seed, counter):
    """`@vaejs/core`'s splitmix32: the unsigned 32-bit output at position `counter` of the stream `seed`."""
    z = (seed + _imul(counter + 1, _GOLDEN)) & _MASK
    z = _imul(z ^ (z >> 16), 0x21F0AAAD)
    z = _imul(z ^ (z >> 15), 0x735A2D97)
    return z ^ (z >> 15)


class Rng:
    """`createRng(seed)` of `@vaejs/core`: `next_seed()` (below 2^31, what vaejs hands a tfjs random op) and
    `uniform()` in [0, 1)."""

    def __init__(self, seed, counter=0):
        self.seed, self.counter = int(seed) & _MASK, counter

    def _next(self):
        value = splitmix32(self.seed, self.counter)
        self.counter += 1
        return value

    def next_seed(self):
        return self._next() >> 1

    def uniform(self):
        return self._next() / 4294967296


def tf_seed(seed):
    """`tfSeed`: tfjs' normal ops take a seed of 0 as "no seed", so vaejs passes 0.5 for it."""
    return 0.5 if seed == 0 else seed


def _js_string(seed):
    """What JavaScript's `seed.toString()` gives for the seeds vaejs passes (integers, and 0.5)."""
    return str(int(seed)) if float(seed).is_integer() else repr(float(seed))


class Alea:
    """seedrandom's Alea, seeded from a string as tfjs seeds it (`seedrandom.alea(seed.toString())`)."""

    def __init__(self, seed):
        n = 0xEFC8249D

        def mash(data):
            nonlocal n
            for char in str(data):
                n += ord(char)
                h = 0.02519603282416938 * n
                n = math.floor(h) % 4294967296
                h -= n
                h *= n
                n = math.floor(h) % 4294967296
                h -= n
                n += h * 4294967296
            return (math.floor(n) % 4294967296) * 2.3283064365386963e-10

        self.c = 1
        self.s0, self.s1, self.s2 = mash(" "), mash(" "), mash(" ")
        self.s0 -= mash(seed)
        if self.s0 < 0:
            self.s0 += 1
        self.s1 -= mash(seed)
        if self.s1 < 0:
            self.s1 += 1
        self.s2 -= mash(seed)
        if self.s2 < 0:
            self.s2 += 1

    def __call__(self):
        t = 2091639 * self.s0 + self.c * 2.3283064365386963e-10
        self.s0, self.s1 = self.s1, self.s2
        self.c = int(t)
        self.s2 = t - self.c
        return self.s2


def random_normal(shape, seed):
    """`tf.randomNormal(shape, 0, 1, 'float32', seed)`: float32 [shape], the same numbers tfjs draws."""
    random = Alea(_js_string(seed))
    count = math.prod(shape)
    values = []
    while len(values) < count:
        s = 0.0
        while s >= 1 or s == 0:
            v1 = 2 * random() - 1
            v2 = 2 * random() - 1
            s = v1 * v1 + v2 * v2
        scale = math.sqrt(-2.0 * math.log(s) / s)
        values.append(v1 * scale)
        values.append(v2 * scale)
    return torch.tensor(values[:count], dtype=torch.float32).reshape(shape)


def gaussian_noise(shape, seed):
    """The ε of vaejs' `gaussianSample(mean, logVar, seed)`: `tf.randomNormal(shape, 0, 1, 'float32', tfSeed(seed))`."""
    return random_normal(shape, tf_seed(seed))


# @vaejs/datasets' streams (random.ts, pixels.ts)


def _fmix32(value):
    h = value & _MASK
    h ^= h >> 16
    h = _imul(h, 0x85EBCA6B)
    h ^= h >> 13
    h = _imul(h, 0xC2B2AE35)
    h ^= h >> 16
    return h


def mix_seed(*parts):
    """`mixSeed`: integers (a seed, an epoch, a batch or image index, a purpose tag) mixed into one 32-bit seed."""
    h = 0x9E3779B9
    for part in parts:
        low, high = int(part) & _MASK, (int(part) // 4294967296) & _MASK
        h = _fmix32(h ^ _fmix32(low + 0x6A09E667))
        h = _fmix32(h ^ _fmix32(high + 0xBB67AE85))
    return h


TAG_STATIC = 0x5354

# BERNOULLI16[b] = round(b / 255 · 2^16), JavaScript's Math.round (halves up)
BERNOULLI16 = torch.tensor([math.floor(byte / 255 * 65536 + 0.5) for byte in range(256)], dtype=torch.int64)


def _splitmix32_tensor(seeds, counters):
    """splitmix32 over int64 tensors (products wrap modulo 2^64; their low 32 bits are the JavaScript imul's)."""
    z = (seeds + ((counters + 1) * _GOLDEN)) & _MASK
    z = ((z ^ (z >> 16)) * 0x21F0AAAD) & _MASK
    z = ((z ^ (z >> 15)) * 0x735A2D97) & _MASK
    return z ^ (z >> 15)


def static_bernoulli(images, indices, seed):
    """The test set of a run trained with binarised images, as vaejs' test pipeline draws it: one Bernoulli sample
    per image fixed by `mixSeed(seed, TAG_STATIC, image)`, 16 bits of one 32-bit draw per pixel (two pixels a draw).
    images uint8 [n, pixels] (flattened HWC), indices [n] the images' positions in their dataset → float32 [n, pixels]."""
    n, pixels = images.shape
    seeds = torch.tensor([mix_seed(seed, TAG_STATIC, int(i)) for i in indices], dtype=torch.int64)[:, None]
    draws = _splitmix32_tensor(seeds, torch.arange((pixels + 1) // 2, dtype=torch.int64)[None, :])
    bits = torch.stack([draws & 0xFFFF, draws >> 16], 2).reshape(n, -1)[:, :pixels]
    return (bits < BERNOULLI16[images.long()]).float()
