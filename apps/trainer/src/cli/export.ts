/**
 * `vaejs export --format pytorch`: a run's model as a folder PyTorch trains — its config, every tensor in the tfjs
 * layout (model.safetensors), the optimizer's slots, where training stands, and the Python side that maps it all to
 * torch.nn.Modules and trains it under torchrun (python/vaejs_torch). The format is @vaejs/training's bridge folder.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs-core';
import { resolveMnistDataDir } from '@vaejs/datasets';
import {
  BRIDGE_FORMAT,
  type BridgeConfig,
  loadNamedTensors,
  OPTIMIZER_NAMES,
  type OptimizerName,
  optimizerSlotsOut,
  optimizerStateData,
  readModelTensors,
  runFormat,
  writeBridgeFolder,
} from '@vaejs/training';
import { VERSION } from '../version';
import { exportReadme } from './export-readme';
import { runReader, withCheckpointModel } from './models';
import { withBackendFlags } from './options';
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
  return withBackendFlags(command).action(async (options) => {
    await exportRun(options);
  });
}

type ExportOptions = Parameters<Parameters<ReturnType<typeof exportCommand>['action']>[0]>[0];

export async function exportRun(options: ExportOptions): Promise<void> {
  const where = { fn: FN, argument: '--run' };
  const written = ['config.json', 'model.safetensors', 'python/', 'README.md'];
  await withCheckpointModel(where, options.run, options, async (model, checkpoint) => {
    const { manifest, tensors } = await readModelTensors(model);
    const { format: _format, version: _version, config: modelConfig, parts: _parts, ...state } = manifest;
    const runConfig = checkpoint.run ? await runReader.readConfig(checkpoint.run) : null;
    const flags = await runFlags(checkpoint.run);
    const fit = runConfig?.fit ?? {};
    const name = fit.optimizer as OptimizerName;
    const optimizer =
      OPTIMIZER_NAMES.includes(name) && checkpoint.info
        ? await slotsOf(checkpoint.location, name, Object.keys(tensors))
        : null;
    const info = checkpoint.info;
    const config: BridgeConfig = {
      format: BRIDGE_FORMAT,
      version: 1,
      kind: checkpoint.kind,
      model: modelConfig as Record<string, unknown>,
      state,
      optimizer: optimizer ? { name, learningRate: Number(fit.learningRate ?? 1e-3), order: optimizer.order } : null,
      training: {
        epoch: info?.epoch ?? 0,
        step: info?.step ?? 0,
        history: info?.state.history ?? [],
        rng: info?.state.rng ?? null,
        fit,
        data: runConfig?.data ?? { train: { name: 'unknown', size: 0 }, test: null },
        app: runConfig?.app ?? null,
        dataset: datasetOf(checkpoint.kind, flags),
      },
      source: { run: resolve(options.run), checkpoint: resolve(checkpoint.location), exportedBy: `vaejs ${VERSION}` },
    };
    const dataset = String(config.training.dataset.codes ?? config.training.dataset.name ?? 'mnist');
    const readme = exportReadme({
      kind: checkpoint.kind,
      run: options.run,
      out: options.out,
      dataset,
      batchSize: Number(fit.batchSize ?? 128),
      epoch: info?.epoch ?? 0,
    });
    if (optimizer) written.splice(2, 0, 'optimizer.safetensors');
    writeBridgeFolder(
      options.out,
      { config, weights: tensors, optimizer: optimizer?.slots ?? null },
      {
        fn: FN,
        argument: '--out',
        extra: (folder) => {
          copyPythonSide(folder);
          writeFileSync(join(folder, 'README.md'), readme);
        },
      },
    );
  });
  process.stderr.write(`exported: ${options.out} (${written.join(', ')}); train it as ${options.out}/README.md says\n`);
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
