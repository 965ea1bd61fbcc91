// Multiply of float32 tensors on the native addon (utils/native-binary.ts says which); the stock kernel otherwise.
import { BINARY_OPS, nativeBinaryConfig } from './utils/native-binary';

/** Replaces the stock kernel where there is one. */
export const nativeMultiplyConfig = nativeBinaryConfig('Multiply', BINARY_OPS.mul);
