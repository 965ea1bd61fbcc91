/**
 * `vaejs export --format pytorch`: a run's model as a folder PyTorch trains — its config, every tensor in the tfjs
 * layout (model.safetensors), the optimizer's slots, where training stands, and the Python side that maps it all to
 * torch.nn.Modules and trains it under torchrun (python/vaejs_torch). The format is @vaejs/training's bridge folder.
 */
import { resolve } from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import { exportBridgeFolder } from '@vaejs/training';
import { VERSION } from '../version';
import { withCheckpointModel } from './models';
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
  // Export reads the weights and runs no batch: the model is checked against --max-memory for one item.
  const written = await withCheckpointModel(where, options.run, options, 1, async (model, checkpoint) => {
    const source = {
      run: resolve(options.run),
      checkpoint: resolve(checkpoint.location),
      exportedBy: `vaejs ${VERSION}`,
    };
    const extra = copyPythonSide;
    const how = { run: options.run, source, extra, fn: FN, argument: '--out' };
    const { files } = await exportBridgeFolder(options.out, model, checkpoint, how);
    return files.flatMap((file) => (file === 'README.md' ? ['python/', file] : [file]));
  });
  process.stderr.write(`exported: ${options.out} (${written.join(', ')}); train it as ${options.out}/README.md says\n`);
}
