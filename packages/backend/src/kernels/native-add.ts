// Add of float32 tensors on the native addon (utils/native-binary.ts says which); the stock kernel otherwise.
import { BINARY_OPS, nativeBinaryConfig } from './utils/native-binary';

/** Replaces the stock kernel where there is one. */
export const nativeAddConfig = nativeBinaryConfig('Add', BINARY_OPS.add);
