import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
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
