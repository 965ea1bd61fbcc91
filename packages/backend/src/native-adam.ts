// Adam on the native addon: tfjs' AdamOptimizer.applyGradients runs about 14 element-wise kernels per variable, each
// reading and writing whole buffers; the addon reads a variable, its two moments and its gradient once, updates the
// moments in place and writes the new value once, with the same float32 operations in the same order (bit-identical
// results; addon/src/adam.cc). The new value goes to a new buffer that the variable is assigned, as tfjs does: the
// wasm backend caches XNNPACK's packed weights by buffer, so a variable's buffer must not change in place.
// Installed as a replacement of AdamOptimizer.prototype.applyGradients while the native kernels are on, so every
// Adam (tf.train.adam, tf.layers' 'adam', @vaejs/training's) takes it; outside the wasm backend, or for a variable
// whose buffer another tensor shares (writing in place would change that tensor too), it runs tfjs' own update.
import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernels/utils/kernel-utils';
import { heapView, type NativeAddon } from './kernels/utils/native-addon';

/** The (protected) fields of tfjs' AdamOptimizer that the update reads, as tfjs-core 4.x names them. */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}

type VariableGradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];
type ApplyGradients = (this: AdamInternals, variableGradients: VariableGradients) => void;

interface RefCounts {
  refCount(dataId: object): number;
}

interface EngineInternals {
  registeredVariables: Record<string, tf.Variable>;
}

/** AdamOptimizer's prototype, read when needed (importing this module touches nothing of tfjs). */
const adamPrototype = () => tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients };
let stockApplyGradients: ApplyGradients | null = null;

/** True while the native Adam update is installed. */
export function nativeAdamInstalled(): boolean {
  return stockApplyGradients != null;
}

/**
 * True when no other tensor shares the buffer of `tensor` (a moment), which may then be written in place. tfjs-core 4.x counts
 * the tensors on a buffer in the backend only (engine.incRef → backend.incRef: clones, reshapes, variables made from
 * a tensor).
 */
function ownsBuffer(tensor: tf.Tensor, backend: RefCounts): boolean {
  return backend.refCount(tensor.dataId) === 1;
}

/** Makes every AdamOptimizer update its variables on `addon` (idempotent; `uninstallNativeAdam` undoes it). */
export function installNativeAdam(addon: NativeAddon): void {
  uninstallNativeAdam();
  const proto = adamPrototype();
  const stock = proto.applyGradients;
  stockApplyGradients = stock;
  proto.applyGradients = function nativeApplyGradients(this: AdamInternals, variableGradients) {
    if (tf.getBackend() !== 'wasm') return stock.call(this, variableGradients);
    const backend = tf.backend() as unknown as WasmBackendLike & RefCounts;
    const engine = tf.engine() as unknown as EngineInternals;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((entry) => entry.name)
      : Object.keys(variableGradients);
    tf.tidy(() => {
      const accBeta1 = heapView(backend, this.accBeta1)[0]!;
      const accBeta2 = heapView(backend, this.accBeta2)[0]!;
      names.forEach((name, i) => {
        const value = engine.registeredVariables[name]!;
        // The moments are made as tfjs makes them (names, order, trainable: false): getWeights/setWeights see no
        // difference.
        this.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        this.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
        if (gradient == null) return;
        const m = this.accumulatedFirstMoment[i]!.variable;
        const v = this.accumulatedSecondMoment[i]!.variable;
        const inPlace =
          value.dtype === 'float32' && gradient.dtype === 'float32' && ownsBuffer(m, backend) && ownsBuffer(v, backend);
        if (!inPlace) {
          stockUpdate(this, value, m, v, gradient);
          return;
        }
        const newValue = backend.makeOutput([...value.shape], 'float32'); // before the views: it may grow the heap
        addon.adam(
          heapView(backend, value),
          heapView(backend, m),
          heapView(backend, v),
          heapView(backend, gradient),
          heapView(backend, newValue),
          this.beta1,
          this.beta2,
          accBeta1,
          accBeta2,
          this.epsilon,
          this.learningRate,
        );
        value.assign(tf.engine().makeTensorFromTensorInfo(newValue)); // the tidy frees the tensor, not the buffer
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  };
}

/** Restores tfjs' own AdamOptimizer.applyGradients. */
export function uninstallNativeAdam(): void {
  if (stockApplyGradients == null) return;
  adamPrototype().applyGradients = stockApplyGradients;
  stockApplyGradients = null;
}

/** tfjs' update of one variable, op for op (for variables that cannot be updated in place). */
function stockUpdate(adam: AdamInternals, value: tf.Variable, m: tf.Variable, v: tf.Variable, gradient: tf.Tensor) {
  const oneMinusAccBeta1 = tf.sub(1, adam.accBeta1);
  const oneMinusAccBeta2 = tf.sub(1, adam.accBeta2);
  const newFirstMoment = tf.add(tf.mul(m, adam.beta1), tf.mul(gradient, 1 - adam.beta1));
  const newSecondMoment = tf.add(tf.mul(v, adam.beta2), tf.mul(tf.square(gradient), 1 - adam.beta2));
  const biasCorrectedFirstMoment = tf.div(newFirstMoment, oneMinusAccBeta1);
  const biasCorrectedSecondMoment = tf.div(newSecondMoment, oneMinusAccBeta2);
  m.assign(newFirstMoment);
  v.assign(newSecondMoment);
  const step = tf.div(biasCorrectedFirstMoment, tf.add(tf.sqrt(biasCorrectedSecondMoment), adam.epsilon));
  value.assign(tf.add(tf.mul(step, -adam.learningRate), value));
}
