import { vaejsProject } from '../../vitest.shared';

export default vaejsProject('@vaejs/training', {}, { setupBackend: true });
