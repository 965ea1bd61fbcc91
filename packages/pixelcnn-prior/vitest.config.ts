import { vaejsProject } from '../../vitest.shared';

export default vaejsProject('@vaejs/pixelcnn-prior', {}, { setupBackend: true });
