/** Mean loss parts of a model over a dataset: the test loss of each epoch, and `evaluate` for users. */
import * as tf from '@tensorflow/tfjs-core';
import { assertPositiveInt, ConfigError, describeValue, formatExpected, type TrainableModel } from '@vaejs/core';
import { type BatchPlan, checkFitData, disposeBatch, epochBatches, type FitDataset, testPipeline } from './data';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Items per forward pass. Default 500. */
  batchSize?: number;
  /** Seed of the test pipeline's draws and of each batch's `lossParts` seed (`seed + batch index`). Default 0. */
  seed?: number;
  /** The pipeline the model was trained with (`fit`'s `batches`); scored as its test pipeline. */
  batches?: BatchPlan['pipeline'];
}

/** Mean of each loss part over `dataset` (weighted by batch size), read back as numbers. */
export async function meanLossParts(
  model: TrainableModel,
  dataset: FitDataset,
  plan: Omit<BatchPlan, 'epoch' | 'shuffle'>,
): Promise<Record<string, number>> {
  const batches = epochBatches(dataset, { ...plan, epoch: 0, shuffle: false, pipeline: testPipeline(plan.pipeline) });
  const totals: Record<string, number> = {};
  let seen = 0;
  for (let index = 0; index < batches.numBatches; index++) {
    const batch = batches.batch(index);
    try {
      const parts = model.lossParts(batch, { seed: plan.seed + index });
      const names = Object.keys(parts);
      try {
        const values = await Promise.all(names.map((name) => (parts[name] as tf.Scalar).data()));
        const size = batch.x.shape[0] ?? 0;
        names.forEach((name, i) => {
          totals[name] = (totals[name] ?? 0) + (values[i]?.[0] ?? Number.NaN) * size;
        });
        seen += size;
      } finally {
        tf.dispose(Object.values(parts));
      }
    } finally {
      disposeBatch(batch);
    }
  }
  return Object.fromEntries(Object.entries(totals).map(([name, total]) => [name, total / Math.max(seen, 1)]));
}

/**
 * Scores a model on a dataset: the mean of each part `lossParts` reports (for a VAE the negative ELBO `loss`,
 * `reconstruction`, `kl`; a VQ-VAE its reconstruction error and codebook figures; a prior nats per position), plus
 * the model's `epochMetrics` on up to 2,000 items when it has them (prefixed `code_` etc. as the model names them).
 * @example
 * const scores = await evaluate(vae, loadMnist({ split: 'test' })); // { loss: 104.9, reconstruction: 79.8, kl: 25.1 }
 */
export async function evaluate(
  model: TrainableModel,
  dataset: FitDataset,
  options: EvaluateOptions = {},
): Promise<Record<string, number>> {
  const fn = 'evaluate';
  if (typeof (model as Partial<TrainableModel> | null)?.lossParts !== 'function') {
    throw new ConfigError(formatExpected(fn, 'model', 'a vaejs model (with lossParts)', describeValue(model)));
  }
  const { train } = checkFitData({ train: dataset });
  const batchSize = options.batchSize ?? 500;
  const seed = options.seed ?? 0;
  assertPositiveInt(fn, 'options.batchSize', batchSize);
  assertPositiveInt(fn, 'options.seed', seed, 0);
  const pipeline = options.batches ?? {};
  const means = await meanLossParts(model, train, { batchSize, seed, pipeline });
  if (!model.epochMetrics) return means;
  const sample = epochBatches(train, {
    batchSize: Math.min(2000, train.size),
    seed,
    epoch: 0,
    shuffle: false,
    pipeline: testPipeline(pipeline),
  }).batch(0);
  try {
    return { ...means, ...(await model.epochMetrics(sample)) };
  } finally {
    disposeBatch(sample);
  }
}
