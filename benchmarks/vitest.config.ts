import { vaejsProject } from '../vitest.shared';

// The benchmarks' own helpers that have tests (the quality benchmark's scoring and augmentation).
export default vaejsProject('@vaejs/benchmarks', { include: ['quality/**/*.test.mjs'] });
