/**
 * File IO for Node without tfjs-node: a tfjs IOHandler over a folder (`model.json` + `weights.bin`, the standard
 * format that `tf.loadLayersModel('http://…/model.json')` reads in a browser), named tensors (an optimizer's slots),
 * and durable writes. Reads are contained: weight paths are plain names inside the folder, the weights must have
 * exactly the size their specs say, and must be finite.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, formatExpected } from '@vaejs/core';
import type { NamedTensor } from '../optimizer';
import {
  checkFiniteWeights,
  checkWeightsManifest,
  PART_MODEL_FILE,
  PART_WEIGHTS_FILE,
  type WeightsGroup,
} from '../run-format';

/** Writes `data` to `path` and flushes it to disk before returning. */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let offset = 0;
    while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
  } catch (error) {
    // errors of fd-based calls (a full disk on write or fsync) carry no path: name the file
    const failure = error as NodeJS.ErrnoException;
    if (failure.path === undefined) failure.path = path;
    throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces the file `path` by `data` as a whole: written to a temporary file beside it (`.<name>.<pid>.<hex>.tmp`),
 * flushed, then renamed over it. A process killed at any moment leaves the old file or the new one, never a part;
 * what it leaves of the temporary file is swept by {@link removeStaleTemporaryFiles}.
 */
export function replaceFileDurable(path: string, data: string | Uint8Array): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomHex()}.tmp`);
  try {
    writeFileDurable(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    // the file the user knows is the one replaced, not the temporary one
    const failure = error as NodeJS.ErrnoException;
    if (failure.path === temporary) failure.path = path;
    throw error;
  }
}

/** Removes the temporary files of {@link replaceFileDurable} in `dir` left by processes that no longer run. */
export function removeStaleTemporaryFiles(dir: string, alive: (pid: number) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^\..+\.(\d+)\.[\da-f]+\.tmp$/.exec(name);
    if (match && Number(match[1]) !== process.pid && !alive(Number(match[1]))) {
      rmSync(join(dir, name), { force: true });
    }
  }
}

function randomHex(): string {
  return Math.floor(Math.random() * 2 ** 32).toString(16);
}

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new CheckpointError(formatExpected('load', what, `a file ${path}`, 'none'));
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CheckpointError(
      formatExpected('load', path, 'valid JSON', `a parse error (${(error as Error).message})`),
    );
  }
}

function arrayBufferOf(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * A tfjs IOHandler that saves a LayersModel (or anything `tf.io` saves) as `model.json` + `weights.bin` in `dir`, and
 * loads it back with the checks above. `part` names it in messages.
 * @example
 * await vae.save((part) => fileIO(`runs/my-vae/${part}`));
 */
export function fileIO(dir: string, part = dir): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData
        ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData as ArrayBuffer | ArrayBuffer[]))
        : new Uint8Array(0);
      writeFileDurable(join(dir, PART_WEIGHTS_FILE), weights);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [PART_WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      writeFileDurable(join(dir, PART_MODEL_FILE), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = readJson(join(dir, PART_MODEL_FILE), `part '${part}'`) as tf.io.ModelJSON;
      const expectedBytes = checkWeightsManifest(part, modelJson?.weightsManifest);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const groups = manifest as unknown as WeightsGroup[];
        const buffers = groups.flatMap((group) =>
          group.paths.map((path) => arrayBufferOf(readFileSync(join(dir, path)))),
        );
        const weightData = tf.io.CompositeArrayBuffer.join(buffers);
        if (weightData.byteLength !== expectedBytes) {
          throw new CheckpointError(
            formatExpected(
              'load',
              `part '${part}' weights`,
              `exactly ${expectedBytes} bytes`,
              `${weightData.byteLength} bytes`,
            ),
          );
        }
        checkFiniteWeights(part, groups, weightData);
        return [groups.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[], weightData];
      });
    },
  };
}

/** Saves named tensors (an optimizer's slots, say) as `<name>.json` (specs) + `<name>.bin` in `dir`. */
export async function saveNamedTensors(dir: string, name: string, tensors: NamedTensor[]): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  writeFileDurable(join(dir, `${name}.bin`), new Uint8Array(data));
  writeFileDurable(join(dir, `${name}.json`), JSON.stringify(specs));
}

/**
 * Loads what `saveNamedTensors` wrote, in the order written, checked like a part's weights (exact size, finite).
 * The caller owns the tensors.
 */
export function loadNamedTensors(dir: string, name: string): NamedTensor[] {
  const specs = readJson(join(dir, `${name}.json`), `${name}.json`) as tf.io.WeightsManifestEntry[];
  const groups = [{ paths: [`${name}.bin`], weights: specs }] as unknown as WeightsGroup[];
  const expectedBytes = checkWeightsManifest(name, groups);
  const path = join(dir, `${name}.bin`);
  if (!existsSync(path)) throw new CheckpointError(formatExpected('load', `${name}.bin`, `a file ${path}`, 'none'));
  const buffer = arrayBufferOf(readFileSync(path));
  if (buffer.byteLength !== expectedBytes) {
    throw new CheckpointError(
      formatExpected('load', path, `exactly ${expectedBytes} bytes (${name}.json)`, `${buffer.byteLength} bytes`),
    );
  }
  checkFiniteWeights(name, groups, buffer);
  const map = tf.io.decodeWeights(buffer, specs);
  return specs.map((spec) => ({ name: spec.name, tensor: map[spec.name] as tf.Tensor }));
}
