// Node helpers shared by the demo's scripts: the test-image file format and a tfjs file IOHandler.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Writes the test images the page shows (see src/test-set.ts for the layout): magic 'VJTS', uint32 LE version 1, n,
 * height, width, channels, then n·h·w·c uint8 pixels (NHWC), then n uint8 labels.
 */
export function writeTestSet(path, { images, labels, n, height, width, channels }) {
  const header = Buffer.alloc(24);
  header.write('VJTS', 0, 'ascii');
  [1, n, height, width, channels].forEach((value, i) => {
    header.writeUInt32LE(value, 4 + 4 * i);
  });
  const pixels = Buffer.from(images.buffer, images.byteOffset, n * height * width * channels);
  writeFileSync(path, Buffer.concat([header, pixels, Buffer.from(Uint8Array.from(labels.subarray(0, n)))]));
}

/** A tfjs IOHandler that saves a LayersModel as `model.json` + `weights.bin` in `dir` and loads it back. */
export function fileIO(dir) {
  return {
    async save(artifacts) {
      mkdirSync(dir, { recursive: true });
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      writeFileSync(join(dir, 'weights.bin'), weights);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength },
      };
    },
    async load() {
      const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = manifest.flatMap((group) =>
          group.paths.map((path) => {
            const bytes = readFileSync(join(dir, path));
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
          }),
        );
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/** Writes a checkpoint folder in the trainer's layout: `<dir>/checkpoint.json`, `<dir>/<kind>.json`, `<dir>/<part>/`. */
export async function writeCheckpointFolder(dir, kind, save, extra = {}) {
  mkdirSync(dir, { recursive: true });
  const manifest = await save((part) => fileIO(join(dir, part)));
  writeFileSync(join(dir, `${kind}.json`), JSON.stringify(manifest, null, 2));
  writeFileSync(
    join(dir, 'checkpoint.json'),
    JSON.stringify({ format: 'vaejs-checkpoint', version: 1, kind, epoch: 0, step: 0, state: {}, ...extra }, null, 2),
  );
}
