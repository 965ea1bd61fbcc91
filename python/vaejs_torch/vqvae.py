"""The @vaejs/vqvae model (its `createVqVae` config) as a torch.nn.Module: stride-2 convolutional encoder and a 1×1
convolution to D, nearest-code quantisation (Euclidean, or cosine on l2-normalised vectors) with the straight-through
estimator, codebook and commitment losses, the EMA codebook with Laplace smoothing, dead-code restarts, k-means
initialisation, and the mirrored transposed-convolution decoder.
van den Oord et al. 2017, "Neural Discrete Representation Learning" (eq. 3 and appendix A.1); Razavi et al. 2019;
Łańcucki et al. 2020 (restarts); Yu et al. 2021 (cosine codebook).

Training on several processes (`train.py`) passes a `sync` (distributed.py) to `update` and `initialize`: the EMA's
counts and sums are all-reduced, so every rank computes the same codebook from the whole global batch; restart and
k-means candidates are gathered from every rank, drawn on rank 0 and broadcast.
"""
import torch
from torch import nn
from torch.nn import functional as F

from . import layers as L
from .mapping import export_pairs, load_pairs, take


def l2_normalize(x):
    """x / ||x|| along the last axis, as vaejs' l2Normalize (a zero vector stays zero)."""
    return x * torch.rsqrt(torch.clamp_min(x.pow(2).sum(-1, keepdim=True), 1e-12))


class LocalSync:
    """One process: the whole batch is here (distributed.py has the multi-process one)."""

    is_main = True

    def all_reduce_sum(self, tensor):
        return tensor

    def gather_rows(self, rows):
        return rows

    def broadcast(self, tensor):
        return tensor


