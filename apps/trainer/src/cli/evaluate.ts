/** `vaejs eval`: scores any checkpoint on its test data; a table, or one JSON object with --json (README: "eval"). */
import { Command } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs-core';
import { loadCodeMaps } from '@vaejs/datasets';
import { PIXELCNN_SCORES } from '@vaejs/pixelcnn-prior';
import {
  evaluate,
  formatNumber,
  formatTable,
  type LocatedCheckpoint,
  loadRunImages,
  readRunFlags,
  roundSignificant,
  runDataFolder,
  scoreRows,
  testItems,
} from '@vaejs/training';
import { VAE_SCORES, type Vae, vaeScores } from '@vaejs/vae';
import { type QuantizerKind, VQVAE_SCORES, type VqVae, vqVaeScoreMeanings, vqVaeScores } from '@vaejs/vqvae';
import { type Model, withCheckpointModel } from './models';
import { type AnyCommand, isGiven, withBackendFlags, withMaxMemory } from './options';
import { integer, pathText, seed, UsageError } from './parse';

const FN = 'vaejs eval';

/** The scores of each kind, in the order the table and the JSON give them, with what each means. */
const SCORES: Record<string, readonly (readonly [string, string])[]> = {
  vae: VAE_SCORES,
  vqvae: VQVAE_SCORES,
  pixelcnn: PIXELCNN_SCORES,
};

/** A VQ-VAE result's quantiser kind, for the table's meanings (a symbol: not one of the JSON fields). */
const QUANTIZER = Symbol('quantizer');

/** Flags that apply to some kinds of run only: given with another, they are refused, as `train` refuses them. */
const KIND_FLAGS: Record<string, string[]> = { iwaeK: ['vae'], binarize: ['vae', 'vqvae'], codes: ['pixelcnn'] };

export function evalCommand() {
  const command = new Command('eval')
    .description(
      'score a checkpoint on its test data: a VAE its ELBO parts (and IWAE), a VQ-VAE its reconstruction error and codebook use, a prior its nats per position; a table, or JSON with --json',
    )
    .requiredOption(
      '--run <folder>',
      'a run folder (its newest checkpoint), a checkpoint folder, or a zip archive of one',
      pathText,
    )
    .option('--json', 'print one JSON object (the fields the README lists, 7 significant digits)', false)
    .option('--dataset <name>', "test data (default: the run's own)", pathText)
    .option('--codes <folder>', "prior: its code maps (default: the run's own)", pathText)
    .option(
      '--iwae-k <k>',
      'VAE: importance samples per image for the IWAE estimate of -log p(x) (0: skip)',
      integer(0),
      0,
    )
    .option('--limit <n>', 'first N test items only (0: all)', integer(0), 0)
    .option('--batch-size <n>', 'items per forward pass', integer(1, 65536), 100)
    .option('--seed <n>', 'seed of the binarisation and the posterior samples', seed, 0)
    .option('--binarize', 'VAE, VQ-VAE: score one seeded Bernoulli draw of the test images, as the literature does')
    .option('--no-binarize', 'score the images as the run was trained (the default)');
  return withBackendFlags(withMaxMemory(command)).action(async (options, self) => {
    const result = await evaluateRun(options, self);
    process.stdout.write(`${options.json ? JSON.stringify(roundSignificant(result)) : table(result)}\n`);
  });
}

type EvalOptions = Parameters<Parameters<ReturnType<typeof evalCommand>['action']>[0]>[0];

export async function evaluateRun(options: EvalOptions, command: AnyCommand): Promise<Record<string, unknown>> {
  const accept = ({ kind, location }: LocatedCheckpoint) => {
    const flag = Object.keys(KIND_FLAGS).find((key) => isGiven(command, key) && !KIND_FLAGS[key]?.includes(kind));
    const flagName = flag === 'iwaeK' ? 'iwae-k' : flag;
    if (flag) {
      const runs = (KIND_FLAGS[flag] ?? []).map((name) => `a ${name} run`).join(' or ');
      throw new UsageError(
        `${FN}: expected --${flagName} only with ${runs}, got it with a ${kind} run ('${location}').`,
      );
    }
  };
  return withCheckpointModel(
    { fn: FN, argument: '--run', accept },
    options.run,
    options,
    options.batchSize,
    async (model, checkpoint, backend) => {
      const started = performance.now();
      const trained = (await readRunFlags(checkpoint.run)).binarize as 'none' | 'static' | 'dynamic' | undefined;
      const scores =
        checkpoint.kind === 'pixelcnn'
          ? await scorePrior(model, checkpoint, options)
          : await scoreImages(model, checkpoint, options, options.binarize ? 'dynamic' : (trained ?? 'none'));
      const head = { run: options.run, checkpoint: checkpoint.location, epoch: checkpoint.info?.epoch ?? null };
      // the fields of the README's table, in its order: what was scored, how, the kind's scores, time and backend
      const how = ['dataset', 'examples', 'binarized', 'iwae_k'].filter((key) => key in scores);
      const keys = [...how, ...(SCORES[checkpoint.kind] ?? []).map(([key]) => key)];
      const ordered = Object.fromEntries(keys.map((key) => [key, scores[key] ?? null]));
      const seconds = (performance.now() - started) / 1000;
      const kind = { [QUANTIZER]: (scores as { [QUANTIZER]?: unknown })[QUANTIZER] };
      return { ...head, model: checkpoint.kind, ...ordered, seconds, backend: backend.name, ...kind };
    },
  );
}

