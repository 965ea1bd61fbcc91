/** The VAE family's loader, for readers that import no model package (`@vaejs/training`'s `createRunReader`). */
import type { ModelLoader } from '@vaejs/core';
import type { VaeConfig } from './config';
import { estimateVaeSize } from './size';
import { createVae, loadVae, type Vae } from './vae';

/**
 * Reads checkpoints of kind `'vae'` (every member of the family: AE, DAE, VAE, beta-VAE, cVAE): `load` is
 * {@link loadVae}, `create` builds an untrained model of a checkpoint's config, `estimate` is {@link estimateVaeSize} (what a reader checks a memory limit against first).
 * @example const reader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);
 */
export const vaeLoader: ModelLoader<Vae> = Object.freeze({
  kind: 'vae',
  load: loadVae,
  create: (config: unknown) => createVae(config as VaeConfig),
  estimate: (config: unknown, batchSize: number) => estimateVaeSize(config as VaeConfig, batchSize),
});