class VectorQuantizer(nn.Module):
    """Codebook [K, D] (a parameter; trained by gradient unless EMA), EMA cluster sizes [K] and sums [K, D] as
    buffers, and `initialized` (whether k-means has run)."""

    def __init__(self, dim, codebook_size, settings):
        super().__init__()
        self.distance = settings.get("distance", "euclidean")
        if self.distance not in ("euclidean", "cosine"):
            raise ValueError(f"VectorQuantizer: expected quantizer.distance 'euclidean' or 'cosine', got '{self.distance}'.")
        self.dim, self.codebook_size = dim, codebook_size
        self.beta = settings.get("beta", 0.25)
        self.gradient = settings.get("gradient", "straight-through")
        self.orthogonal_weight = settings.get("orthogonalWeight", 0)
        if self.gradient not in ("straight-through", "rotation"):
            raise ValueError(f"VectorQuantizer: expected quantizer.gradient 'straight-through' or 'rotation', got '{self.gradient}'.")
        self.ema = settings.get("ema", False)
        self.decay, self.epsilon = settings.get("decay", 0.99), settings.get("epsilon", 1e-5)
        self.threshold = settings.get("deadCodeThreshold", 0)
        self.kmeans_init = settings.get("kmeansInit", False)
        self.kmeans_iterations = settings.get("kmeansIterations", 10)
        self.initialized = False
        limit = (3 / dim) ** 0.5
        initial = torch.empty(codebook_size, dim).uniform_(-limit, limit)
        if self.distance == "cosine":
            initial = l2_normalize(initial)
        self.codebook = nn.Parameter(initial.clone(), requires_grad=not self.ema)
        self.register_buffer("cluster_size", torch.ones(codebook_size))
        self.register_buffer("embed_sum", initial.clone())

    @property
    def cosine(self):
        return self.distance == "cosine"

    def codes(self):
        """The codebook as the lookup sees it (l2-normalised in cosine mode)."""
        return l2_normalize(self.codebook) if self.cosine else self.codebook

    def flatten(self, z_e):
        """z_e [n, D, h, w] → the vectors the quantiser compares, [n·h·w, D] (l2-normalised in cosine mode)."""
        flat = z_e.permute(0, 2, 3, 1).reshape(-1, self.dim)
        return l2_normalize(flat) if self.cosine else flat

    def nearest(self, flat, codes=None):
        """argmin_k ||z − e_k||² as vaejs computes it: [−2z, 1]·[e_k, ||e_k||²] in one product (ties: lower k)."""
        codes = (self.codes() if codes is None else codes).detach()
        augmented_codes = torch.cat([codes, codes.pow(2).sum(1, keepdim=True)], 1)
        augmented = torch.cat([-2 * flat.detach(), torch.ones(flat.shape[0], 1, device=flat.device)], 1)
        return (augmented @ augmented_codes.t()).argmin(1)

    def forward(self, z_e):
        """z_e [n, D, h, w] → dict of output (straight-through), indices [n, h, w], the losses and code metrics."""
        n, dim, height, width = z_e.shape
        out = self.quantize_flat(self.flatten(z_e))
        out["output"] = out["output"].view(n, height, width, dim).permute(0, 3, 1, 2)
        out["indices"] = out["indices"].view(n, height, width)
        return out

    def lookup(self, indices):
        """Code vectors of indices [...] → [..., D]."""
        return F.embedding(indices, self.codes())

    def quantize_flat(self, flat):
        """Vectors [N, D] (flattened as `flatten` does) → the parts of `forward`, output [N, D] and indices [N]."""
        codes = self.codes()
        indices = self.nearest(flat, codes)
        quantized = F.embedding(indices, codes)
        codebook_loss = F.mse_loss(quantized, flat.detach())
        commitment_loss = F.mse_loss(flat, quantized.detach())
        loss = self.beta * commitment_loss if self.ema else codebook_loss + self.beta * commitment_loss
        if self.orthogonal_weight > 0:
            loss = loss + self.orthogonal_weight * orthogonal_loss(codes)
        output = rotate_to(flat, quantized) if self.gradient == "rotation" else flat + (quantized - flat).detach()
        with torch.no_grad():
            counts = torch.bincount(indices, minlength=self.codebook_size).float()
            p = counts / counts.sum()
            perplexity = torch.exp(-(p * torch.log(p.clamp_min(1e-30))).sum())
            usage = (counts > 0).float().mean()
        return {
            "output": output,
            "indices": indices,
            "quantized": quantized,
            "flat": flat.detach(),
            "codebook": codebook_loss,
            "commitment": commitment_loss,
            "loss": loss,
            "perplexity": perplexity,
            "usage": usage,
        }

    @torch.no_grad()
    def initialize(self, z_e, sync=None, generator=None):
        """k-means on the batch's vectors (vaejs' `initialize`: K distinct starting rows, Lloyd iterations, empty
        clusters kept), on rank 0 over the whole global batch; every rank gets its result."""
        sync = sync or LocalSync()
        vectors = sync.gather_rows(self.flatten(z_e))
        if sync.is_main:
            centroids, counts = kmeans(vectors, self.codebook_size, self.kmeans_iterations, self.cosine, generator)
            sizes = counts.clamp_min(1)
            self.codebook.data.copy_(centroids)
            self.cluster_size.copy_(sizes)
            self.embed_sum.copy_(centroids * sizes[:, None])
        for tensor in (self.codebook.data, self.cluster_size, self.embed_sum):
            tensor.copy_(sync.broadcast(tensor))
        self.initialized = True

    @torch.no_grad()
    def update(self, flat, indices, sync=None, generator=None):
        """After the optimiser step: the EMA update, then dead-code restarts from the batch's vectors; returns the
        number of codes restarted. `flat` as `forward` returns it (normalised in cosine mode)."""
        sync = sync or LocalSync()
        indices = indices.reshape(-1)
        codebook = self.codebook.data
        counts = None
        if self.ema or self.threshold > 0:
            counts = sync.all_reduce_sum(torch.bincount(indices, minlength=self.codebook_size).float())
        if self.ema:
            sums = sync.all_reduce_sum(torch.zeros_like(self.embed_sum).index_add_(0, indices, flat))
            self.cluster_size.mul_(self.decay).add_(counts, alpha=1 - self.decay)
            self.embed_sum.mul_(self.decay).add_(sums, alpha=1 - self.decay)
            total = self.cluster_size.sum()
            smoothed = (self.cluster_size + self.epsilon) / (total + self.codebook_size * self.epsilon) * total
            next_codes = self.embed_sum / smoothed.unsqueeze(1)
            codebook.copy_(l2_normalize(next_codes) if self.cosine else next_codes)
        if self.threshold <= 0:
            return 0
        dead = (self.cluster_size if self.ema else counts) < self.threshold
        restarted = int(dead.sum())
        if restarted:
            vectors = sync.gather_rows(flat)
            replacements = torch.zeros_like(codebook)
            if sync.is_main:
                replacements = vectors[sample_rows(vectors.shape[0], self.codebook_size, generator).to(vectors.device)]
            replacements = sync.broadcast(replacements)
            codebook[dead] = replacements[dead]
            if self.ema:
                self.cluster_size[dead] = self.threshold
                self.embed_sum[dead] = replacements[dead] * self.threshold
        return restarted


