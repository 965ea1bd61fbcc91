/**
 * The run config, `config.json`: what a run trains (the model's kind and config, fit's options, the data), written
 * by `fit` when a run starts or resumes and read back by anyone who reads the run (`createRunReader`).
 */
import type { ModelManifest } from '@vaejs/core';
import type { FitDataset } from '../data';
import type { ResolvedFitOptions } from '../options';
import { RUN_FORMAT, type RunConfig } from '../run-format';

/**
 * The config of a run that starts (`previous` null) or resumes: a resumed run keeps its first `createdAt`, and its
 * `app` unless `options.runInfo` gives a new one.
 */
export function createRunConfig(
  kind: string,
  manifest: ModelManifest,
  data: { train: FitDataset; test: FitDataset | null },
  options: ResolvedFitOptions,
  previous: RunConfig | null,
): RunConfig {
  const app = options.runInfo ?? previous?.app;
  return {
    format: RUN_FORMAT,
    version: 1,
    kind,
    model: manifest.config,
    fit: {
      epochs: options.epochs,
      batchSize: options.batchSize,
      testBatchSize: options.testBatchSize,
      seed: options.seed,
      optimizer: typeof options.optimizer === 'string' ? options.optimizer : 'custom',
      learningRate: options.learningRate,
      batches: options.batches,
      checkpointEvery: options.checkpointEvery,
    },
    data: {
      train: { name: data.train.name, size: data.train.size },
      test: data.test ? { name: data.test.name, size: data.test.size } : null,
    },
    ...(app ? { app } : {}),
    createdAt: previous?.createdAt ?? new Date().toISOString(),
  };
}

/** A parsed `config.json` as a RunConfig, or null for JSON that is not a vaejs run's config. */
export function parseRunConfig(json: unknown): RunConfig | null {
  const config = json as Partial<RunConfig> | null;
  return typeof config === 'object' && config !== null && config.format === RUN_FORMAT ? (config as RunConfig) : null;
}
