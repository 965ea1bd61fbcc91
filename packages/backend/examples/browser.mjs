// In a page or a Web Worker, through your bundler (vite, webpack, esbuild): the package's "browser" export condition
// gives the browser build, whose setupBackend tries WebGPU, WebGL, wasm with the fast kernels, then cpu, and passes
// over a GPU drawn in software (slower than wasm). CI bundles this file with esbuild and runs it in headless Chromium.
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';

// serve tfjs-backend-wasm's .wasm files yourself (here at wasm/): no CDN
const setup = await setupBackend({ wasmPaths: new URL('wasm/', location.href).href });
console.log(setup.summary);
// backend: wasm, fast kernels (SIMD, 1 thread) (webgpu: no adapter …; webgl: software renderer (… SwiftShader …) …)
console.log(setup.name, setup.fast, setup.skipped.map((skipped) => skipped.name).join(' '));
// wasm true webgpu webgl   (on a machine with a GPU: webgpu or webgl, fast false, nothing skipped)

// a conv layer's filter gradient: stock tfjs-backend-wasm has none, the fast kernels add it
const filter = tf.variable(tf.ones([3, 3, 1, 2]));
const gradient = tf.grad((w) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]), w, 1, 'same')))(filter);
console.log(gradient.shape.join('×'), Array.from(gradient.dataSync().slice(0, 2)).join(' '));
// 3×3×1×2 9 9
