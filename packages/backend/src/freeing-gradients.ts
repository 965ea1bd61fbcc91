// A backward pass that frees as it goes. tfjs-core's engine.gradients keeps every tensor saved for the backward pass
// and every intermediate gradient until the whole pass ends, so a training step holds all of its activations and all
// of their gradients at once. This one runs the same gradient functions in the same order (identical results) and
// disposes a node's saved tensors once its gradient is computed, and a tensor's gradient once it has been passed on.
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-core's (internal) tape node this pass reads. */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

/** The parts of tfjs-core's (internal) Engine this pass uses. */
interface EngineInternals {
  state: { gradientDepth: number; activeTape: TapeNode[] | null };
  gradients: GradientsFn;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
}

type GradientsFn = (
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor | null,
  allowNoGradients?: boolean,
) => { value: tf.Tensor; grads: tf.Tensor[] };

const engine = () => tf.engine() as unknown as EngineInternals;

/** True while `installFreeingGradients` is in force. */
export function freeingGradientsInstalled(): boolean {
  return Object.hasOwn(engine(), 'gradients');
}

/**
 * Makes every gradient computation of tfjs (optimizer.minimize, tf.grads, tf.variableGrads, tf.layers' fit) free
 * memory during the backward pass. Higher-order gradients (a gradient taken inside another) keep the stock pass.
 * Idempotent; `uninstallFreeingGradients` restores the stock method.
 */
export function installFreeingGradients(): void {
  const target = engine();
  if (freeingGradientsInstalled()) return;
  const stock = Object.getPrototypeOf(target).gradients as GradientsFn;
  target.gradients = function freeingGradients(this: EngineInternals, f, xs, dy, allowNoGradients = false) {
    // Inside another gradient the tape must outlive this pass (its nodes are differentiated again): stock path.
    if (this.state.gradientDepth > 0) return stock.call(this, f, xs, dy, allowNoGradients);
    return backward(this, f, xs, dy ?? null, allowNoGradients);
  };
}

/** Restores tfjs-core's own `engine.gradients`. */
export function uninstallFreeingGradients(): void {
  if (freeingGradientsInstalled()) delete (engine() as Partial<EngineInternals>).gradients;
}

function backward(
  e: EngineInternals,
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy: tf.Tensor | null,
  allowNoGradients: boolean,
): { value: tf.Tensor; grads: tf.Tensor[] } {
  if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  const y = e.scopedRun(
    () => e.startTape(),
    () => e.endTape(),
    () => e.tidy('forward', f),
  );
  if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
  const tape = e.state.activeTape ?? [];
  const path = nodesFromXsToY(tape, xs, y);
  if (!allowNoGradients && path.length === 0) {
    throw new Error(
      'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.',
    );
  }
  return e.tidy('backward', () => {
    const gradients = new GradientMap(new Set(xs.map((x) => x.id)), dy);
    gradients.set(y.id, dy ?? tf.onesLike(y));
    for (let i = path.length - 1; i >= 0; i--) {
      const node = path[i] as TapeNode;
      if (node.gradient == null) {
        throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      }
      const inputGradients = node.gradient(node.outputs.map((output) => gradients.get(output.id)));
      for (const inputName in node.inputs) {
        const compute = inputGradients[inputName];
        if (compute === undefined) {
          throw new Error(
            `Cannot backprop through input ${inputName}. Available gradients found: ${Object.keys(inputGradients)}.`,
          );
        }
        const dx = e.tidy(compute);
        const x = node.inputs[inputName] as tf.Tensor;
        if (dx.dtype !== 'float32') {
          throw new Error(
            `Error in gradient for op ${node.kernelName}. The gradient of input ${inputName} must have 'float32' dtype, but has '${dx.dtype}'`,
          );
        }
        if (!tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(
            `Error in gradient for op ${node.kernelName}. The gradient of input '${inputName}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
          );
        }
        gradients.accumulate(x.id, dx);
      }
      // This node's gradient is computed: what it saved is no longer needed, nor are its outputs' gradients (every
      // consumer of an output comes later on the tape, so has been differentiated already).
      for (const tensor of node.saved ?? []) if (!gradients.holds(tensor)) tensor.dispose();
      for (const output of node.outputs) gradients.release(output.id);
    }
    // As tfjs-core: undefined for an x that y does not depend on (variableGrads allows that).
    const grads = xs.map((x) => gradients.get(x.id) ?? undefined) as tf.Tensor[];
    for (const node of tape) for (const tensor of node.saved ?? []) tensor.dispose();
    e.state.activeTape = null;
    return { value: y, grads };
  });
}

/**
 * Gradients by tensor id, counting how many ids hold each gradient tensor (a gradient function may pass a tensor on
 * unchanged), so that a tensor is disposed only when no id holds it. The xs' gradients (the results) and the caller's
 * dy are never disposed here.
 */
class GradientMap {
  private readonly byId = new Map<number, tf.Tensor>();
  private readonly holders = new Map<tf.Tensor, number>();

  constructor(
    private readonly keepIds: Set<number>,
    private readonly callerDy: tf.Tensor | null,
  ) {}

  get(id: number): tf.Tensor | null {
    return this.byId.get(id) ?? null;
  }

  holds(tensor: tf.Tensor): boolean {
    return this.holders.has(tensor);
  }

  set(id: number, gradient: tf.Tensor): void {
    this.byId.set(id, gradient);
    this.holders.set(gradient, (this.holders.get(gradient) ?? 0) + 1);
  }

  /** Adds `dx` to the gradient of `id` (or makes it that), disposing what the sum replaces. */
  accumulate(id: number, dx: tf.Tensor): void {
    const current = this.byId.get(id);
    if (current === undefined) {
      this.set(id, dx);
      return;
    }
    const sum = tf.add(current, dx);
    this.drop(id);
    this.set(id, sum);
    if (!this.holders.has(dx) && dx !== this.callerDy) dx.dispose();
  }

  /** Forgets the gradient of `id` and disposes it if nothing else holds it, unless it is a result. */
  release(id: number): void {
    if (!this.keepIds.has(id)) this.drop(id);
  }

  private drop(id: number): void {
    const gradient = this.byId.get(id);
    if (gradient === undefined) return;
    this.byId.delete(id);
    const left = (this.holders.get(gradient) ?? 1) - 1;
    if (left > 0) {
      this.holders.set(gradient, left);
      return;
    }
    this.holders.delete(gradient);
    if (gradient !== this.callerDy) gradient.dispose();
  }
}

/**
 * The tape nodes on a path from any of `xs` to `y`, in tape order, each with only the inputs that depend on `xs`
 * (as tfjs-core's getFilteredNodesXToY).
 */
function nodesFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      for (const output of node.outputs) fromX.add(output.id);
      nodesFromX.add(node.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    if (node.outputs.some((output) => toY.has(output.id))) {
      for (const input of Object.values(node.inputs)) toY.add(input.id);
      nodesToY.add(node.id);
    }
  }
  const path: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, input] of Object.entries(node.inputs)) if (fromX.has(input.id)) inputs[name] = input;
    path.push({ ...node, inputs });
  }
  return path;
}
