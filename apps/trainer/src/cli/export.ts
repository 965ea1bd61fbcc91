/**
 * `vaejs export --format pytorch`: a run's model as a folder PyTorch trains — its config, every tensor in the tfjs
 * layout (model.safetensors), the optimizer's slots, where training stands, and the Python side that maps it all to
 * torch.nn.Modules and trains it under torchrun (python/vaejs_torch). The format is @vaejs/training's bridge folder.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelManifest } from '@vaejs/core';
import { resolveMnistDataDir } from '@vaejs/datasets';
import {
  BRIDGE_CONFIG_FILE,
  BRIDGE_FORMAT,
  BRIDGE_WEIGHTS_FILE,
  type BridgeConfig,
  bridgeReadme,
  type LocatedCheckpoint,
  loadNamedTensors,
  OPTIMIZER_NAMES,
  type OptimizerName,
  optimizerSlotsOut,
  optimizerStateData,
  type RunConfig,
  readModelTensors,
  runFormat,
  writeBridgeFolder,
} from '@vaejs/training';
import { VERSION } from '../version';
import { runReader, withCheckpointModel } from './models';
import { withBackendFlags, withMaxMemory } from './options';
import { text } from './parse';
import { copyPythonSide } from './python-side';
import { runFlags } from './run-flags';

const FN = 'vaejs export';

export function exportCommand() {
  const command = new Command('export')
    .description(
      "write a run's model for PyTorch (--format pytorch): a folder python -m vaejs_torch.train trains, on one process or many under torchrun",
    )
    .addOption(new Option('--format <name>', 'what to write').choices(['pytorch'] as const).makeOptionMandatory())
    .requiredOption('--run <folder>', 'a run folder (its newest checkpoint) or a checkpoint folder', text)
    .requiredOption('--out <folder>', 'the folder to write (new or empty)', text);
  return withBackendFlags(withMaxMemory(command)).action(async (options) => {
    await exportRun(options);
  });
}

type ExportOptions = Parameters<Parameters<ReturnType<typeof exportCommand>['action']>[0]>[0];

export async function exportRun(options: ExportOptions): Promise<void> {
  const where = { fn: FN, argument: '--run' };
  const written = [BRIDGE_CONFIG_FILE, BRIDGE_WEIGHTS_FILE, 'python/', 'README.md'];
  // Export reads the weights and runs no batch: the model is checked against --max-memory for one item.
  await withCheckpointModel(where, options.run, options, 1, async (model, checkpoint) => {
    const { manifest, tensors } = await readModelTensors(model);
    const runConfig = checkpoint.run ? await runReader.readConfig(checkpoint.run) : null;
    const fit = runConfig?.fit ?? {};
    const name = fit.optimizer as OptimizerName;
    const known = OPTIMIZER_NAMES.includes(name) && checkpoint.info !== null;
    const optimizer = known ? await slotsOf(checkpoint.location, name, Object.keys(tensors)) : null;
    const dataset = datasetOf(checkpoint.kind, await runFlags(checkpoint.run));
    const config = bridgeConfig(options, checkpoint, manifest, runConfig, {
      optimizer: optimizer && { name, order: optimizer.order },
      dataset,
    });
    const readme = bridgeReadme({
      kind: checkpoint.kind,
      run: options.run,
      out: options.out,
      dataset: String(dataset.codes ?? dataset.name ?? 'mnist'),
      batchSize: Number(fit.batchSize ?? 128),
      epoch: config.training.epoch,
    });
    if (optimizer) written.splice(2, 0, 'optimizer.safetensors');
    const extra = (folder: string) => {
      copyPythonSide(folder);
      writeFileSync(join(folder, 'README.md'), readme);
    };
    const content = { config, weights: tensors, optimizer: optimizer?.slots ?? null };
    writeBridgeFolder(options.out, content, { fn: FN, argument: '--out', extra });
  });
  process.stderr.write(`exported: ${options.out} (${written.join(', ')}); train it as ${options.out}/README.md says\n`);
}

/**
 * The bridge folder's config of a checkpoint: its kind, config and state (the manifest's other fields), the
 * optimizer's name and order, where training stands and where its data is. `training.epoch` counts the epochs
 * completed: a checkpoint written mid-epoch (`info.batch` > 0) is in epoch `info.epoch`, which the Python side then
 * trains whole (its steps so far still count in `training.step`).
 */
function bridgeConfig(
  options: ExportOptions,
  checkpoint: LocatedCheckpoint,
  manifest: ModelManifest,
  runConfig: RunConfig | null,
  extra: { optimizer: { name: OptimizerName; order: string[] } | null; dataset: Record<string, unknown> },
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
    source: { run: resolve(options.run), checkpoint: resolve(checkpoint.location), exportedBy: `vaejs ${VERSION}` },
  };
}

/** The optimizer's slots of a checkpoint folder, named by the model's weights. */
async function slotsOf(location: string, name: OptimizerName, weights: string[]) {
  const state = loadNamedTensors(location, runFormat.OPTIMIZER_STATE);
  try {
    return optimizerSlotsOut(name, await optimizerStateData(state), weights, FN);
  } finally {
    tf.dispose(state.map((slot) => slot.tensor));
  }
}

/** What the Python side needs to find the run's data: its name or folder, and where MNIST's IDX files are here. */
function datasetOf(kind: string, flags: Record<string, unknown>): Record<string, unknown> {
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