class ResidualVectorQuantizer(nn.Module):
    """Residual VQ (Zeghidour et al. 2021, SoundStream) as vaejs' `kind: 'rvq'`: level l a VectorQuantizer on the
    residual z_e − Σ_{j<l} sg(q_j), losses summed over levels, output straight-through (or rotated) from z_e to Σ q_l,
    codes [..., L]. One VectorQuantizer for every level with `sharedCodebook`. Quantizer dropout is not mirrored
    (it draws from vaejs' random stream): this twin trains every level."""

    def __init__(self, dim, codebook_size, settings):
        super().__init__()
        self.dim, self.codebook_size = dim, codebook_size
        self.count = settings.get("numQuantizers", 2)
        self.shared = settings.get("sharedCodebook", False)
        sets = 1 if self.shared else self.count
        self.sets = nn.ModuleList([VectorQuantizer(dim, codebook_size, settings) for _ in range(sets)])
        first = self.sets[0]
        self.ema, self.gradient, self.threshold, self.kmeans_init = first.ema, first.gradient, first.threshold, first.kmeans_init

    def level(self, l):
        return self.sets[0 if self.shared else l]

    @property
    def codebook(self):
        return self.sets[0].codebook

    @property
    def initialized(self):
        return all(q.initialized for q in self.sets)

    @initialized.setter
    def initialized(self, value):
        for q in self.sets:
            q.initialized = value

    def flatten(self, z_e):
        return z_e.permute(0, 2, 3, 1).reshape(-1, self.dim)

    def nearest(self, flat, codes=None):
        residual, codes = flat.detach(), []
        for l in range(self.count):
            indices = self.level(l).nearest(residual)
            residual = residual - self.level(l).lookup(indices).detach()
            codes.append(indices)
        return torch.stack(codes, -1)

    def lookup(self, indices):
        return sum(self.level(l).lookup(indices[..., l]) for l in range(indices.shape[-1]))

    def forward(self, z_e):
        n, dim, height, width = z_e.shape
        flat = self.flatten(z_e)
        residual, quantized, parts = flat, torch.zeros_like(flat), []
        for l in range(self.count):
            part = self.level(l).quantize_flat(residual)
            quantized = quantized + part["quantized"]
            residual = residual - part["quantized"].detach()
            parts.append(part)
        output = rotate_to(flat, quantized) if self.gradient == "rotation" else flat + (quantized - flat).detach()
        return {
            "output": output.view(n, height, width, dim).permute(0, 3, 1, 2),
            "indices": torch.stack([p["indices"] for p in parts], -1).view(n, height, width, self.count),
            "flat": flat.detach(),
            "codebook": sum(p["codebook"] for p in parts),
            "commitment": sum(p["commitment"] for p in parts),
            "loss": sum(p["loss"] for p in parts),
            "perplexity": parts[0]["perplexity"],
            "usage": parts[0]["usage"],
        }

    @torch.no_grad()
    def initialize(self, z_e, sync=None, generator=None):
        residual = z_e
        for l in range(1 if self.shared else self.count):
            level = self.level(l)
            level.initialize(residual, sync, generator)
            flat = level.flatten(residual)
            codes = level.lookup(level.nearest(flat)).view(residual.shape[0], residual.shape[2], residual.shape[3], -1)
            residual = residual - codes.permute(0, 3, 1, 2)

    @torch.no_grad()
    def update(self, flat, indices, sync=None, generator=None):
        codes = indices.reshape(-1, self.count)
        residual, restarted = flat, 0
        for l in range(self.count):
            level = self.level(l)
            following = residual - level.lookup(codes[:, l])
            restarted += level.update(residual, codes[:, l], sync, generator)
            residual = following
        return restarted


