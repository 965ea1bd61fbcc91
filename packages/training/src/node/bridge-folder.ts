/**
 * The PyTorch bridge's folder on disk (its format is `bridge-format.ts`): written whole or not at all (into a
 * temporary sibling, renamed into place), and read back with every file checked before anything is used.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CheckpointError, ConfigError, formatExpected, VaejsError } from '@vaejs/core';
import {
  BRIDGE_CONFIG_FILE,
  BRIDGE_OPTIMIZER_FILE,
  BRIDGE_WEIGHTS_FILE,
  type BridgeConfig,
  checkBridgeConfig,
} from '../bridge-format';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from '../safetensors';
import { writeFileDurable } from './file-io';

/** A bridge folder's content. */
export interface BridgeFolder {
  config: BridgeConfig;
  /** model.safetensors: every weight and state tensor, tfjs layout. */
  weights: Record<string, SafetensorsTensor>;
  /** optimizer.safetensors, or null when the folder has none (`config.optimizer` null). */
  optimizer: Record<string, SafetensorsTensor> | null;
}

/**
 * Writes a bridge folder into `dir`, which must not exist or be empty; `extra(folder)` adds files (a README, the
 * Python side) before the folder is moved into place. On any error nothing is left behind.
 * @throws ConfigError for a `dir` that holds files
 */
export function writeBridgeFolder(
  dir: string,
  content: BridgeFolder,
  options: { fn?: string; argument?: string; extra?: (folder: string) => void } = {},
): void {
  const fn = options.fn ?? 'writeBridgeFolder';
  const target = resolve(dir);
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new ConfigError(
      formatExpected(fn, options.argument ?? 'dir', 'a new or empty folder', `'${dir}', which holds files`),
    );
  }
  mkdirSync(dirname(target), { recursive: true });
  const temporary = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(temporary);
  try {
    writeFileDurable(
      join(temporary, BRIDGE_WEIGHTS_FILE),
      encodeSafetensors(content.weights, { format: 'vaejs-pytorch' }),
    );
    if (content.optimizer) {
      writeFileDurable(join(temporary, BRIDGE_OPTIMIZER_FILE), encodeSafetensors(content.optimizer));
    }
    options.extra?.(temporary);
    writeFileDurable(join(temporary, BRIDGE_CONFIG_FILE), `${JSON.stringify(content.config, null, 2)}\n`);
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Reads and checks a bridge folder: `config.json` (format, version, kind, fields), `model.safetensors` and, when the
 * config names an optimizer, `optimizer.safetensors`. Does not check the tensors against a model: `writeModelTensors`
 * and `optimizerSlotsIn` do.
 * @throws ConfigError or CheckpointError naming the file and what is wrong with it
 */
export function readBridgeFolder(dir: string, options: { fn?: string; argument?: string } = {}): BridgeFolder {
  const fn = options.fn ?? 'readBridgeFolder';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError(
      formatExpected(
        fn,
        options.argument ?? 'dir',
        'a folder written by vaejs export or vaejs_torch.train',
        `'${dir}' (no such folder)`,
      ),
    );
  }
  const configPath = join(dir, BRIDGE_CONFIG_FILE);
  const config = checkBridgeConfig(readJson(fn, configPath), configPath, fn);
  const weightsPath = join(dir, BRIDGE_WEIGHTS_FILE);
  const { tensors: weights, metadata } = readTensors(fn, weightsPath);
  // the Python side writes the step into both files: a folder caught between two writes has two steps
  if (metadata.step !== undefined && metadata.step !== String(config.training.step)) {
    throw new CheckpointError(
      formatExpected(
        fn,
        weightsPath,
        `of step ${config.training.step} (config.json's)`,
        `step ${metadata.step} (a write was interrupted; checkpoints/ beside it holds whole ones)`,
      ),
    );
  }
  const optimizer = config.optimizer ? readTensors(fn, join(dir, BRIDGE_OPTIMIZER_FILE)).tensors : null;
  return { config, weights, optimizer };
}

// helpers

function readJson(fn: string, path: string): unknown {
  if (!existsSync(path)) throw new ConfigError(formatExpected(fn, 'file', path, 'none'));
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(formatExpected(fn, path, 'readable JSON', (error as Error).message));
  }
}

function readTensors(fn: string, path: string): ReturnType<typeof decodeSafetensors> {
  if (!existsSync(path)) throw new CheckpointError(formatExpected(fn, 'file', path, 'none'));
  try {
    return decodeSafetensors(new Uint8Array(readFileSync(path)), fn);
  } catch (error) {
    if (!VaejsError.isInstance(error)) throw error;
    // the decoder's message names the field; say which file it is
    throw new CheckpointError(
      (error as Error).message.replace(`${fn}: expected `, `${fn}: expected ${basename(path)} `),
    );
  }
}
