// @vaejs/backend for browsers and bundlers (the package's "browser" and "default" export conditions): setupBackend
// picks WebGPU, WebGL, wasm with the fast kernels, or cpu, in a page or a Web Worker. No Node built-in is reached from
// here (the native kernels and the Node thread set-up are the Node entry's, index.ts).

export { SOFTWARE_RENDERER, type WebGpuAdapterFacts, watchBackendLoss, webGpuAdapter } from './browser/devices';
export {
  BROWSER_BACKEND_NAMES,
  BROWSER_BACKEND_PACKAGES,
  type BrowserBackendName,
  type BrowserBackendSetup,
  type BrowserSetupOptions,
  setupBackend,
} from './browser/setup-backend';
export { type GradientSource, gradientsRegistered, registerGradients } from './register-gradients';
