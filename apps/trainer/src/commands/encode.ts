import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createBatches } from '@vaejs/datasets';
import { type FlagSpec, helpText, type ParsedFlags, parseFlags } from '../args';
import { setupBackendFromFlags } from '../backend';
import { loadSplits } from '../data';
import { writeFileDurable } from '../io/file-io';
import { type CodesManifest, writeCodeMaps } from '../models/code-maps';
import { loadVqVaeFolder } from '../models/vqvae-model';
import { BACKEND_FLAGS } from './flags';
import { latestCheckpointOf, readRunConfig } from './run-folder';

const FN = 'vaejs encode';

const ENCODE_FLAGS: FlagSpec[] = [
  { name: 'run', type: 'string', help: 'a VQ-VAE run folder (vaejs train --model vqvae); required' },
  {
    name: 'out',
    type: 'string',
    help: 'folder for the code maps (train-codes.idx, test-codes.idx, labels, codes.json); required',
  },
  { name: 'limit', type: 'int', default: 0, min: 0, help: 'encode the first N training images only (0: all)' },
  { name: 'batch-size', type: 'int', default: 500, help: 'images per forward pass' },
  ...BACKEND_FLAGS,
];

export const encodeCommand = {
  summary: 'write the code maps of a dataset under a trained VQ-VAE, for a prior to learn',
  help: () =>
    helpText(
      'vaejs encode --run <vqvae run> --out <codes folder>',
      "Encodes the training and test images of the run's dataset to int32 code maps [n, h, w] (IDX files).",
      ENCODE_FLAGS,
    ),
  run: async (argv: string[]) => {
    await encode(parseFlags(FN, ENCODE_FLAGS, argv));
  },
};

export async function encode(flags: ParsedFlags): Promise<CodesManifest> {
  const runDir = flags.run as string | undefined;
  const out = flags.out as string | undefined;
  if (!runDir) throw new Error(`${FN}: expected --run a VQ-VAE run folder, got nothing.`);
  if (!out) throw new Error(`${FN}: expected --out a folder for the codes, got nothing.`);
  const config = readRunConfig(FN, runDir);
  const { dir } = latestCheckpointOf(FN, runDir, 'vqvae');
  await setupBackendFromFlags(flags);
  const vqvae = await loadVqVaeFolder(dir, FN);
  try {
    const splits = loadSplits(FN, {
      dataset: config.flags.dataset as string,
      limit: flags.limit as number,
      ...(config.flags.imageSize ? { imageSize: config.flags.imageSize as number } : {}),
    });
    const [height, width] = vqvae.latentShape;
    for (const [split, data] of Object.entries(splits)) {
      const batches = createBatches(data, {
        batchSize: flags.batchSize as number,
        shuffle: false,
        binarize: config.flags.binarize === 'none' ? 'none' : 'static',
      });
      const codes = new Int32Array(data.size * height * width);
      let offset = 0;
      for (const batch of batches) {
        const maps = vqvae.encode(batch.x);
        codes.set(await maps.data(), offset);
        offset += maps.size;
        tf.dispose([maps, batch]);
      }
      writeCodeMaps(out, split, {
        codes,
        labels: data.labels,
        size: data.size,
        height,
        width,
        codebookSize: vqvae.config.codebookSize,
        numClasses: data.numClasses,
      });
      process.stderr.write(`${split}: ${data.size} code maps ${height}x${width} (K = ${vqvae.config.codebookSize})\n`);
    }
    const manifest: CodesManifest = {
      format: 'vaejs-codes',
      version: 1,
      codebookSize: vqvae.config.codebookSize,
      height,
      width,
      numClasses: splits.train.numClasses,
      vqvaeRun: resolve(runDir),
      splits: ['train', 'test'],
    };
    writeFileDurable(join(out, 'codes.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    vqvae.dispose();
  }
}
