import { existsSync, readdirSync, statSync } from 'node:fs';
import { ConfigError, formatExpected } from '@vaejs/core';
import { type ImageDataset, loadDataset, subset } from '@vaejs/datasets';

/** What `--dataset` names: mnist, fashion-mnist, or a folder (of IDX files, or of PNG images). */
export interface DataSpec {
  dataset: string;
  /** Use only the first N training images (0 = all). */
  limit?: number;
  testLimit?: number;
  /** Image folders: resize to this side length. */
  imageSize?: number;
}

function sourceOf(
  command: string,
  dataset: string,
): { source: 'mnist' | 'fashion-mnist' | 'idx' | 'images'; dir?: string } {
  if (dataset === 'mnist' || dataset === 'fashion-mnist') return { source: dataset };
  if (!existsSync(dataset) || !statSync(dataset).isDirectory()) {
    throw new ConfigError(
      formatExpected(
        command,
        '--dataset',
        'mnist | fashion-mnist | an existing folder',
        `'${dataset}' (no such folder)`,
      ),
    );
  }
  const hasIdx = readdirSync(dataset).some((name: string) => /-ubyte(\.gz)?$/.test(name));
  return { source: hasIdx ? 'idx' : 'images', dir: dataset };
}

/** Loads the training and test splits a run uses. Image folders have no test split: the last 10 % is held out. */
export function loadSplits(command: string, spec: DataSpec): { train: ImageDataset; test: ImageDataset } {
  const { source, dir } = sourceOf(command, spec.dataset);
  const extra = { ...(dir ? { dir } : {}), ...(spec.imageSize ? { size: spec.imageSize } : {}) };
  let train: ImageDataset;
  let test: ImageDataset;
  if (source === 'images') {
    const all = loadDataset({ source, ...extra });
    const held = Math.max(1, Math.floor(all.size / 10));
    train = subset(all, 0, all.size - held, `${all.name}-train`);
    test = subset(all, all.size - held, all.size, `${all.name}-test`);
  } else {
    train = loadDataset({ source, split: 'train', ...extra });
    test = loadDataset({ source, split: 'test', ...extra });
  }
  if (spec.limit && spec.limit < train.size) train = subset(train, 0, spec.limit);
  if (spec.testLimit && spec.testLimit < test.size) test = subset(test, 0, spec.testLimit);
  return { train, test };
}
