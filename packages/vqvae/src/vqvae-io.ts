import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointError, describeValue, formatExpected, type RngState, VaejsError } from '@vaejs/core';
import { VectorQuantizerLayer } from './vector-quantizer-layer';
import { assembleVqVae, type VqVae } from './vqvae';
import { resolveVqVaeConfig, type VqVaeConfig } from './vqvae-config';
import { findQuantizerLayer, type VqVaeNetworks } from './vqvae-networks';

/** The JSON a checkpoint stores beside the three LayersModel folders (as `vqvae.json`). */
export interface VqVaeManifest {
  format: 'vaejs-vqvae';
  version: 1;
  /** The resolved config (plain JSON). */
  config: VqVaeConfig;
  /** Part names handed to `io`: `['encoder', 'quantizer', 'decoder']`. */
  parts: string[];
  /** Whether the k-means initialisation has run (so that a resumed run does not redo it). */
  initialized: boolean;
  /** State of the quantiser's random stream (restarts, k-means). */
  rngState: RngState;
}

export const VQVAE_MANIFEST_FORMAT = 'vaejs-vqvae';
const PARTS = ['encoder', 'quantizer', 'decoder'] as const;
type Part = (typeof PARTS)[number];

/**
 * Saves encoder, quantiser (a LayersModel whose `VaejsVectorQuantizer` layer holds the codebook and EMA state as
 * weights) and decoder through `io(part)` in the standard tfjs format, and returns the manifest to store.
 * @example
 * const manifest = await saveVqVae(vqvae, (part) => tf.io.fileSystem(`${dir}/${part}`)); // with tfjs-node
 */
export async function saveVqVae(vqvae: VqVae, io: (part: string) => tf.io.IOHandler): Promise<VqVaeManifest> {
  if (typeof io !== 'function') {
    throw new CheckpointError(
      formatExpected('saveVqVae', 'io', 'a function (part) => tf.io.IOHandler', describeValue(io)),
    );
  }
  const models: Record<Part, tfl.LayersModel> = {
    encoder: vqvae.encoder,
    quantizer: vqvae.quantizerModel,
    decoder: vqvae.decoder,
  };
  for (const part of PARTS) await models[part].save(io(part));
  return {
    format: VQVAE_MANIFEST_FORMAT,
    version: 1,
    config: JSON.parse(JSON.stringify(vqvae.config)) as VqVaeConfig,
    parts: [...PARTS],
    initialized: vqvae.quantizer.initialized,
    rngState: vqvae.quantizer.getRngState(),
  };
}

/**
 * Loads a VQ-VAE saved by {@link saveVqVae}. `io(part)` is an IOHandler or a URL (in a browser, the model.json URL).
 * @throws CheckpointError for a manifest of another kind or version, an invalid config, or an unreadable part.
 */
export async function loadVqVae(manifest: unknown, io: (part: string) => tf.io.IOHandler | string): Promise<VqVae> {
  const fn = 'loadVqVae';
  const candidate = manifest as Partial<VqVaeManifest> | null;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new CheckpointError(formatExpected(fn, 'manifest', 'an object', describeValue(manifest)));
  }
  if (candidate.format !== VQVAE_MANIFEST_FORMAT) {
    throw new CheckpointError(
      formatExpected(fn, 'manifest.format', `'${VQVAE_MANIFEST_FORMAT}'`, describeValue(candidate.format)),
    );
  }
  if (candidate.version !== 1) {
    throw new CheckpointError(formatExpected(fn, 'manifest.version', '1', describeValue(candidate.version)));
  }
  if (!Array.isArray(candidate.parts) || PARTS.some((part) => !candidate.parts?.includes(part))) {
    throw new CheckpointError(
      formatExpected(fn, 'manifest.parts', `[${PARTS.join(', ')}]`, describeValue(candidate.parts)),
    );
  }
  if (typeof io !== 'function') {
    throw new CheckpointError(
      formatExpected(fn, 'io', 'a function (part) => tf.io.IOHandler | string', describeValue(io)),
    );
  }
  let config: Readonly<VqVaeConfig>;
  try {
    config = resolveVqVaeConfig(candidate.config as VqVaeConfig, fn);
  } catch (error) {
    if (!VaejsError.isInstance(error)) throw error;
    throw new CheckpointError(`${fn}: invalid manifest.config: ${error.message}`);
  }
  // Referenced so that bundlers keep the layer's registration with tf.serialization.
  void VectorQuantizerLayer.className;
  const loaded: Partial<Record<Part, tfl.LayersModel>> = {};
  try {
    for (const part of PARTS) {
      try {
        loaded[part] = await tfl.loadLayersModel(io(part));
      } catch (error) {
        throw new CheckpointError(`${fn}: could not load part '${part}': ${(error as Error).message}`);
      }
    }
    const networks: VqVaeNetworks = {
      encoder: loaded.encoder as tfl.LayersModel,
      quantizerModel: loaded.quantizer as tfl.LayersModel,
      decoder: loaded.decoder as tfl.LayersModel,
    };
    findQuantizerLayer(networks.quantizerModel);
    const vqvae = assembleVqVae(config, networks);
    if (candidate.rngState !== undefined) vqvae.quantizer.setRngState(candidate.rngState);
    return vqvae;
  } catch (error) {
    for (const model of Object.values(loaded)) model?.dispose();
    throw error;
  }
}