class ProjectedQuantizer(nn.Module):
    """A codebook in a lower dimension, as vaejs' `codebookDim`: z_e [n, D, h, w] → x·in_kernel + in_bias [.., d],
    quantised by `inner` (a VectorQuantizer or ResidualVectorQuantizer of size d), codes and output back through
    x·out_kernel + out_bias. The maps keep tfjs' Dense layout ([in, out])."""

    def __init__(self, dim, inner):
        super().__init__()
        self.inner, self.dim, code_dim = inner, dim, inner.dim
        self.in_kernel = nn.Parameter(torch.zeros(dim, code_dim))
        self.in_bias = nn.Parameter(torch.zeros(code_dim))
        self.out_kernel = nn.Parameter(torch.zeros(code_dim, dim))
        self.out_bias = nn.Parameter(torch.zeros(dim))
        self.ema, self.threshold, self.kmeans_init = inner.ema, inner.threshold, inner.kmeans_init
        self.codebook_size = inner.codebook_size

    def maps(self):
        """(tfjs weight name, parameter) of the maps, in vaejs' order."""
        names = ("project_in_kernel", "project_in_bias", "project_out_kernel", "project_out_bias")
        return list(zip(names, (self.in_kernel, self.in_bias, self.out_kernel, self.out_bias)))

    @property
    def codebook(self):
        return self.inner.codebook

    @property
    def initialized(self):
        return self.inner.initialized

    @initialized.setter
    def initialized(self, value):
        self.inner.initialized = value

    def project_in(self, z_e):
        return (z_e.permute(0, 2, 3, 1) @ self.in_kernel + self.in_bias).permute(0, 3, 1, 2)

    def flatten(self, z_e):
        return self.inner.flatten(self.project_in(z_e))

    def nearest(self, flat, codes=None):
        return self.inner.nearest(flat)

    def lookup(self, indices):
        return self.inner.lookup(indices) @ self.out_kernel + self.out_bias

    def forward(self, z_e):
        out = self.inner(self.project_in(z_e))
        out["output"] = (out["output"].permute(0, 2, 3, 1) @ self.out_kernel + self.out_bias).permute(0, 3, 1, 2)
        # `update` projects z_e again, with the maps as the optimiser step left them (as vaejs does)
        out["flat"] = z_e.permute(0, 2, 3, 1).reshape(-1, self.dim).detach()
        return out

    def initialize(self, z_e, sync=None, generator=None):
        self.inner.initialize(self.project_in(z_e).detach(), sync, generator)

    @torch.no_grad()
    def update(self, flat, indices, sync=None, generator=None):
        vectors = flat @ self.in_kernel + self.in_bias
        if getattr(self.inner, "cosine", False):
            vectors = l2_normalize(vectors)
        return self.inner.update(vectors, indices, sync, generator)


def orthogonal_loss(codebook):
    """Mean squared cosine similarity of every pair of codes minus 1/K, as vaejs' orthogonalLoss."""
    unit = l2_normalize(codebook)
    size = codebook.shape[0]
    return (unit @ unit.t()).pow(2).sum() / size**2 - 1 / size


