/** What `fit` trains on: `@vaejs/datasets` datasets, turned into the contract's batches one epoch at a time. */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataError, describeValue, formatExpected, type TrainBatch } from '@vaejs/core';
import {
  type BatchesConfig,
  type CodeMapDataset,
  createBatches,
  createCodeMapBatches,
  type ImageDataset,
} from '@vaejs/datasets';
import { formatNumber } from './format';

/** A dataset `fit` accepts: images (`loadMnist`, `createDataset`, …) or code maps (`loadCodeMaps`, for a prior). */
export type FitDataset = ImageDataset | CodeMapDataset;

/** The data of a run: a training set and, optionally, a test set scored after every epoch. */
export interface FitData {
  train: FitDataset;
  test?: FitDataset | null;
}

/** One epoch of batches in the contract's shape; `batch(i)` builds new tensors that the caller disposes. */
export interface EpochBatches {
  numBatches: number;
  batch(index: number): TrainBatch;
}

/** How batches are drawn: the split's pipeline options plus where in the run they are. */
export interface BatchPlan {
  batchSize: number;
  seed: number;
  epoch: number;
  shuffle: boolean;
  pipeline: Pick<BatchesConfig, 'binarize' | 'staticBinarization' | 'threshold' | 'corruption'>;
}

const FN = 'fit';

function kindOf(value: unknown): 'images' | 'code-maps' | null {
  const candidate = value as {
    size?: unknown;
    images?: unknown;
    imageShape?: unknown;
    codes?: unknown;
    height?: unknown;
  } | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.size !== 'number') return null;
  if (candidate.images instanceof Uint8Array && Array.isArray(candidate.imageShape)) return 'images';
  if (candidate.codes instanceof Int32Array && typeof candidate.height === 'number') return 'code-maps';
  return null;
}

/**
 * The data in one line, as the CLI prints it before training: `mnist-train 60,000 images 28x28x1, test 10,000`,
 * `codes-train 60,000 code maps 7x7 of 128 codes, test 10,000` (no test part without test data).
 */
export function dataSummary(data: { train: FitDataset; test?: FitDataset | null }): string {
  const { train, test } = data;
  const what = train.kind === 'code-maps' ? 'code maps' : 'images';
  const testPart = test ? `, test ${formatNumber(test.size)}` : '';
  return `${train.name} ${formatNumber(train.size)} ${what} ${itemShape(train)}${testPart}`;
}

/** The shape of one item: `28x28x1` for images, `7x7 of 128` for code maps (two splits must agree). */
function itemShape(dataset: FitDataset): string {
  return dataset.kind === 'code-maps'
    ? `${dataset.height}x${dataset.width} of ${dataset.numCategories} codes`
    : dataset.imageShape.join('x');
}

/** Checks `data` and returns it typed; one line naming the field otherwise. */
export function checkFitData(data: unknown): { train: FitDataset; test: FitDataset | null } {
  const candidate = data as Partial<FitData> | null;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new ConfigError(formatExpected(FN, 'data', 'an object { train, test? }', describeValue(data)));
  }
  const check = (split: 'train' | 'test', value: unknown): FitDataset => {
    if (kindOf(value) === null) {
      throw new ConfigError(
        formatExpected(
          FN,
          `data.${split}`,
          'a dataset of @vaejs/datasets (loadMnist, createDataset, loadCodeMaps, …)',
          describeValue(value),
        ),
      );
    }
    const dataset = value as FitDataset;
    if (dataset.size === 0) {
      throw new DataError(formatExpected(FN, `data.${split}`, 'at least one item', `'${dataset.name}' with none`));
    }
    return dataset;
  };
  const train = check('train', candidate.train);
  const test = candidate.test === undefined || candidate.test === null ? null : check('test', candidate.test);
  if (test && itemShape(test) !== itemShape(train)) {
    throw new DataError(
      formatExpected(FN, 'data.test', `items of the training set's shape ${itemShape(train)}`, itemShape(test)),
    );
  }
  return { train, test };
}

