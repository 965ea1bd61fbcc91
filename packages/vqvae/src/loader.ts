/** The VQ-VAE's loader, for readers that import no model package (`@vaejs/training`'s `createRunReader`). */
import type { ModelLoader } from '@vaejs/core';
import { savedVqVaeConfig } from './checkpoint';
import type { VqVaeConfig } from './config';
import { estimateVqVaeSize } from './size';
import { createVqVae, loadVqVae, type VqVae } from './vqvae';

/**
 * Reads checkpoints of kind `'vqvae'`: `load` is {@link loadVqVae}, `create` builds an untrained model of a
 * checkpoint's config, `estimate` is {@link estimateVqVaeSize} (what a reader checks a memory limit against first).
 * `create` and `estimate` read a stored config as its model was built (one saved before `codeProjection` existed
 * has no code projection).
 * @example const reader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);
 */
export const vqVaeLoader: ModelLoader<VqVae> = Object.freeze({
  kind: 'vqvae',
  load: loadVqVae,
  create: (config: unknown) => createVqVae(savedVqVaeConfig(config) as VqVaeConfig),
  estimate: (config: unknown, batchSize: number) =>
    estimateVqVaeSize(savedVqVaeConfig(config) as VqVaeConfig, batchSize),
});