def rotate_to(e, q):
    """The rotation trick (Fifty et al. 2024, arXiv:2410.06424), as vaejs' rotateTo: forward q; backward e gets
    λ·Rᵀ·g with R = I − 2wwᵀ + 2q̂êᵀ (w = (ê + q̂)/‖ê + q̂‖) and λ = ‖q‖/‖e‖ held constant; a zero e passes g."""
    e_norm = e.norm(dim=-1, keepdim=True)
    q_norm = q.norm(dim=-1, keepdim=True).detach()
    e_unit = (e / e_norm.clamp_min(1e-12)).detach()
    q_unit = (q / q_norm.clamp_min(1e-12)).detach()
    total = e_unit + q_unit
    w = (total / total.norm(dim=-1, keepdim=True).clamp_min(1e-12)).detach()
    rotated = e - 2 * w * (w * e).sum(-1, keepdim=True) + 2 * q_unit * (e_unit * e).sum(-1, keepdim=True)
    scaled = rotated * (q_norm / e_norm.clamp_min(1e-12)).detach()
    straight = e + (q - e).detach()
    # forward exactly q, as vaejs (the rotated vector equals q only up to rounding)
    chosen = torch.where(e_norm.detach() <= 1e-12, straight, scaled)
    return chosen + (q - chosen).detach()


