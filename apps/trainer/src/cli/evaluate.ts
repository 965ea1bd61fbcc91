/** `vaejs eval`: scores any checkpoint on its test data and prints one JSON object. */
import { Command } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs-core';
import { createBatches, type ImageDataset, loadCodeMaps, loadSplits } from '@vaejs/datasets';
import type { PixelCnn } from '@vaejs/pixelcnn-prior';
import { evaluate, fileRunSource } from '@vaejs/training';
import type { Vae } from '@vaejs/vae';
import type { VqVae } from '@vaejs/vqvae';
import { setupBackendFromFlags } from '../backend';
import { type Model, runReader } from './models';
import { withBackendFlags } from './options';
import { integer, text, UsageError } from './parse';
import { runFlags, savedFolder } from './run-flags';

const FN = 'vaejs eval';

export function evalCommand() {
  const command = new Command('eval')
    .description(
      'score a checkpoint on its test data, as one JSON object: a VAE its ELBO parts (and IWAE), a VQ-VAE its reconstruction error and codebook use, a prior its nats per position',
    )
    .requiredOption('--run <folder>', 'a run folder (its newest checkpoint) or a checkpoint folder', text('--run'))
    .option('--dataset <name>', "test data (default: the run's own)", text('--dataset'))
    .option('--codes <folder>', "a prior's code maps (default: the run's own)", text('--codes'))
    .option(
      '--iwae-k <k>',
      'VAE: importance samples per image for the IWAE estimate of -log p(x) (0: skip)',
      integer('--iwae-k', 0, 100000),
      0,
    )
    .option('--limit <n>', 'first N test items only (0: all)', integer('--limit', 0), 0)
    .option('--batch-size <n>', 'items per forward pass', integer('--batch-size', 1, 65536), 100)
    .option('--seed <n>', 'seed of the binarisation and the posterior samples', integer('--seed', 0, 2 ** 53 - 1), 0)
    .option(
      '--binarize',
      'score dynamically binarised test images (one Bernoulli draw each, seeded), as the literature does; what runs trained with --binarize dynamic get anyway',
      false,
    )
    .option('--no-binarize', 'score the images as the run was trained (default)');
  return withBackendFlags(command).action(async (options) => {
    const result = await evaluateRun(options);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
}

type EvalOptions = Parameters<Parameters<ReturnType<typeof evalCommand>['action']>[0]>[0];

export async function evaluateRun(options: EvalOptions): Promise<Record<string, unknown>> {
  const where = { fn: FN, argument: '--run' };
  const checkpoint = await runReader.locate(fileRunSource(options.run), where);
  const flags = await runFlags(checkpoint.run);
  const backend = await setupBackendFromFlags(options);
  const model = (await runReader.load(checkpoint, where)) as Model;
  const kind = checkpoint.kind;
  const started = performance.now();
  const head = { run: options.run, checkpoint: checkpoint.location, epoch: checkpoint.info?.epoch, model: kind };
  try {
    let scores: Record<string, unknown>;
    if (kind === 'pixelcnn') {
      const codes = options.codes ?? (await savedFolder(FN, checkpoint.run, 'codes', '--codes'));
      if (!codes)
        throw new UsageError(
          `${FN}: expected --codes the prior's code maps (the run does not say where they are), got nothing.`,
        );
      const test = loadCodeMaps(codes, { split: 'test', ...(options.limit ? { limit: options.limit } : {}) });
      const result = await evaluate(model as PixelCnn, test, { batchSize: options.batchSize, seed: options.seed });
      scores = { dataset: test.name, examples: test.size, natsPerPosition: result.loss, ...result };
    } else {
      const dataset = options.dataset ?? (await savedFolder(FN, checkpoint.run, 'dataset', '--dataset')) ?? 'mnist';
      const trained = (flags.binarize as 'none' | 'static' | 'dynamic' | undefined) ?? 'none';
      const binarize = options.binarize ? 'dynamic' : trained;
      const { test } = loadSplits({
        dataset,
        testLimit: options.limit,
        ...(flags.imageSize ? { imageSize: flags.imageSize as number } : {}),
        fn: FN,
        argument: '--dataset',
      });
      if (kind === 'vae') {
        scores = {
          dataset: test.name,
          binarized: binarize,
          iwae_k: options.iwaeK,
          ...(await evaluateVae(model as Vae, test, binarize, options)),
        };
      } else {
        const vqvae = model as VqVae;
        const result = await evaluate(vqvae, test, {
          batchSize: options.batchSize,
          seed: options.seed,
          batches: { binarize },
        });
        scores = {
          dataset: test.name,
          examples: test.size,
          mseOverVariance: (result.reconstructionMse as number) / vqvae.config.dataVariance,
          ...result,
        };
      }
    }
    return { ...head, ...scores, seconds: (performance.now() - started) / 1000, backend: backend.name };
  } finally {
    model.dispose();
  }
}

async function evaluateVae(
  vae: Vae,
  test: ImageDataset,
  binarize: 'none' | 'static' | 'dynamic',
  options: EvalOptions,
): Promise<Record<string, unknown>> {
  // a dynamically binarised run is scored on one fixed Bernoulli draw per test image (the published protocol)
  const pipeline =
    binarize === 'dynamic' ? { binarize: 'static' as const, staticBinarization: 'sample' as const } : { binarize };
  const whole = createBatches(test, { batchSize: test.size, shuffle: false, seed: options.seed, ...pipeline }).batch(0);
  try {
    return {
      ...(await vae.evaluate(whole.x, {
        ...(whole.labels && vae.config.numClasses > 0 ? { labels: whole.labels } : {}),
        iwaeK: options.iwaeK,
        seed: options.seed,
        batchSize: options.batchSize,
      })),
    };
  } finally {
    tf.dispose(whole);
  }
}
