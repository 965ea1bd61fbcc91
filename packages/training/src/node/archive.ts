/**
 * Zip archives of run folders in Node (the format is `run-files/zip.ts`): read one as a run source — `vaejs eval
 * --run run.zip`, a run a page downloaded — or unpack it into a folder to train on (`vaejs train --resume`). Every path
 * is checked to stay inside the folder before anything is written.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, formatExpected } from '@vaejs/core';
import { filesRunSource } from '../run-files/files-source';
import { readZip } from '../run-files/zip';
import type { RunSource } from '../run-folder/run-source';
import { writeFileDurable } from './file-io';

/** True when `path` is a file that ends in `.zip` (a run folder in one archive). */
export function isRunArchive(path: string): boolean {
  return /\.zip$/i.test(path) && existsSync(path) && statSync(path).isFile();
}

/**
 * The run, checkpoint or model folder in the zip archive `path`, for `createRunReader` (read into memory, checked).
 * @example const checkpoint = await reader.locate(await archiveRunSource('vae-mlp.zip'), { kinds: ['vae'] });
 */
export async function archiveRunSource(path: string): Promise<RunSource> {
  return filesRunSource(await readZip(new Uint8Array(readFileSync(path)), path), `${path}/`);
}

/**
 * Unpacks the zip archive `archive` into the folder `dir`, which must not exist yet (nothing is overwritten).
 * @returns the number of files written
 * @throws ConfigError when `dir` exists; CheckpointError for an archive that does not read (nothing is written then)
 */
export async function unpackRunArchive(archive: string, dir: string): Promise<number> {
  if (existsSync(dir)) {
    throw new ConfigError(formatExpected('unpackRunArchive', 'dir', 'a folder that does not exist yet', `'${dir}'`));
  }
  const files = await readZip(new Uint8Array(readFileSync(archive)), archive);
  for (const [path, bytes] of files) {
    const target = join(dir, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileDurable(target, bytes);
  }
  return files.size;
}
