"""One process or many: what `train.py` needs of torch.distributed. Under torchrun (RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR set) the process group starts with NCCL on GPUs and gloo on CPUs; alone, the same calls do nothing.

`Context` is also the quantiser's `sync`: the EMA's counts and sums are all-reduced (every rank then computes the same
codebook from the whole global batch), and candidate vectors for restarts and k-means are gathered from every rank
in rank order (which is the global batch's order: each rank holds one contiguous slice of it), drawn on rank 0 and
broadcast.
"""
import os

import torch
import torch.distributed as dist


class Context:
    def __init__(self, device="auto"):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        cuda = torch.cuda.is_available() if device == "auto" else device == "cuda"
        self.device = torch.device(f"cuda:{self.local_rank}") if cuda else torch.device("cpu")
        self.backend = "nccl" if cuda else "gloo"
        if cuda:
            torch.cuda.set_device(self.device)
        self.distributed = self.world > 1
        if self.distributed:
            dist.init_process_group(self.backend)

    @property
    def is_main(self):
        return self.rank == 0

    def label(self):
        where = f"{self.world} × {self.device.type}" if self.distributed else f"1 × {self.device.type}"
        return f"pytorch {torch.__version__.split('+')[0]} ({self.backend if self.distributed else 'single process'}, {where})"

    def all_reduce_sum(self, tensor):
        if not self.distributed:
            return tensor
        total = tensor.clone()
        dist.all_reduce(total)
        return total

    def all_reduce_max(self, tensor):
        if not self.distributed:
            return tensor
        largest = tensor.clone()
        dist.all_reduce(largest, op=dist.ReduceOp.MAX)
        return largest

    def spread(self, tensor):
        """The largest difference between this tensor on any rank and on rank 0: 0 when every rank holds the same."""
        reference = self.broadcast(tensor.detach().clone())
        return float(self.all_reduce_max((tensor.detach() - reference).abs().max()))

    def gather_rows(self, rows):
        """Every rank's rows [n_r, D], concatenated in rank order (sizes may differ by rank)."""
        if not self.distributed:
            return rows
        count = torch.tensor([rows.shape[0]], device=rows.device)
        counts = [torch.zeros_like(count) for _ in range(self.world)]
        dist.all_gather(counts, count)
        largest = int(max(c.item() for c in counts))
        padded = torch.zeros(largest, *rows.shape[1:], dtype=rows.dtype, device=rows.device)
        padded[: rows.shape[0]] = rows
        gathered = [torch.zeros_like(padded) for _ in range(self.world)]
        dist.all_gather(gathered, padded)
        return torch.cat([g[: int(c.item())] for g, c in zip(gathered, counts)])

    def broadcast(self, tensor):
        if self.distributed:
            dist.broadcast(tensor, 0)
        return tensor

    def barrier(self):
        if self.distributed:
            dist.barrier()

    def close(self):
        if self.distributed:
            dist.destroy_process_group()


def local_slice(global_size, world, rank):
    """This rank's contiguous slice [start, end) of a global batch of `global_size` (sizes differ by at most one)."""
    base, extra = divmod(global_size, world)
    start = rank * base + min(rank, extra)
    return start, start + base + (1 if rank < extra else 0)
