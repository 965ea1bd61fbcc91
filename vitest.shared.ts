import { fileURLToPath } from 'node:url';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Workspace packages resolve to their sources in tests, so tests never run against a stale build. */
export const sourceAliases: Record<string, string> = {
  '@vaejs/testing': `${root}testing/index.ts`,
  ...Object.fromEntries(
    ['core', 'backend', 'vae', 'vqvae', 'pixelcnn-prior', 'datasets'].map((name) => [
      `@vaejs/${name}`,
      `${root}packages/${name}/src/index.ts`,
    ]),
  ),
  // Tests run in Node: the Node entry (run folders, file IO) of packages that have one.
  '@vaejs/training': `${root}packages/training/src/index.node.ts`,
};

/**
 * One vitest project per package: node, tfjs on the cpu backend (set in vitest.setup.ts), seeded. `setupBackend`:
 * the cpu backend as `@vaejs/backend` sets it up for users (vitest.setup-backend.ts), for projects that train convs.
 */
export function vaejsProject(
  name: string,
  overrides: UserWorkspaceConfig['test'] = {},
  options: { setupBackend?: boolean } = {},
) {
  return defineProject({
    resolve: { alias: sourceAliases },
    test: {
      name,
      environment: 'node',
      setupFiles: [`${root}vitest.setup.ts`, ...(options.setupBackend ? [`${root}vitest.setup-backend.ts`] : [])],
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
