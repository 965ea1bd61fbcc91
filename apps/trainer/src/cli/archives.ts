/**
 * Run folders that arrive as one zip archive — a run a page trained and downloaded, or a folder zipped to move it:
 * read where they are (`--run run.zip`, `--vqvae vqvae.zip`), or, to train on, unpacked beside themselves
 * (`vaejs train --resume --out run.zip` continues in `run/`). The archive's paths are checked by @vaejs/training's
 * reader before anything is read or written.
 */
import { existsSync } from 'node:fs';
import { archiveRunSource, fileRunSource, isRunArchive, type RunSource, unpackRunArchive } from '@vaejs/training';
import type { AnyCommand } from './options';
import { UsageError } from './parse';

/** The run a path names: a folder, or a zip archive of one. */
export async function runSource(path: string): Promise<RunSource> {
  return isRunArchive(path) ? archiveRunSource(path) : fileRunSource(path);
}

/**
 * Before a training command runs: `--resume --out run.zip` unpacks the archive into `run/` (which must not exist yet)
 * and trains there, saying so on stderr. Anything else is left as it is.
 * @throws UsageError when the folder to unpack into exists
 */
export async function unpackArchiveOut(fn: string, command: AnyCommand): Promise<void> {
  const out = command.getOptionValue('out') as unknown;
  if (command.getOptionValue('resume') !== true || typeof out !== 'string' || !isRunArchive(out)) return;
  const dir = out.replace(/\.zip$/i, '');
  if (existsSync(dir)) {
    throw new UsageError(
      `${fn}: expected --out ${out} to unpack into ${dir}, got a ${dir} that exists already: give --out ${dir} to resume it, or move it away.`,
    );
  }
  const count = await unpackRunArchive(out, dir);
  process.stderr.write(`unpacked ${out} into ${dir} (${count} files); the run continues there\n`);
  command.setOptionValueWithSource('out', dir, command.getOptionValueSource('out') ?? 'cli');
}
