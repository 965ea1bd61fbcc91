// PyTorch as its users run it, for every benchmark that quotes it: the python whose torch is the anchor, and the
// environment that gives that torch its own speed. Checked, because an anchor far below its users' speed makes every
// ratio wrong (the reference BLAS a bare `apt install python3-torch` links is 30x slower than OpenBLAS; glibc's malloc
// returning big buffers to the system every step made a loop 3x slower; OpenBLAS 0.3.21 reads some AVX-512 CPUs as
// Haswell, half its speed).
import { spawnSync } from 'node:child_process';

/** glibc's allocator told to keep big buffers (a loop that frees large tensors every step otherwise faults them in). */
export const ALLOCATOR_ENV = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: '100000000',
  MALLOC_TRIM_THRESHOLD_: '100000000',
});

/**
 * The python that imports torch, as `{ python, version }`: `python` (a --python flag), else VAEJS_BENCH_PYTHON (a
 * PyTorch 2.x wheel's python, say), else Debian's /usr/bin/python3 (python3-torch), else python3; null when none does.
 */
export function findTorch(python = process.env.VAEJS_BENCH_PYTHON) {
  for (const candidate of python ? [python] : ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python: candidate, version: probe.stdout.trim() };
  }
  return null;
}

/**
 * PyTorch's environment on `threads` threads: OpenBLAS's own pool set too (torch.set_num_threads does not reach
 * Debian's OpenBLAS), a machine-wide OPENBLAS_CORETYPE dropped (this machine sets Haswell; a user has none) unless
 * `blasCore` names one, OPENBLAS_VERBOSE=2 so that it prints its kernel, `allocator` adds ALLOCATOR_ENV. `blasThreads`
 * gives OpenBLAS a pool of its own size: Debian's OpenBLAS (pthreads) and torch's OpenMP pool each start `threads`
 * threads, which on a 2-core machine fight (PyTorch 1.13 ran the conv VAE 103 ms/step on 2 threads, 56 with OpenBLAS
 * on 1, 45 on 1 thread in all).
 */
export function torchEnv(threads, { blasCore, allocator = false, blasThreads = threads } = {}) {
  const env = {
    ...process.env,
    OPENBLAS_VERBOSE: '2',
    OPENBLAS_NUM_THREADS: String(blasThreads),
    OMP_NUM_THREADS: String(threads),
    ...(allocator ? ALLOCATOR_ENV : {}),
  };
  delete env.OPENBLAS_CORETYPE;
  if (blasCore) env.OPENBLAS_CORETYPE = blasCore;
  return env;
}

/** The BLAS a torch process loaded (from /proc/self/maps), and whether it is the reference one (not an anchor). */
export function blasOf(torch) {
  const code =
    "import os, torch; torch.rand(2, 2) @ torch.rand(2, 2); print(', '.join(sorted({os.path.realpath(l.split()[-1]) for l in open('/proc/self/maps') if 'blas' in l.lower() and '/' in l})))";
  const probe = spawnSync(torch.python, ['-c', code], { encoding: 'utf8' });
  const library = probe.stdout.trim() || 'none';
  return { library, reference: /\/blas\/libblas/.test(library) };
}
