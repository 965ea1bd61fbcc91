import { defineConfig } from 'tsup';

export default defineConfig({
  // index: browser-safe (fit with callbacks; no files). index.node: the same plus run folders and file IO for Node.
  entry: ['src/index.ts', 'src/index.node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  removeNodeProtocol: false,
  tsconfig: 'tsconfig.build.json',
});
