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
