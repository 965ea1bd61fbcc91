/** `vaejs eval`: scores any checkpoint on its test data and prints one JSON object. */
import { Command } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs-core';
import { loadCodeMaps } from '@vaejs/datasets';
import { evaluate, type LocatedCheckpoint, testItems } from '@vaejs/training';
import type { Vae } from '@vaejs/vae';
import type { VqVae } from '@vaejs/vqvae';
import { type Model, withCheckpointModel } from './models';
import { withBackendFlags, withMaxMemory } from './options';
import { integer, pathText, seed, UsageError } from './parse';
import { runFlags, runImages, savedFolder } from './run-flags';

const FN = 'vaejs eval';

export function evalCommand() {
  const command = new Command('eval')
    .description(
      'score a checkpoint on its test data, as one JSON object: a VAE its ELBO parts (and IWAE), a VQ-VAE its reconstruction error and codebook use, a prior its nats per position',
    )
    .requiredOption(
      '--run <folder>',
      'a run folder (its newest checkpoint), a checkpoint folder, or a zip archive of one',
      pathText,
    )
    .option('--dataset <name>', "test data (default: the run's own)", pathText)
    .option('--codes <folder>', "a prior's code maps (default: the run's own)", pathText)
    .option(
      '--iwae-k <k>',
      'VAE: importance samples per image for the IWAE estimate of -log p(x) (0: skip)',
      integer(0, 100000),
      0,
    )
    .option('--limit <n>', 'first N test items only (0: all)', integer(0), 0)
    .option('--batch-size <n>', 'items per forward pass', integer(1, 65536), 100)
    .option('--seed <n>', 'seed of the binarisation and the posterior samples', seed, 0)
    .option(
      '--binarize',
      'score dynamically binarised test images (one Bernoulli draw each, seeded), as the literature does; what runs trained with --binarize dynamic get anyway',
      false,
    )
    .option('--no-binarize', 'score the images as the run was trained (default)');
  return withBackendFlags(withMaxMemory(command)).action(async (options) => {
    const result = await evaluateRun(options);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
}

type EvalOptions = Parameters<Parameters<ReturnType<typeof evalCommand>['action']>[0]>[0];

export async function evaluateRun(options: EvalOptions): Promise<Record<string, unknown>> {
  return withCheckpointModel(
    { fn: FN, argument: '--run' },
    options.run,
    options,
    options.batchSize,
    async (model, checkpoint, backend) => {
      const started = performance.now();
      const trained = (await runFlags(checkpoint.run)).binarize as 'none' | 'static' | 'dynamic' | undefined;
      const scores =
        checkpoint.kind === 'pixelcnn'
          ? await scorePrior(model, checkpoint, options)
          : await scoreImages(model, checkpoint, options, options.binarize ? 'dynamic' : (trained ?? 'none'));
      const head = { run: options.run, checkpoint: checkpoint.location, epoch: checkpoint.info?.epoch };
      const seconds = (performance.now() - started) / 1000;
      return { ...head, model: checkpoint.kind, ...scores, seconds, backend: backend.name };
    },
  );
}

/** A prior's nats per position on its test code maps. */
async function scorePrior(prior: Model, checkpoint: LocatedCheckpoint, options: EvalOptions) {
  const codes = options.codes ?? (await savedFolder(FN, checkpoint.run, 'codes', '--codes'));
  if (!codes) {
    throw new UsageError(
      `${FN}: expected --codes the prior's code maps (the run does not say where they are), got nothing.`,
    );
  }
  const test = loadCodeMaps(codes, { split: 'test', ...(options.limit ? { limit: options.limit } : {}) });
  const result = await evaluate(prior, test, { batchSize: options.batchSize, seed: options.seed });
  return { dataset: test.name, examples: test.size, natsPerPosition: result.loss, ...result };
}

/** A VAE's ELBO parts (and IWAE), or a VQ-VAE's reconstruction error and codebook use, on the test images. */
async function scoreImages(
  model: Model,
  checkpoint: LocatedCheckpoint,
  options: EvalOptions,
  binarize: 'none' | 'static' | 'dynamic',
) {
  const { test } = await runImages(FN, checkpoint.run, {
    dataset: options.dataset,
    testLimit: options.limit,
    maxMemory: options.maxMemory,
  });
  const { batchSize, seed, iwaeK } = options;
  if (checkpoint.kind === 'vqvae') {
    const result = await evaluate(model, test, { batchSize, seed, batches: { binarize } });
    const mseOverVariance = (result.reconstructionMse as number) / (model as VqVae).config.dataVariance;
    return { dataset: test.name, examples: test.size, mseOverVariance, ...result };
  }
  const vae = model as Vae;
  // the whole test set as fit tests it: a dynamically binarised run's images drawn once (the published protocol)
  const whole = testItems(test, { batches: { binarize }, seed });
  try {
    const labels = whole.labels && vae.config.numClasses > 0 ? { labels: whole.labels } : {};
    const result = await vae.evaluate(whole.x, { ...labels, iwaeK, seed, batchSize });
    return { dataset: test.name, binarized: binarize, iwae_k: iwaeK, ...result };
  } finally {
    tf.dispose(Object.values(whole));
  }
}
