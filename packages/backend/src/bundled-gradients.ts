// The fallback of registerGradients: tsup.config.ts bundles this specifier (with its `.js` extension) into the dist,
// together with the tfjs-core modules it imports, so it loads in plain Node. The copy registers into the global
// registry of the @tensorflow/tfjs-core already loaded. Keep the specifier distinct from the extensionless one in
// register-gradients.ts, which stays external.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
