// Tanh on the native addon (a vectorised rational approximation within a few float ulps of std::tanh; stock wasm
// computes std::tanh element by element: 15 ns an element, 6 ms for a PixelCNN gate's 400 k values).
import { nativeUnaryConfig } from './utils/native-unary';

/** Replaces the stock kernel where there is one; small or non-float32 tensors still run it. */
export const nativeTanhConfig = nativeUnaryConfig('Tanh', (addon, x, out) => addon.tanh(x, out));
