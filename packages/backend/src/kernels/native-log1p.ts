// Log1p on the native addon (Cephes' logf polynomial with Goldberg's correction, within a few float ulps of
// std::log1p; stock wasm runs std::log1p element by element: 0.7 ms for the Bernoulli likelihood of a batch of 128
// MNIST images, ~10 % of an MLP VAE's step).
import { nativeUnaryConfig } from './utils/native-unary';

/** Replaces the stock kernel where there is one; small or non-float32 tensors still run it. */
export const nativeLog1pConfig = nativeUnaryConfig('Log1p', (addon, x, out) => addon.log1p(x, out));
