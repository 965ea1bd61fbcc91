/**
 * `vaejs import --format pytorch`: a folder `vaejs export` wrote and PyTorch trained (python -m vaejs_torch.train)
 * back as a vaejs run folder — its config, metrics and a checkpoint with the optimizer's state — that `sample`,
 * `eval`, `encode`, `train --resume`, `prior train --resume` and the demo take. Every file is checked against the model
 * its config describes before anything is written: a bad one is one line naming the tensor or field, exit 2.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import {
  BRIDGE_CONFIG_FILE,
  BRIDGE_OPTIMIZER_FILE,
  BRIDGE_WEIGHTS_FILE,
  readBridgeFolder,
  writeBridgeRun,
} from '@vaejs/training';
import { setupBackendFromFlags } from '../backend';
import type { Model } from './models';
import { runReader } from './models';
import { withBackendFlags } from './options';
import { text, UsageError } from './parse';

const FN = 'vaejs import';

export function importCommand() {
  const command = new Command('import')
    .description(
      'bring a model trained elsewhere back as a vaejs run folder (--format pytorch: a folder vaejs export wrote and python -m vaejs_torch.train trained)',
    )
    .addOption(new Option('--format <name>', 'what to read').choices(['pytorch'] as const).makeOptionMandatory())
    .requiredOption(
      '--from <folder>',
      `the folder to read (${BRIDGE_CONFIG_FILE}, ${BRIDGE_WEIGHTS_FILE}, ${BRIDGE_OPTIMIZER_FILE})`,
      text,
    )
    .requiredOption('--out <folder>', 'the run folder to write (new or empty)', text);
  return withBackendFlags(command).action(async (options) => {
    await importRun(options);
  });
}

type ImportOptions = Parameters<Parameters<ReturnType<typeof importCommand>['action']>[0]>[0];

export async function importRun(options: ImportOptions): Promise<void> {
  const bridge = readBridgeFolder(options.from, { fn: FN, argument: '--from' });
  const { config } = bridge;
  if (existsSync(options.out) && (!statSync(options.out).isDirectory() || readdirSync(options.out).length > 0)) {
    throw new UsageError(`${FN}: expected --out a new or empty folder, got '${options.out}', which holds files.`);
  }
  if (!runReader.kinds.includes(config.kind)) {
    const file = join(options.from, BRIDGE_CONFIG_FILE);
    throw new UsageError(`${FN}: expected ${file} kind one of ${runReader.kinds.join(', ')}, got '${config.kind}'.`);
  }
  await setupBackendFromFlags(options);
  const model = runReader.create(config.kind, config.model, { fn: FN }) as Model;
  try {
    await writeBridgeRun(options.out, model, bridge, { from: options.from, fn: FN });
  } finally {
    model.dispose();
  }
  process.stderr.write(
    `imported: ${options.out} (a ${config.kind} at epoch ${config.training.epoch}); vaejs sample, eval, encode and the demo take it\n`,
  );
}
