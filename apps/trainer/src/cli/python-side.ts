/**
 * The Python side of the PyTorch bridge (python/vaejs_torch and its pyproject.toml), which the CLI carries as data
 * (tsup copies it into dist/python) and copies into every folder `vaejs export --format pytorch` writes, so that the
 * folder trains with torch alone: `PYTHONPATH=<folder>/python torchrun … -m vaejs_torch.train`, or
 * `pip install <folder>/python`.
 */
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding `vaejs_torch/` and `pyproject.toml`: dist/python once built, python/ in the repository. */
export function pythonSideDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'python'), join(here, '..', 'python'), join(here, '..', '..', '..', '..', 'python')];
  const found = candidates.find((dir) => existsSync(join(dir, 'vaejs_torch', 'train.py')));
  if (!found)
    throw new Error(
      `vaejs: the Python side (vaejs_torch) is missing from this install (looked in ${candidates.join(', ')}).`,
    );
  return found;
}

/** Copies the Python side (its .py files, pyproject.toml, README.md; no caches) into `<folder>/python`. */
export function copyPythonSide(folder: string): void {
  const from = pythonSideDir();
  const to = join(folder, 'python');
  mkdirSync(join(to, 'vaejs_torch'), { recursive: true });
  for (const file of ['pyproject.toml', 'README.md']) {
    if (existsSync(join(from, file))) cpSync(join(from, file), join(to, file));
  }
  for (const file of readdirSync(join(from, 'vaejs_torch')).filter((name) => name.endsWith('.py'))) {
    cpSync(join(from, 'vaejs_torch', file), join(to, 'vaejs_torch', file));
  }
}
