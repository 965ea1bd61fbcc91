import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, DataError, formatExpected } from '@vaejs/core';
import { encodeIdx, readIdxFile } from '@vaejs/datasets';
import { writeFileDurable } from '../io/file-io';
import type { EpochData, TrainBatch } from './types';

/** A set of discrete code maps (what `vaejs encode` writes and `vaejs prior train` reads). */
export interface CodeMaps {
  /** int32, n·h·w values in [0, codebookSize) */
  codes: Int32Array;
  labels: Int32Array | null;
  size: number;
  height: number;
  width: number;
  codebookSize: number;
  numClasses: number;
}

/** codes.json: what the folder holds and where the codes came from. */
export interface CodesManifest {
  format: 'vaejs-codes';
  version: 1;
  codebookSize: number;
  height: number;
  width: number;
  numClasses: number;
  /** The VQ-VAE run that encoded them (its decoder turns sampled maps into images). */
  vqvaeRun: string;
  splits: string[];
}

export function writeCodeMaps(dir: string, split: string, maps: CodeMaps): void {
  mkdirSync(dir, { recursive: true });
  writeFileDurable(
    join(dir, `${split}-codes.idx`),
    encodeIdx('int32', [maps.size, maps.height, maps.width], maps.codes),
  );
  if (maps.labels) writeFileDurable(join(dir, `${split}-labels.idx`), encodeIdx('uint8', [maps.size], maps.labels));
}

export function readCodesManifest(fn: string, dir: string): CodesManifest {
  const path = join(dir, 'codes.json');
  if (!existsSync(path))
    throw new DataError(
      formatExpected(fn, '--codes', 'a folder written by vaejs encode (with codes.json)', `'${dir}'`),
    );
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as CodesManifest;
  if (manifest.format !== 'vaejs-codes') {
    throw new DataError(formatExpected(fn, `${path} format`, "'vaejs-codes'", String(manifest.format)));
  }
  return manifest;
}

export function readCodeMaps(fn: string, dir: string, split: string): CodeMaps {
  const manifest = readCodesManifest(fn, dir);
  const codes = readIdxFile(join(dir, `${split}-codes.idx`));
  const [size, height, width] = codes.shape as [number, number, number];
  if (height !== manifest.height || width !== manifest.width || codes.shape.length !== 3) {
    throw new DataError(
      formatExpected(
        fn,
        `${split}-codes.idx`,
        `shape [n,${manifest.height},${manifest.width}]`,
        `[${codes.shape.join(',')}]`,
      ),
    );
  }
  const labelsPath = join(dir, `${split}-labels.idx`);
  const labels = existsSync(labelsPath) ? Int32Array.from(readIdxFile(labelsPath).data) : null;
  return {
    codes: Int32Array.from(codes.data),
    labels,
    size,
    height,
    width,
    codebookSize: manifest.codebookSize,
    numClasses: manifest.numClasses,
  };
}

/** Seeded, shuffled batches of code maps: x int32 [b, h, w], labels int32 [b]. */
export function codeEpochData(
  maps: CodeMaps,
  options: { batchSize: number; seed: number; epoch: number; shuffle: boolean },
): EpochData {
  const order = Int32Array.from({ length: maps.size }, (_, i) => i);
  if (options.shuffle) {
    const rng = createRng(options.seed * 1_000_003 + options.epoch);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  const area = maps.height * maps.width;
  return {
    numBatches: Math.ceil(maps.size / options.batchSize),
    batchSize: options.batchSize,
    size: maps.size,
    batch(index: number): TrainBatch {
      const chosen = order.subarray(index * options.batchSize, Math.min((index + 1) * options.batchSize, maps.size));
      const values = new Int32Array(chosen.length * area);
      chosen.forEach((item, row) => {
        values.set(maps.codes.subarray(item * area, (item + 1) * area), row * area);
      });
      const x = tf.tensor3d(values, [chosen.length, maps.height, maps.width], 'int32');
      const labels = maps.labels
        ? tf.tensor1d(
            Array.from(chosen, (item) => maps.labels![item]!),
            'int32',
          )
        : undefined;
      return { x, ...(labels ? { labels } : {}) };
    },
  };
}
