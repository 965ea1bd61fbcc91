/** The PixelCNN prior's loader, for readers that import no model package (`@vaejs/training`'s `createRunReader`). */
import type { ModelLoader } from '@vaejs/core';
import type { PixelCnnConfig } from './config';
import { createPixelCnn, loadPixelCnn, type PixelCnn } from './pixelcnn';
import { estimatePixelCnnSize } from './size';

/**
 * Reads checkpoints of kind `'pixelcnn'`: `load` is {@link loadPixelCnn}, `create` builds an untrained prior of a
 * checkpoint's config, `estimate` is {@link estimatePixelCnnSize} (what a reader checks a memory limit against first).
 * @example const reader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);
 */
export const pixelCnnLoader: ModelLoader<PixelCnn> = Object.freeze({
  kind: 'pixelcnn',
  load: loadPixelCnn,
  create: (config: unknown) => createPixelCnn(config as PixelCnnConfig),
  estimate: (config: unknown, batchSize: number) => estimatePixelCnnSize(config as PixelCnnConfig, batchSize),
});
