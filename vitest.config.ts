import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      'benchmarks/vitest.config.ts',
      'scripts/vitest.config.ts',
      'python/vitest.config.ts',
    ],
  },
});