// helpers

/** A prior's nats per position on its test code maps. */
async function scorePrior(
  prior: Model,
  checkpoint: LocatedCheckpoint,
  options: EvalOptions,
): Promise<Record<string, unknown>> {
  const codes = options.codes ?? (await runDataFolder(checkpoint.run, 'codes', { fn: FN, argument: '--codes' }));
  if (!codes) {
    throw new UsageError(
      `${FN}: expected --codes the prior's code maps (the run does not say where they are), got nothing.`,
    );
  }
  const test = loadCodeMaps(codes, { split: 'test', ...(options.limit ? { limit: options.limit } : {}) });
  const result = await evaluate(prior, test, { batchSize: options.batchSize, seed: options.seed });
  return { dataset: test.name, examples: test.size, loss: result.loss, bits_per_dim: result.bitsPerDim };
}

/** A VAE's ELBO parts (and IWAE), or a VQ-VAE's reconstruction error and codebook use, on the test images. */
async function scoreImages(
  model: Model,
  checkpoint: LocatedCheckpoint,
  options: EvalOptions,
  binarize: 'none' | 'static' | 'dynamic',
): Promise<Record<string, unknown>> {
  const { test } = await loadRunImages(checkpoint.run, {
    dataset: options.dataset,
    testLimit: options.limit,
    maxBytes: options.maxMemory * 2 ** 20,
    fn: FN,
    argument: '--dataset',
  });
  const { batchSize, seed } = options;
  const common = { dataset: test.name, examples: test.size, binarized: binarize };
  if (checkpoint.kind === 'vqvae') {
    const result = await evaluate(model, test, { batchSize, seed, batches: { binarize } });
    const { config } = model as VqVae;
    return { ...common, ...vqVaeScores(result, config.dataVariance), [QUANTIZER]: config.quantizer.kind };
  }
  const vae = model as Vae;
  // the whole test set as fit tests it: a dynamically binarised run's images drawn once (the published protocol)
  const whole = testItems(test, { batches: { binarize }, seed });
  try {
    const labels = whole.labels && vae.config.numClasses > 0 ? { labels: whole.labels } : {};
    const { iwaeK } = options;
    const result = await vae.evaluate(whole.x, { ...labels, iwaeK, seed, batchSize });
    return { ...common, iwae_k: iwaeK, ...vaeScores(result) };
  } finally {
    tf.dispose(Object.values(whole));
  }
}

/** The table `vaejs eval` prints: what was scored, then each score to 4 significant digits, with what it means. */
function table(result: Record<string, unknown>): string {
  const { model, dataset, examples, epoch, checkpoint, binarized, iwae_k, seconds, backend } = result as Record<
    string,
    string | number | null
  >;
  const extra = `${binarized && binarized !== 'none' ? `, binarized ${binarized}` : ''}${iwae_k ? `, IWAE k=${iwae_k}` : ''}`;
  const head = [
    `${model} at epoch ${epoch ?? '?'} (${checkpoint})`,
    `on ${dataset}: ${formatNumber(Number(examples))} items${extra}; ${formatNumber(Number(seconds), 2)} s on ${backend}`,
  ];
  const kind = (result as { [QUANTIZER]?: QuantizerKind })[QUANTIZER];
  const rows = scoreRows(result, kind ? vqVaeScoreMeanings(kind) : (SCORES[String(model)] ?? []));
  return `${head.join('\n')}\n\n${formatTable(['score', 'value', 'what it is'], rows)}`;
}
