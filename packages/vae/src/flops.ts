import type * as tfl from '@tensorflow/tfjs-layers';
import type { Vae } from './vae';

/**
 * Floating-point operations of one forward pass for one image: 2 × the multiply-accumulates of every Dense, Conv2D
 * and Conv2DTranspose layer (bias adds, activations, reshapes and crops are not counted). Experimental.
 * @example experimental_countFlops(vae.encoder) // 5_038_080 for the default conv encoder on 28×28×1, latentDim 20
 */
export function experimental_countFlops(model: tfl.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const kernel = layer.weights[0];
    if (!kernel) continue;
    const kernelSize = product(kernel.shape as number[]);
    if (className === 'Dense') {
      const output = layer.outputShape as (number | null)[];
      macs += kernelSize * product(output.slice(1, -1) as number[]);
    } else if (className === 'Conv2D') {
      const output = layer.outputShape as number[];
      macs += kernelSize * (output[1] as number) * (output[2] as number);
    } else if (className === 'Conv2DTranspose') {
      const input = (layer.input as tfl.SymbolicTensor).shape as number[];
      macs += kernelSize * (input[1] as number) * (input[2] as number);
    }
  }
  return 2 * macs;
}

/** {@link experimental_countFlops} of encoder, decoder and both (one reconstruction) for one image. Experimental. */
export function experimental_vaeFlops(vae: Vae): { encoder: number; decoder: number; total: number } {
  const encoder = experimental_countFlops(vae.encoder);
  const decoder = experimental_countFlops(vae.decoder);
  return { encoder, decoder, total: encoder + decoder };
}

// helpers

function product(values: readonly number[]): number {
  return values.reduce((a, b) => a * b, 1);
}
