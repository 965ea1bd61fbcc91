import * as tf from '@tensorflow/tfjs-core';
import { createBatches } from '@vaejs/datasets';
import { type FlagSpec, helpText, type ParsedFlags, parseFlags } from '../args';
import { setupBackendFromFlags } from '../backend';
import { loadSplits } from '../data';
import { testBinarization } from '../models/image-data';
import { loadVaeFolder } from '../models/vae-model';
import { BACKEND_FLAGS } from './flags';
import { latestCheckpointOf, readRunConfig } from './run-folder';

const FN = 'vaejs eval';

const EVAL_FLAGS: FlagSpec[] = [
  { name: 'run', type: 'string', help: 'run folder written by vaejs train; required' },
  {
    name: 'iwae-k',
    type: 'int',
    default: 0,
    min: 0,
    help: 'importance samples per image for the IWAE log-likelihood estimate (0: skip)',
  },
  {
    name: 'binarize',
    type: 'boolean',
    default: false,
    help: 'score dynamically binarised test images (one Bernoulli draw, seeded), as the literature does; the default for runs trained with --binarize dynamic',
  },
  { name: 'limit', type: 'int', default: 0, min: 0, help: 'first N test images only (0: all)' },
  { name: 'batch-size', type: 'int', default: 100, help: 'images per forward pass' },
  { name: 'seed', type: 'int', default: 0, min: 0, help: 'seed of the binarisation and posterior samples' },
  ...BACKEND_FLAGS,
];

export const evalCommand = {
  summary: 'evaluate a trained VAE on the test set: ELBO parts and the IWAE estimate, as one JSON object',
  help: () =>
    helpText(
      'vaejs eval --run <run folder> [--iwae-k K] [--binarize]',
      'Prints one JSON object: test loss parts (means per image, nats) and, with --iwae-k, the IWAE estimate of -log p(x) in nats and bits/dim.',
      EVAL_FLAGS,
    ),
  run: async (argv: string[]) => {
    const result = await evaluateRun(parseFlags(FN, EVAL_FLAGS, argv));
    process.stdout.write(`${JSON.stringify(result)}\n`);
  },
};

export async function evaluateRun(flags: ParsedFlags): Promise<Record<string, unknown>> {
  const runDir = flags.run as string | undefined;
  if (!runDir) throw new Error(`${FN}: expected --run a run folder, got nothing.`);
  const config = readRunConfig(FN, runDir);
  const { dir, info } = latestCheckpointOf(FN, runDir, 'vae');
  const backend = await setupBackendFromFlags(flags);
  const vae = await loadVaeFolder(dir, FN);
  try {
    const { test } = loadSplits(FN, {
      dataset: config.flags.dataset as string,
      testLimit: flags.limit as number,
      ...(config.flags.imageSize ? { imageSize: config.flags.imageSize as number } : {}),
    });
    const trainedBinarize = config.flags.binarize as string;
    const binarize = flags.binarize ? 'dynamic' : (trainedBinarize as 'none' | 'static' | 'dynamic');
    const whole = createBatches(test, {
      batchSize: test.size,
      shuffle: false,
      seed: flags.seed as number,
      ...testBinarization(binarize),
    }).batch(0);
    try {
      const started = performance.now();
      const result = await vae.evaluate(whole.x, {
        ...(whole.labels && vae.config.numClasses > 0 ? { labels: whole.labels } : {}),
        iwaeK: flags.iwaeK as number,
        seed: flags.seed as number,
        batchSize: flags.batchSize as number,
      });
      return {
        run: runDir,
        checkpoint_epoch: info.epoch,
        model: vae.config.kind,
        dataset: test.name,
        binarized: binarize,
        iwae_k: flags.iwaeK,
        ...result,
        seconds: (performance.now() - started) / 1000,
        backend: backend.name,
      };
    } finally {
      tf.dispose(whole);
    }
  } finally {
    vae.dispose();
  }
}
