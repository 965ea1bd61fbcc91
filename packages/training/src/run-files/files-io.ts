/**
 * tfjs IO over a run folder held as files (`run-files.ts`): the `fileIO` of Node and the `httpIO` of pages, for
 * IndexedDB, dropped folders and archives. A part is `<folder><part>/model.json` + `weights.bin`; loads make the same
 * checks as the other two (plain weight paths inside the part's folder, the exact size the specs say, finite values).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, formatExpected } from '@vaejs/core';
import type { NamedTensor } from '../optimizer';
import {
  checkFiniteWeights,
  checkWeightsManifest,
  isPartName,
  PART_MODEL_FILE,
  PART_WEIGHTS_FILE,
  type WeightsGroup,
} from '../run-format';
import { jsonBytes, type RunFiles, readJsonFile } from './run-files';

const FN = 'load';

/**
 * A tfjs IOHandler for the part `part` of the checkpoint at `folder` (a path prefix inside `files`, `''` or ending in
 * `/`): `save` writes `model.json` + `weights.bin` into `files`, `load` reads them back with the checks above.
 * @param location how messages name the folder (`indexeddb:vae-mlp/checkpoints/epoch-0001/`)
 */
export function filesIO(files: RunFiles, folder: string, part: string, location = folder): tf.io.IOHandler {
  if (!isPartName(part)) {
    throw new CheckpointError(formatExpected('checkpoint', 'part', 'a plain part name', JSON.stringify(part)));
  }
  const dir = `${folder}${part}/`;
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = artifacts.weightData
        ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData as ArrayBuffer | ArrayBuffer[]))
        : new Uint8Array(0);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [PART_WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      files.set(`${dir}${PART_WEIGHTS_FILE}`, weights);
      files.set(`${dir}${PART_MODEL_FILE}`, jsonBytes(modelJson, 0));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = readJsonFile(
        files,
        `${dir}${PART_MODEL_FILE}`,
        `${location}${part}/${PART_MODEL_FILE}`,
      ) as tf.io.ModelJSON | null;
      if (modelJson === null) {
        throw new CheckpointError(
          formatExpected(FN, `part '${part}'`, `a file ${location}${part}/${PART_MODEL_FILE}`, 'none'),
        );
      }
      const expectedBytes = checkWeightsManifest(part, modelJson.weightsManifest);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const groups = manifest as unknown as WeightsGroup[];
        // checkWeightsManifest let only plain file names through: each resolves inside the part's folder
        const buffers = groups.flatMap((group) =>
          group.paths.map((path) => {
            const bytes = files.get(`${dir}${path}`);
            if (bytes === undefined) {
              throw new CheckpointError(
                formatExpected(FN, `part '${part}' weights`, `a file ${location}${part}/${path}`, 'none'),
              );
            }
            return arrayBufferOf(bytes);
          }),
        );
        const weightData = tf.io.CompositeArrayBuffer.join(buffers);
        checkSize(`part '${part}' weights`, expectedBytes, weightData.byteLength);
        checkFiniteWeights(part, groups, weightData);
        return [groups.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[], weightData];
      });
    },
  };
}

/** Writes named tensors (an optimizer's slots) as `<folder><name>.json` (specs) + `<name>.bin`, as Node's files. */
export async function saveNamedTensorFiles(
  files: RunFiles,
  folder: string,
  name: string,
  tensors: NamedTensor[],
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  files.set(`${folder}${name}.bin`, new Uint8Array(data));
  files.set(`${folder}${name}.json`, jsonBytes(specs, 0));
}

/** Reads what `saveNamedTensorFiles` (or Node's `saveNamedTensors`) wrote, checked; the caller owns the tensors. */
export function loadNamedTensorFiles(files: RunFiles, folder: string, name: string, location = folder): NamedTensor[] {
  const specs = readJsonFile(files, `${folder}${name}.json`, `${location}${name}.json`) as
    | tf.io.WeightsManifestEntry[]
    | null;
  if (specs === null)
    throw new CheckpointError(formatExpected(FN, `${name}.json`, `a file ${location}${name}.json`, 'none'));
  const groups = [{ paths: [`${name}.bin`], weights: specs }] as unknown as WeightsGroup[];
  const expectedBytes = checkWeightsManifest(name, groups);
  const bytes = files.get(`${folder}${name}.bin`);
  if (bytes === undefined)
    throw new CheckpointError(formatExpected(FN, `${name}.bin`, `a file ${location}${name}.bin`, 'none'));
  const buffer = arrayBufferOf(bytes);
  checkSize(`${location}${name}.bin`, expectedBytes, buffer.byteLength);
  checkFiniteWeights(name, groups, buffer);
  const map = tf.io.decodeWeights(buffer, specs);
  return specs.map((spec) => ({ name: spec.name, tensor: map[spec.name] as tf.Tensor }));
}

/**
 * Checks the weights a checkpoint is about to save: each part's (its `model.json` under `folder`) and the named
 * tensors' finite, so that a broken model never replaces a good checkpoint.
 * @throws CheckpointError naming the part and the weight
 */
export function checkFiniteFiles(files: RunFiles, folder: string, parts: readonly string[], named: readonly string[]) {
  for (const part of parts) {
    const modelJson = readJsonFile(files, `${folder}${part}/${PART_MODEL_FILE}`) as tf.io.ModelJSON;
    const groups = modelJson.weightsManifest as unknown as WeightsGroup[];
    const data = groups.flatMap((group) => group.paths.map((path) => files.get(`${folder}${part}/${path}`)));
    checkFiniteWeights(
      part,
      groups,
      tf.io.CompositeArrayBuffer.join(data.map((bytes) => arrayBufferOf(bytes ?? new Uint8Array(0)))),
    );
  }
  for (const name of named) {
    const specs = readJsonFile(files, `${folder}${name}.json`) as tf.io.WeightsManifestEntry[];
    const groups = [{ paths: [`${name}.bin`], weights: specs }] as unknown as WeightsGroup[];
    checkFiniteWeights(name, groups, arrayBufferOf(files.get(`${folder}${name}.bin`) ?? new Uint8Array(0)));
  }
}

// helpers

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function checkSize(what: string, expected: number, actual: number): void {
  if (actual !== expected) {
    throw new CheckpointError(formatExpected(FN, what, `exactly ${expected} bytes`, `${actual} bytes`));
  }
}