class FiniteScalarQuantizer(nn.Module):
    """Finite scalar quantisation (Mentzer et al. 2023, arXiv:2309.15505) as vaejs' `kind: 'fsq'`: each channel
    bounded by tanh to L_i levels and rounded (straight-through); codes numbered in mixed radix, channel 0 fastest;
    the grid of codes [K, D] is a buffer (vaejs keeps it as the layer's non-trainable `codebook`)."""

    # nothing to learn, initialise or restart (what the training loop and tfjs_trainable_names ask of a quantiser)
    ema = True
    initialized = True
    kmeans_init = False
    threshold = 0

    def __init__(self, levels):
        super().__init__()
        self.levels = list(levels)
        self.dim = len(self.levels)
        self.codebook_size = 1
        basis = []
        for level in self.levels:
            basis.append(self.codebook_size)
            self.codebook_size *= level
        half_range = torch.tensor([(level - 1) * (1 + 1e-3) / 2 for level in self.levels])
        offset = torch.tensor([0.5 if level % 2 == 0 else 0.0 for level in self.levels])
        self.register_buffer("half_range", half_range)
        self.register_buffer("offset", offset)
        self.register_buffer("shift", torch.atanh(offset / half_range))
        self.register_buffer("half_width", torch.tensor([float(level // 2) for level in self.levels]))
        self.register_buffer("basis", torch.tensor([float(b) for b in basis]))
        index = torch.arange(self.codebook_size, dtype=torch.float64)[:, None]
        digits = torch.floor(index / self.basis.double()) % torch.tensor(self.levels, dtype=torch.float64)
        self.register_buffer("codebook", ((digits - self.half_width.double()) / self.half_width.double()).float())

    def codes(self):
        return self.codebook

    def lookup(self, indices):
        return F.embedding(indices, self.codebook)

    def flatten(self, z_e):
        return z_e.permute(0, 2, 3, 1).reshape(-1, self.dim)

    def bounded(self, flat):
        return torch.tanh(flat + self.shift) * self.half_range - self.offset

    def nearest(self, flat, codes=None):
        digits = torch.round(self.bounded(flat)) + self.half_width
        return torch.round((digits * self.basis).sum(-1)).long()

    def forward(self, z_e):
        n, dim, height, width = z_e.shape
        flat = self.flatten(z_e)
        continuous = self.bounded(flat)
        rounded = torch.round(continuous)
        output = (continuous + (rounded - continuous).detach()) / self.half_width
        indices = torch.round(((rounded + self.half_width) * self.basis).sum(-1)).long()
        with torch.no_grad():
            counts = torch.bincount(indices, minlength=self.codebook_size).float()
            p = counts / counts.sum()
            perplexity = torch.exp(-(p * torch.log(p.clamp_min(1e-30))).sum())
            usage = (counts > 0).float().mean()
        zero = flat.new_zeros(())
        return {
            "output": output.view(n, height, width, dim).permute(0, 3, 1, 2),
            "indices": indices.view(n, height, width),
            "flat": flat.detach(),
            "codebook": zero,
            "commitment": zero,
            "loss": zero,
            "perplexity": perplexity,
            "usage": usage,
        }

    def initialize(self, z_e, sync=None, generator=None):
        pass

    def update(self, flat, indices, sync=None, generator=None):
        return 0


class LookupFreeQuantizer(nn.Module):
    """Lookup-free quantisation (Yu et al. 2024, MAGVIT-v2, arXiv:2310.05737) as vaejs' `kind: 'lfq'`: each channel
    to its sign (straight-through), code k's bit i set when channel i is positive; loss entropyWeight·(mean
    per-vector entropy − γ·entropy of the batch's mean) of softmax(−‖z − c‖²/τ) over the 2^d codes, plus
    beta·commitment. The codes [2^d, d] are a buffer (vaejs keeps them as the layer's non-trainable `codebook`)."""

    ema = True
    initialized = True
    kmeans_init = False
    threshold = 0

    def __init__(self, dim, settings):
        super().__init__()
        self.dim, self.codebook_size = dim, 2**dim
        self.beta = settings.get("beta", 0.25)
        self.entropy_weight = settings.get("entropyWeight", 0.1)
        self.diversity = settings.get("diversity", 1.0)
        self.temperature = settings.get("temperature", 0.01)
        k = torch.arange(self.codebook_size)[:, None]
        bits = ((k >> torch.arange(dim)[None, :]) & 1).float()
        self.register_buffer("codebook", bits * 2 - 1)
        self.register_buffer("place", 2.0 ** torch.arange(dim).float())

    def codes(self):
        return self.codebook

    def lookup(self, indices):
        return F.embedding(indices, self.codebook)

    def flatten(self, z_e):
        return z_e.permute(0, 2, 3, 1).reshape(-1, self.dim)

    def nearest(self, flat, codes=None):
        return ((flat > 0).float() * self.place).sum(-1).long()

    def entropy_penalty(self, flat):
        logits = flat * (4 / self.temperature)
        bits = (self.codebook.t() + 1) / 2
        log_p = F.logsigmoid(logits) @ bits + F.logsigmoid(-logits) @ (1 - bits)
        p = log_p.exp()
        per_sample = -(p * log_p).sum(-1).mean()
        average = p.mean(0)
        batch = -(average * average.clamp_min(1e-30).log()).sum()
        return per_sample - self.diversity * batch

    def forward(self, z_e):
        n, dim, height, width = z_e.shape
        flat = self.flatten(z_e)
        quantized = torch.where(flat > 0, torch.ones_like(flat), -torch.ones_like(flat))
        indices = self.nearest(flat)
        entropy = self.entropy_penalty(flat)
        commitment = F.mse_loss(flat, quantized)
        output = flat + (quantized - flat).detach()
        with torch.no_grad():
            counts = torch.bincount(indices, minlength=self.codebook_size).float()
            p = counts / counts.sum()
            perplexity = torch.exp(-(p * torch.log(p.clamp_min(1e-30))).sum())
            usage = (counts > 0).float().mean()
        return {
            "output": output.view(n, height, width, dim).permute(0, 3, 1, 2),
            "indices": indices.view(n, height, width),
            "flat": flat.detach(),
            "codebook": entropy,
            "commitment": commitment,
            "loss": self.entropy_weight * entropy + self.beta * commitment,
            "perplexity": perplexity,
            "usage": usage,
        }

    def initialize(self, z_e, sync=None, generator=None):
        pass

    def update(self, flat, indices, sync=None, generator=None):
        return 0


def sample_rows(rows, count, generator=None):
    """`count` row indices drawn without replacement (with repeats only when rows < count), as vaejs' sampleRowIndices."""
    copies = -(-count // rows)
    return torch.randperm(rows * copies, generator=generator)[:count] % rows


def kmeans(vectors, count, iterations, cosine, generator=None):
    """Lloyd's k-means as vaejs' `kmeans`: centroids start at distinct rows; an empty cluster keeps its centroid;
    spherical (normalised) in cosine mode. Returns (centroids [K, D], counts [K] of the final assignment)."""
    points = l2_normalize(vectors) if cosine else vectors
    centroids = points[sample_rows(points.shape[0], count, generator).to(points.device)]

    def assign(current):
        augmented = torch.cat([current, current.pow(2).sum(1, keepdim=True)], 1)
        nearest = (torch.cat([-2 * points, torch.ones(points.shape[0], 1, device=points.device)], 1) @ augmented.t()).argmin(1)
        counts = torch.bincount(nearest, minlength=count).float()
        return counts, torch.zeros_like(current).index_add_(0, nearest, points)

    for _ in range(iterations):
        counts, sums = assign(centroids)
        means = sums / counts.clamp_min(1)[:, None]
        moved = torch.where((counts > 0)[:, None], means, centroids)
        centroids = l2_normalize(moved) if cosine else moved
    return centroids, assign(centroids)[0]


class VqVae(nn.Module):
    """Built from a resolved vaejs VQ-VAE config (what `vqvae.json` holds). Images NCHW in [0, 1]."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        height, width, channels = config["inputShape"]
        kernel, dim = config["kernelSize"], config["dim"]
        self.encoder = nn.ModuleList()
        previous = channels
        for filters in config["encoderFilters"]:
            self.encoder.append(L.Conv2dSame(previous, filters, kernel, 2))
            previous = filters
        self.to_codes = nn.Conv2d(previous, dim, 1)
        settings = config.get("quantizer", {})
        kind = settings.get("kind", "vq")
        if kind not in ("vq", "fsq", "lfq", "rvq"):
            raise ValueError(f"VqVae: expected quantizer.kind 'vq', 'fsq', 'lfq' or 'rvq', got '{kind}'.")
        if kind == "fsq":
            self.quantizer = FiniteScalarQuantizer(settings["levels"])
        elif kind == "lfq":
            self.quantizer = LookupFreeQuantizer(dim, settings)
        else:
            code_dim = settings.get("codebookDim", 0) or dim
            make = ResidualVectorQuantizer if kind == "rvq" else VectorQuantizer
            self.quantizer = make(code_dim, config["codebookSize"], settings)
            if code_dim != dim:
                self.quantizer = ProjectedQuantizer(dim, self.quantizer)
        self.decoder = nn.ModuleList()
        # a resolved config (what vaejs writes) always names it; one written before it existed had no map, hence 0
        projection = config.get("codeProjection") or 0
        # vaejs' `dec_project`: a linear 1x1 map from the code map to the decoder (FSQ's projection back up)
        self.project = nn.Conv2d(dim, projection, 1) if projection else None
        previous = projection or dim
        decoder_filters = config.get("decoderFilters") or list(reversed(config["encoderFilters"]))
        for filters in decoder_filters:
            self.decoder.append(L.ConvTranspose2dSame(previous, filters, kernel, 2))
            previous = filters
        self.output = L.ConvTranspose2dSame(previous, channels, kernel, 1)
        self.pixels = height * width * channels

    def encode_continuous(self, x):
        h = x
        for conv in self.encoder:
            h = F.relu(conv(h))
        return self.to_codes(h)

    def encode(self, x):
        """Code maps int64 [n, h, w] (residual VQ: [n, h, w, L])."""
        q = self.quantizer
        codes = q.nearest(q.flatten(self.encode_continuous(x)))
        return codes.view(x.shape[0], *self._grid(x), *codes.shape[1:])

    def _grid(self, x):
        factor = 2 ** len(self.config["encoderFilters"])
        return x.shape[2] // factor, x.shape[3] // factor

    def decode_quantized(self, z_q):
        h = z_q if self.project is None else self.project(z_q)
        for deconv in self.decoder:
            h = F.relu(deconv(h))
        out = self.output(h)
        return torch.sigmoid(out) if self.config.get("outputActivation", "sigmoid") == "sigmoid" else out

    def decode(self, indices):
        """Images from code maps [n, h, w]."""
        return self.decode_quantized(self.quantizer.lookup(indices).permute(0, 3, 1, 2))

    def loss(self, x, target=None):
        """{'loss', 'reconstruction', 'reconstructionMse', 'codebook', 'commitment', 'perplexity', 'usage'}, plus the
        flat encoder outputs and indices for `quantizer.update`: the parts vaejs' lossParts reports."""
        quantized = self.quantizer(self.encode_continuous(x))
        output = self.decode_quantized(quantized["output"])
        reconstruction = (output - (x if target is None else target)).pow(2).flatten(1).sum(1).mean()
        mse = reconstruction / self.pixels
        return {
            "loss": mse / self.config.get("dataVariance", 1) + quantized["loss"],
            "reconstruction": reconstruction,
            "reconstructionMse": mse,
            "codebook": quantized["codebook"],
            "commitment": quantized["commitment"],
            "perplexity": quantized["perplexity"],
            "usage": quantized["usage"],
            "flat": quantized["flat"],
            "indices": quantized["indices"],
        }

    def _pairs(self):
        pairs = [(f"enc_conv_{i}", m, "conv", None) for i, m in enumerate(self.encoder)]
        pairs.append(("enc_codes", self.to_codes, "conv", None))
        if self.project is not None:
            pairs.append(("dec_project", self.project, "conv", None))
        pairs += [(f"dec_deconv_{i}", m, "conv-transpose", None) for i, m in enumerate(self.decoder)]
        pairs.append(("dec_output", self.output, "conv-transpose", None))
        return pairs

    QUANTIZER_TENSORS = ("codebook", "ema_cluster_size", "ema_embed_sum")

    def _quantizer_tensors(self):
        """(tfjs name, tensor) of the quantiser's state: codebook and EMA state, or FSQ's fixed grid; the maps of a
        codebook in a lower dimension after them."""
        q = self.quantizer
        if isinstance(q, ProjectedQuantizer):
            layer = "residual_quantizer" if isinstance(q.inner, ResidualVectorQuantizer) else "vector_quantizer"
            return self._quantizer_tensors_of(q.inner) + [(f"{layer}/{name}", t) for name, t in q.maps()]
        return self._quantizer_tensors_of(q)

    def _quantizer_tensors_of(self, q):
        if isinstance(q, FiniteScalarQuantizer):
            return [("fsq_quantizer/codebook", q.codebook)]
        if isinstance(q, LookupFreeQuantizer):
            return [("lfq_quantizer/codebook", q.codebook)]
        if isinstance(q, ResidualVectorQuantizer):
            return [
                (f"residual_quantizer/{name}_{l}", t)
                for l, level in enumerate(q.sets)
                for name, t in zip(self.QUANTIZER_TENSORS, (level.codebook, level.cluster_size, level.embed_sum))
            ]
        return [(f"vector_quantizer/{name}", t) for name, t in zip(self.QUANTIZER_TENSORS, (q.codebook, q.cluster_size, q.embed_sum))]

    def tfjs_names(self):
        """Every tensor of the model by its tfjs name: the layers' weights, then the quantiser's codebook and EMA state."""
        weights = [f"{name}/{part}" for name, *_ in self._pairs() for part in ("kernel", "bias")]
        return weights + [name for name, _ in self._quantizer_tensors()]

    def tfjs_trainable_names(self):
        """The trainable ones in vaejs' order (its optimizer's slots): encoder, decoder, then the codebook unless EMA."""
        weights = [f"{name}/{part}" for name, *_ in self._pairs() for part in ("kernel", "bias")]
        q = self.quantizer
        inner = q.inner if isinstance(q, ProjectedQuantizer) else q
        layer = "residual_quantizer" if isinstance(inner, ResidualVectorQuantizer) else "vector_quantizer"
        if inner.ema:
            codebooks = []
        elif isinstance(inner, ResidualVectorQuantizer):
            codebooks = [f"{layer}/codebook_{l}" for l in range(len(inner.sets))]
        else:
            codebooks = [f"{layer}/codebook"]
        maps = [f"{layer}/{name}" for name, _ in q.maps()] if isinstance(q, ProjectedQuantizer) else []
        return weights + codebooks + maps

    def load_tfjs(self, weights):
        load_pairs(self._pairs(), weights)
        with torch.no_grad():
            for name, target in self._quantizer_tensors():
                target.copy_(take(weights, name, tuple(target.shape)))

    def tfjs_weights(self):
        out = export_pairs(self._pairs())
        for name, source in self._quantizer_tensors():
            out[name] = source.detach().clone()
        return out
