// The one skeleton of the native element-wise and data-movement kernels: per call, a plan decides from the inputs and
// attributes whether the addon computes it, and into which float32 outputs; where it does not (a dtype, a rank or a
// broadcast the addon does not cover, an empty tensor), the stock kernel runs.
import type * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './kernel-overrides';
import { disposeInfo, type KernelArgs, type WasmBackendLike } from './kernel-utils';
import { heapView, type NativeAddon, nativeAddon } from './native-addon';

/** What the addon does for one call. */
export interface NativePlan {
  /** Shapes of the float32 outputs (several for SplitV). */
  outShapes: number[][];
  /**
   * Fills the outputs. `view` gives an input's heap view: views are taken here, after every output is allocated
   * (an allocation can grow the heap and detach older views). Returning false hands the call back to the stock
   * kernel (the outputs are freed).
   */
  run(addon: NativeAddon, view: (info: tf.TensorInfo) => Float32Array, outs: Float32Array[]): unknown;
}

/**
 * A native kernel for tfjs-backend-wasm that wraps the stock `kernelName`: `plan(args)` returns what the addon does,
 * or null for the stock kernel. A plan with one output returns it as a TensorInfo, with several as an array.
 */
export function nativeKernelConfig(
  kernelName: string,
  plan: (args: KernelArgs) => NativePlan | null,
  options: { multipleOutputs?: boolean } = {},
): FastKernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    when: 'replace',
    create: ({ original }) => {
      const stock = original!;
      const kernelFunc = (args: KernelArgs) => {
        const call = plan(args);
        const runStock = () => stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
        if (call == null) return runStock();
        const backend = args.backend as WasmBackendLike;
        const outputs = call.outShapes.map((shape) => backend.makeOutput(shape, 'float32'));
        const view = (info: tf.TensorInfo) => heapView(backend, info);
        if (call.run(nativeAddon(), view, outputs.map(view)) === false) {
          for (const output of outputs) disposeInfo(backend, output);
          return runStock();
        }
        return options.multipleOutputs ? outputs : outputs[0];
      };
      return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
    },
  };
}