/** Items in a dataset. */
export function sizeOf(dataset: FitDataset): number {
  return dataset.size;
}

/**
 * The test-time pipeline of a training pipeline: a dynamically binarised run is scored on one Bernoulli draw per
 * test image, fixed by the seed (the test set published likelihoods use; a threshold scores ~14 nats lower on
 * MNIST); other runs as trained. Test data is never shuffled.
 */
export function testPipeline(pipeline: BatchPlan['pipeline']): BatchPlan['pipeline'] {
  return pipeline.binarize === 'dynamic' ? { ...pipeline, binarize: 'static', staticBinarization: 'sample' } : pipeline;
}

/** One epoch of batches of `dataset`. */
export function epochBatches(dataset: FitDataset, plan: BatchPlan): EpochBatches {
  if (dataset.kind === 'code-maps') {
    const maps = createCodeMapBatches(dataset, {
      batchSize: plan.batchSize,
      shuffle: plan.shuffle,
      seed: plan.seed,
      epoch: plan.epoch,
    });
    return {
      numBatches: maps.numBatches,
      batch(index: number): TrainBatch {
        const batch = maps.batch(index);
        return { x: batch.x, ...(batch.labels ? { labels: batch.labels } : {}) };
      },
    };
  }
  const batches = createBatches(dataset, {
    batchSize: plan.batchSize,
    shuffle: plan.shuffle,
    seed: plan.seed,
    epoch: plan.epoch,
    ...plan.pipeline,
  });
  return {
    numBatches: batches.numBatches,
    batch(index: number): TrainBatch {
      const batch = batches.batch(index);
      batch.labelsOneHot?.dispose();
      return {
        x: batch.x,
        ...(batch.xClean ? { target: batch.xClean } : {}),
        ...(batch.labels ? { labels: batch.labels } : {}),
      };
    },
  };
}

/** Steps in one epoch. */
export function stepsPerEpoch(dataset: FitDataset, batchSize: number): number {
  return Math.ceil(sizeOf(dataset) / batchSize);
}

/** The first `count` items of the test pipeline as one batch (pictures and per-epoch figures). */
export function firstItems(dataset: FitDataset, count: number, plan: Omit<BatchPlan, 'batchSize'>): TrainBatch {
  const size = Math.min(count, sizeOf(dataset));
  return epochBatches(dataset, { ...plan, batchSize: size }).batch(0);
}

/**
 * The first `count` items of a dataset (default: all of them) as one batch, drawn as `fit` and `evaluate` draw test
 * data: in order, through the test form of the training pipeline `batches` (a dynamically binarised run's images are
 * binarised once, by `seed`). The caller disposes the batch's tensors.
 * @example const whole = testItems(loadMnist({ split: 'test' }), { batches: { binarize: 'dynamic' }, seed: 1 });
 */
export function testItems(
  dataset: FitDataset,
  options: { batches?: BatchPlan['pipeline']; seed?: number; count?: number } = {},
): TrainBatch {
  const plan = { seed: options.seed ?? 0, epoch: 0, shuffle: false, pipeline: testPipeline(options.batches ?? {}) };
  return firstItems(dataset, options.count ?? dataset.size, plan);
}

/** The first `count` items of a batch (new tensors). */
export function sliceBatch(batch: TrainBatch, count: number): TrainBatch {
  const take = Math.min(count, batch.x.shape[0] ?? 0);
  return tf.tidy(() => ({
    x: tf.slice(batch.x, 0, take),
    ...(batch.target ? { target: tf.slice(batch.target, 0, take) } : {}),
    ...(batch.labels ? { labels: tf.slice(batch.labels, 0, take) as tf.Tensor1D } : {}),
  }));
}

/** Disposes every tensor of a batch. */
export function disposeBatch(batch: TrainBatch): void {
  tf.dispose([batch.x, batch.target, batch.labels].filter((t): t is tf.Tensor => t !== undefined));
}
