import * as tf from '@tensorflow/tfjs-core';

/**
 * An in-memory checkpoint: `save(part)` handlers that keep each part's artifacts, and `load(part)` handlers that
 * hand them back after a JSON round trip of everything but the weight bytes, as a file would.
 */
export function memoryStore() {
  const parts: Record<string, tf.io.ModelArtifacts> = {};
  return {
    parts,
    save: (part: string): tf.io.IOHandler =>
      tf.io.withSaveHandler(async (artifacts) => {
        parts[part] = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    load: (part: string): tf.io.IOHandler => {
      const artifacts = parts[part] as tf.io.ModelArtifacts;
      const json = JSON.parse(JSON.stringify({ ...artifacts, weightData: undefined })) as tf.io.ModelArtifacts;
      return tf.io.fromMemory({ ...json, weightData: artifacts.weightData });
    },
  };
}

/** The values of a tensor, which it disposes. */
export function read(tensor: tf.Tensor): number[] {
  const values = Array.from(tensor.dataSync());
  tensor.dispose();
  return values;
}
