import { defineConfig } from 'tsup';

export default defineConfig({
  // Two builds: `index` for Node (native kernels, Node threads), `browser` for browsers and bundlers (WebGPU, WebGL,
  // wasm with the fast kernels; no Node built-in). package.json maps "." to them by the node / browser / default conditions.
  entry: { index: 'src/index.ts', browser: 'src/browser.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: 'tsconfig.build.json',
  // registerGradients' plain-Node fallback (src/bundled-gradients.ts): tfjs-core's register_all_gradients is ESM with
  // extensionless imports, which Node cannot load, so this one specifier is bundled. The extensionless specifier used
  // first stays external, like the rest of @tensorflow/tfjs-core.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients\.js$/],
});
