/**
 * `vaejs export --format pytorch`: a run's model as a folder PyTorch trains — its config, every tensor in the tfjs
 * layout (model.safetensors), the optimizer's slots, where training stands, and the Python side that maps it all to
 * torch.nn.Modules and trains it under torchrun (python/vaejs_torch). The format is @vaejs/training's bridge folder.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import {
  BRIDGE_CONFIG_FILE,
  BRIDGE_WEIGHTS_FILE,
  bridgeConfigOf,
  bridgeDataset,
  bridgeReadme,
  checkpointOptimizerSlots,
  OPTIMIZER_NAMES,
  type OptimizerName,
  readModelTensors,
  readRunFlags,
  writeBridgeFolder,
} from '@vaejs/training';
import { VERSION } from '../version';
import { runReader, withCheckpointModel } from './models';
import { withBackendFlags, withMaxMemory } from './options';
import { text } from './parse';
import { copyPythonSide } from './python-side';

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
    const optimizer = known
      ? await checkpointOptimizerSlots(checkpoint.location, name, Object.keys(tensors), FN)
      : null;
    const dataset = bridgeDataset(checkpoint.kind, await readRunFlags(checkpoint.run));
    const source = {
      run: resolve(options.run),
      checkpoint: resolve(checkpoint.location),
      exportedBy: `vaejs ${VERSION}`,
    };
    const config = bridgeConfigOf(checkpoint, manifest, runConfig, {
      optimizer: optimizer && { name, order: optimizer.order },
      dataset,
      source,
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
