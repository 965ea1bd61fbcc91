/** The PixelCNN prior's loader, for readers that import no model package (`@vaejs/training`'s `createRunReader`). */
import type { ModelLoader } from '@vaejs/core';
import type { PixelCnnConfig } from './config';
import { createPixelCnn, loadPixelCnn, type PixelCnn } from './pixelcnn';

/**
 * Reads checkpoints of kind `'pixelcnn'`: `load` is {@link loadPixelCnn}, `create` builds an untrained prior of a
 * checkpoint's config.
 * @example const reader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);
 */
export const pixelCnnLoader: ModelLoader<PixelCnn> = Object.freeze({
  kind: 'pixelcnn',
  load: loadPixelCnn,
  create: (config: unknown) => createPixelCnn(config as PixelCnnConfig),
});
