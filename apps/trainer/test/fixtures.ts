import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIdx } from '@vaejs/datasets';

/** A fresh temporary folder. */
export function temporaryDir(prefix = 'vaejs-trainer-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes a small MNIST-like IDX folder: `n` train and `n / 2` test images of `size`×`size`, each a bright square
 * whose position depends on its label (0..3), so a model can learn something in a few steps.
 */
export function writeTinyIdxDataset(dir: string, n = 64, size = 8): string {
  mkdirSync(dir, { recursive: true });
  const write = (prefix: string, count: number) => {
    const pixels = new Uint8Array(count * size * size);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % 4;
      labels[i] = label;
      const top = label < 2 ? 1 : size / 2;
      const left = label % 2 === 0 ? 1 : size / 2;
      for (let y = top; y < top + size / 2 - 1; y++) {
        for (let x = left; x < left + size / 2 - 1; x++) pixels[i * size * size + y * size + x] = 200 + ((i * 7) % 55);
      }
    }
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), encodeIdx('uint8', [count, size, size], pixels));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx('uint8', [count], labels));
  };
  write('train', n);
  write('t10k', n / 2);
  return dir;
}

/**
 * The path of strace, which the exact-moment fault tests inject failures with (`-e inject=…`); scripts/ci.sh installs
 * it (Debian's `strace`). Without it those tests fail, saying so, rather than pass untested.
 */
export function requireStrace(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'strace');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'strace is not installed: the exact-moment fault tests need it (apt-get install strace; scripts/ci.sh does)',
  );
}

/** The fields of `vaejs eval --json` by kind, in their order: a stable contract, listed in the README. */
export const EVAL_FIELDS = {
  vae: [
    ...['run', 'checkpoint', 'epoch', 'model', 'dataset', 'examples', 'binarized', 'iwae_k'],
    ...['loss', 'reconstruction', 'kl', 'negative_elbo', 'iwae_nll', 'bits_per_dim', 'seconds', 'backend'],
  ],
  vqvae: [
    ...['run', 'checkpoint', 'epoch', 'model', 'dataset', 'examples', 'binarized', 'loss', 'mse_over_variance'],
    ...['reconstruction_mse', 'codebook', 'commitment', 'code_perplexity', 'code_usage', 'seconds', 'backend'],
  ],
  pixelcnn: [
    'run',
    'checkpoint',
    'epoch',
    'model',
    'dataset',
    'examples',
    'loss',
    'bits_per_dim',
    'seconds',
    'backend',
  ],
};
