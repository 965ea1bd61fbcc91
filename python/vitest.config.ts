import { vaejsProject } from '../vitest.shared';

// The PyTorch bridge's tests: the twins in vaejs_torch against the vaejs models (they spawn python3 with torch).
export default vaejsProject('@vaejs/python', { include: ['test/**/*.test.ts'] });
