import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, formatExpected } from '@vaejs/core';

/** Writes `data` to `path` and flushes it to disk before returning. */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let offset = 0;
    while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A tfjs IOHandler that saves a LayersModel as `model.json` + `weights.bin` in `dir` (the standard tfjs format,
 * which `tf.loadLayersModel('http://…/model.json')` reads in a browser) and loads it back.
 * tfjs-core has no file handler without tfjs-node, so the trainer brings its own.
 */
export function fileIO(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData
        ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData as ArrayBuffer | ArrayBuffer[]))
        : new Uint8Array(0);
      writeFileDurable(join(dir, 'weights.bin'), weights);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      writeFileDurable(join(dir, 'model.json'), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weights.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = join(dir, 'model.json');
      if (!existsSync(jsonPath)) {
        throw new CheckpointError(formatExpected('load', 'model folder', `a model.json in ${dir}`, 'none'));
      }
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        throw new CheckpointError(
          formatExpected('load', jsonPath, 'valid JSON', `a parse error (${(error as Error).message})`),
        );
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = manifest.flatMap((group) =>
          group.paths.map((path) => {
            const bytes = readFileSync(join(dir, path));
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
          }),
        );
        const weightData = tf.io.CompositeArrayBuffer.join(buffers);
        const expectedBytes = specs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
        if (weightData.byteLength < expectedBytes) {
          throw new CheckpointError(
            formatExpected('load', `${dir}/weights.bin`, `${expectedBytes} bytes`, `${weightData.byteLength} bytes`),
          );
        }
        return [specs, weightData];
      });
    },
  };
}

/** A tensor with the name it is saved under (tfjs' NamedTensor, which tfjs-core does not export). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Saves named tensors (optimizer slots, say) as `<name>.json` + `<name>.bin` in `dir`. */
export async function saveNamedTensors(dir: string, name: string, tensors: NamedTensor[]): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  writeFileDurable(join(dir, `${name}.bin`), new Uint8Array(data));
  writeFileDurable(join(dir, `${name}.json`), JSON.stringify(specs));
}

/** Loads what `saveNamedTensors` wrote, in the order written. The caller owns the tensors. */
export function loadNamedTensors(dir: string, name: string): NamedTensor[] {
  const specPath = join(dir, `${name}.json`);
  const specs = JSON.parse(readFileSync(specPath, 'utf8')) as tf.io.WeightsManifestEntry[];
  const bytes = readFileSync(join(dir, `${name}.bin`));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buffer, specs);
  return specs.map((spec) => ({ name: spec.name, tensor: map[spec.name] as tf.Tensor }));
}
