import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  assertSameConfig,
  checkManifest,
  checkPartIO,
  type PartIO,
  partHandler,
  restoreLayersWeights,
} from '@vaejs/core';
import { type PixelCnnConfig, type ResolvedPixelCnnConfig, resolvePixelCnnConfig } from './config';
import { buildPixelCnnNetwork } from './network';

/** What `savePixelCnn` returns and `loadPixelCnn` reads: plain JSON, stored by the caller as `pixelcnn.json`. */
export interface PixelCnnManifest {
  format: 'vaejs-pixelcnn';
  version: 1;
  /** The resolved config. */
  config: ResolvedPixelCnnConfig;
  /** Names of the parts written through `io`: `['network']`. */
  parts: string[];
}

export const PIXELCNN_FORMAT = 'vaejs-pixelcnn';
const PARTS = ['network'] as const;

/** A config and the network it describes: what the checkpoint functions read and write. */
export interface PixelCnnParts {
  readonly config: ResolvedPixelCnnConfig;
  readonly network: tfl.LayersModel;
}

/**
 * Writes the network (standard tfjs LayersModel format: topology plus weights) through `io('network')` and returns the
 * manifest. Filesystem-free: the caller supplies the handler (`tf.io.withSaveHandler`, a file handler, a
 * `localstorage://` one in the browser…).
 */
export async function savePixelCnnParts(fn: string, parts: PixelCnnParts, io: PartIO): Promise<PixelCnnManifest> {
  checkPartIO(fn, io);
  await parts.network.save(io('network'));
  return { format: PIXELCNN_FORMAT, version: 1, config: { ...parts.config }, parts: [...PARTS] };
}

/**
 * Validates a manifest written by {@link savePixelCnnParts}, builds the network its config describes and sets the
 * weights read through `io('network')` (a handler or a URL). The topology stored beside the weights is compared with
 * the network's, never built (a `filters: 1e6` there would allocate gigabytes before any check).
 * @throws CheckpointError for a manifest of another format or version, a bad config, or weights (and a topology) that
 *   are not those of the config's network.
 */
export async function loadPixelCnnParts(
  fn: string,
  manifest: unknown,
  io: (part: string) => tf.io.IOHandler | string,
): Promise<PixelCnnParts> {
  const { config } = checkPixelCnnManifest(fn, manifest);
  checkPartIO(fn, io, 'tf.io.IOHandler | string');
  const network = buildPixelCnnNetwork(config);
  try {
    await restoreLayersWeights(fn, 'network', network, partHandler(fn, io('network')));
    return { config, network };
  } catch (error) {
    network.dispose();
    throw error;
  }
}

/**
 * Sets the weights of a checkpoint written by {@link savePixelCnnParts} into an existing network: the manifest's
 * config must equal `parts.config` but for `seed` (the initialiser's, which the restored weights replace). Bit for bit.
 * @throws CheckpointError for another kind or version, another config (naming the first differing field), or a
 *   network that cannot be read or does not fit.
 */
export async function restorePixelCnnParts(
  fn: string,
  parts: PixelCnnParts,
  manifest: unknown,
  io: PartIO,
): Promise<void> {
  const { config } = checkPixelCnnManifest(fn, manifest);
  assertSameConfig(fn, config, parts.config, { ignore: ['seed'] });
  checkPartIO(fn, io);
  await restoreLayersWeights(fn, 'network', parts.network, io('network'));
}

// helpers

function checkPixelCnnManifest(fn: string, manifest: unknown) {
  return checkManifest(fn, manifest, {
    format: PIXELCNN_FORMAT,
    version: 1,
    parts: PARTS,
    resolveConfig: (config) => resolvePixelCnnConfig(config as PixelCnnConfig, fn),
  });
}
