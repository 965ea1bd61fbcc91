import { defineProject } from 'vitest/config';

// The repository scripts' helpers that have tests: example-values' reading of documented output and its comparison.
export default defineProject({ test: { name: '@vaejs/scripts', environment: 'node', include: ['*.test.mjs'] } });
