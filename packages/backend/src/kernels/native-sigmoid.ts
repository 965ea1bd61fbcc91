// Sigmoid on the native addon (from a vectorised exp, within a few float ulps; stock wasm: 0.5 ms for a PixelCNN gate's
// 800 k values, 11 gates a step).
import { nativeUnaryConfig } from './utils/native-unary';

/** Replaces the stock kernel where there is one; small or non-float32 tensors still run it. */
export const nativeSigmoidConfig = nativeUnaryConfig('Sigmoid', (addon, x, out) => addon.sigmoid(x, out));
