import { vaejsProject } from '../../vitest.shared';

// globalSetup builds the CLI once for the tests that run it (and the built @vaejs/training) in child processes.
export default vaejsProject('@vaejs/trainer', { globalSetup: ['test/global-setup.ts'] });
