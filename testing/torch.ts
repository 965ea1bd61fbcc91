// The Python side's tests (python/test, apps/trainer/test/pytorch-bridge.test.ts) find torch here.
import { spawnSync } from 'node:child_process';

/**
 * The python that imports torch: `VAEJS_PYTHON` when set, else Debian's `/usr/bin/python3` (python3-torch installs
 * there), else `python3` on the PATH; null when none does.
 */
export function findTorchPython(): string | null {
  const candidates = process.env.VAEJS_PYTHON ? [process.env.VAEJS_PYTHON] : ['/usr/bin/python3', 'python3'];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return null;
}

/**
 * torchrun as `python -m torch.distributed.run` (what the `torchrun` script runs) with `processes` processes, and the
 * flags Debian 12's PyTorch 1.13 on Python 3.11 needs: its torchrun stops at once with `AttributeError: 'NoneType'
 * object has no attribute 'get'` unless --redirects and --tee name one stream (fixed in PyTorch 2.0).
 */
export function torchrunArgs(python: string, processes: number): string[] {
  const probe = spawnSync(
    python,
    ['-c', 'import sys, torch; print(sys.version_info[:2] >= (3, 11) and int(torch.__version__.split(".")[0]) < 2)'],
    {
      encoding: 'utf8',
    },
  );
  const workaround = probe.stdout.trim() === 'True' ? ['--redirects', '2', '--tee', '2'] : [];
  return ['-m', 'torch.distributed.run', `--nproc_per_node=${processes}`, ...workaround];
}
