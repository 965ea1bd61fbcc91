import { defineConfig } from 'tsup';

export default defineConfig({
  // file-io: the trainer's tfjs IOHandler over model.json + weights.bin, for the benchmarks (bench/*.mjs)
  entry: { cli: 'src/cli.ts', 'file-io': 'src/io/file-io.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
});
