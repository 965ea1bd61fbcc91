// Exp on the native addon (range reduction and a polynomial, within 2 float ulps of exp; stock wasm runs std::exp
// element by element: 7 ms for the 800 k logits of a PixelCNN prior's softmax).
import { nativeUnaryConfig } from './utils/native-unary';

/** Replaces the stock kernel where there is one; small or non-float32 tensors still run it. */
export const nativeExpConfig = nativeUnaryConfig('Exp', (addon, x, out) => addon.exp(x, out));
