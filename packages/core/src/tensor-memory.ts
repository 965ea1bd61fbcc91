import * as tf from '@tensorflow/tfjs-core';

const probed = new WeakMap<object, boolean>();

/**
 * Whether the active backend copies a typed array when a tensor is made from it (wasm does, into its heap), so that
 * the array can be written again at once without changing the tensor. Backends that keep the array (cpu) or read it
 * later (webgl's upload, tfjs-node's) say false, and then an array given to a tensor must not be written again. Found
 * by trying, once per backend instance: a one-value tensor is made from an array that is then changed.
 * @example
 * const values = backendCopiesOnCreate() ? scratch : new Float32Array(size); // scratch: written for every batch
 */
export function backendCopiesOnCreate(): boolean {
  const backend = tf.backend();
  let copies = probed.get(backend);
  if (copies === undefined) {
    const values = new Float32Array([1]);
    const probe = tf.tensor1d(values, 'float32');
    values[0] = 2;
    copies = probe.dataSync()[0] === 1;
    probe.dispose();
    probed.set(backend, copies);
  }
  return copies;
}
