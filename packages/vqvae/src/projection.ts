// A codebook in a lower dimension (as vector-quantize-pytorch's `codebook_dim`; Yu et al. 2021, "Vector-quantized
// Image Modeling with Improved VQGAN", factorized codes): z_e [..., D] is projected to [..., d] by a learnt linear
// map, quantised there against a [K, d] codebook, and the code is projected back to D by another. Lookup compares
// d-dimensional vectors (cheaper, and a low-dimensional codebook is used more evenly); the decoder still sees D.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertLastDim } from './nearest-code';
import type { Quantizer } from './quantizer';

/** The two linear maps: in [D, d] and [d], out [d, D] and [D] (tfjs Dense layout: x·kernel + bias). */
export interface ProjectionVariables {
  inKernel: tf.Variable;
  inBias: tf.Variable;
  outKernel: tf.Variable;
  outBias: tf.Variable;
}

/** Seeded Glorot-uniform kernels and zero biases for D → d → D. */
export function initialProjection(
  dim: number,
  codebookDim: number,
  seed: number,
): Record<keyof ProjectionVariables, tf.Tensor> {
  const glorot = (rows: number, columns: number, offset: number) =>
    tfl.initializers.glorotUniform({ seed: seed + offset }).apply([rows, columns]);
  return {
    inKernel: glorot(dim, codebookDim, 1000),
    inBias: tf.zeros([codebookDim]),
    outKernel: glorot(codebookDim, dim, 1001),
    outBias: tf.zeros([dim]),
  };
}

/** The maps as variables of their own (a quantiser created outside a layer owns them). */
export function ownedProjection(dim: number, codebookDim: number, seed: number): ProjectionVariables {
  return tf.tidy(() => {
    const initial = initialProjection(dim, codebookDim, seed);
    return {
      inKernel: tf.variable(initial.inKernel),
      inBias: tf.variable(initial.inBias),
      outKernel: tf.variable(initial.outKernel),
      outBias: tf.variable(initial.outBias),
    };
  });
}

/** Adds a weight holding `initial` to a layer and returns its variable (the layer's protected addWeight + write). */
export type AddWeight = (name: string, initial: tf.Tensor, trainable: boolean) => tf.Variable;

/** The maps as a layer's trainable weights `project_in_kernel`, `project_in_bias`, `project_out_kernel`, `project_out_bias`. */
export function projectionWeights(add: AddWeight, dim: number, codebookDim: number, seed: number): ProjectionVariables {
  const initial = initialProjection(dim, codebookDim, seed);
  const made = {
    inKernel: add('project_in_kernel', initial.inKernel, true),
    inBias: add('project_in_bias', initial.inBias, true),
    outKernel: add('project_out_kernel', initial.outKernel, true),
    outBias: add('project_out_bias', initial.outBias, true),
  };
  tf.dispose(Object.values(initial));
  return made;
}

/** `x·kernel + bias` over the last axis of x [..., a] with kernel [a, b]. */
function linear(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [inputs, outputs] = kernel.shape as [number, number];
  const flat = tf.reshape(x, [-1, inputs]);
  return tf.reshape(tf.add(tf.matMul(flat, kernel), bias), [...x.shape.slice(0, -1), outputs]);
}

/**
 * The quantiser `inner` (over d-dimensional vectors) seen from D dimensions: every input goes through the in map,
 * every code and output back through the out map. Its trainable variables are the inner quantiser's and the maps'.
 * @param owned whether `dispose` frees the maps (the inner quantiser is disposed either way)
 */
export function projectedQuantizer<Q extends Quantizer>(
  inner: Q,
  variables: ProjectionVariables,
  dim: number,
  owned: boolean,
): Q {
  const { inKernel, inBias, outKernel, outBias } = variables;
  const down = (z: tf.Tensor, fn: string) => {
    assertLastDim(fn, z, dim, 'config.dim');
    return linear(z, inKernel, inBias);
  };
  const up = (codes: tf.Tensor) => linear(codes, outKernel, outBias);
  const maps = [inKernel, inBias, outKernel, outBias];
  const projected: Quantizer = {
    kind: inner.kind,
    dim,
    codebookSize: inner.codebookSize,
    get codebook() {
      return inner.codebook;
    },
    get initialized() {
      return inner.initialized;
    },
    get trainableVariables() {
      return [...inner.trainableVariables, ...maps];
    },
    quantize(z, options) {
      return tf.tidy(() => {
        const result = inner.quantize(down(z, 'vectorQuantizer.quantize'), options);
        return { ...result, quantized: up(result.quantized), output: up(result.output) };
      }) as ReturnType<Quantizer['quantize']>;
    },
    encode: (z) => tf.tidy(() => inner.encode(down(z, 'vectorQuantizer.encode'))),
    lookup: (indices) => tf.tidy(() => up(inner.lookup(indices))),
    initialize: (z) => tf.tidy(() => inner.initialize(down(z, 'vectorQuantizer.initialize'))),
    // the EMA and restarts see z_e through the in map as the optimiser step left it
    update: (z, indices) => tf.tidy(() => inner.update(down(z, 'vectorQuantizer.update'), indices)),
    getRngState: () => inner.getRngState(),
    setRngState: (state) => inner.setRngState(state),
    getState: () => inner.getState(),
    setState: (state) => inner.setState(state),
    dispose() {
      inner.dispose();
      if (owned) tf.dispose(maps);
    },
  };
  // the inner quantiser's own members (its config, EMA state, levels) stay readable; the methods are the projected ones
  return Object.defineProperties(Object.create(inner), Object.getOwnPropertyDescriptors(projected)) as Q;
}
