import type * as tf from '@tensorflow/tfjs-core';
import {
  applyLayersWeights,
  assertSameConfig,
  checkManifest,
  checkPartIO,
  type DecodedLayersWeights,
  decodeLayersWeights,
  disposeLayersWeights,
  type PartIO,
  partHandler,
} from '@vaejs/core';
import { type ResolvedVaeConfig, resolveVaeConfig, type VaeConfig } from './config';
import type { VaeParts } from './forward';
import { buildDecoder, buildEncoder } from './network';

/** The JSON a checkpoint stores beside the two LayersModel folders (as `vae.json`). */
export interface VaeManifest {
  format: 'vaejs-vae';
  version: 1;
  /** The resolved config (plain JSON). */
  config: ResolvedVaeConfig;
  /** Part names handed to `io`: `['encoder', 'decoder']`. */
  parts: string[];
}

export const VAE_MANIFEST_FORMAT = 'vaejs-vae';
const PARTS = ['encoder', 'decoder'] as const;

/**
 * Saves the encoder and decoder through `io(part)` in the standard tfjs LayersModel format (model.json + weights;
 * the learned log-variance is a decoder weight) and returns the manifest for the caller to store.
 */
export async function saveVaeParts(fn: string, parts: VaeParts, io: PartIO): Promise<VaeManifest> {
  checkPartIO(fn, io);
  await parts.encoder.save(io('encoder'));
  await parts.decoder.save(io('decoder'));
  return {
    format: VAE_MANIFEST_FORMAT,
    version: 1,
    config: JSON.parse(JSON.stringify(parts.config)) as ResolvedVaeConfig,
    parts: [...PARTS],
  };
}

/**
 * Reads what {@link saveVaeParts} wrote into new networks: checks the manifest, builds the encoder and decoder its
 * config describes (never the topology stored beside the weights, which is only compared with them: a `units: 1e6`
 * there would allocate gigabytes), and sets every part's weights (`io(part)` is an IOHandler or a URL).
 * @throws CheckpointError for a manifest of another kind, another version or an invalid config, an unreadable part, or
 * weights and a topology that are not those of the config's networks.
 */
export async function loadVaeParts(
  fn: string,
  manifest: unknown,
  io: (part: string) => tf.io.IOHandler | string,
): Promise<VaeParts> {
  const { config } = checkVaeManifest(fn, manifest);
  checkPartIO(fn, io, 'tf.io.IOHandler | string');
  const parts: VaeParts = { config, encoder: buildEncoder(config), decoder: buildDecoder(config) };
  try {
    await setWeights(fn, parts, (part) => partHandler(fn, io(part)));
    return parts;
  } catch (error) {
    parts.encoder.dispose();
    parts.decoder.dispose();
    throw error;
  }
}

/**
 * Sets the weights of a checkpoint written by {@link saveVaeParts} into existing networks: the manifest must name a
 * VAE whose config equals `parts.config` but for `seed` (the initialiser's, which the restored weights replace).
 * Bit for bit: the model then computes exactly what the saved one did. Both parts are read and checked before either
 * is set: a part that fails changes nothing.
 * @throws CheckpointError for another kind or version, another config (naming the first differing field), or a part
 * that cannot be read or does not fit.
 */
export async function restoreVaeParts(fn: string, parts: VaeParts, manifest: unknown, io: PartIO): Promise<void> {
  const { config } = checkVaeManifest(fn, manifest);
  assertSameConfig(fn, config, parts.config, { ignore: ['seed'] });
  checkPartIO(fn, io);
  await setWeights(fn, parts, io);
}

// helpers

function checkVaeManifest(fn: string, manifest: unknown) {
  return checkManifest(fn, manifest, {
    format: VAE_MANIFEST_FORMAT,
    version: 1,
    parts: PARTS,
    resolveConfig: (config) => resolveVaeConfig(config as VaeConfig, fn),
  });
}

/** Reads both parts' weights (checked against the networks), then sets them. */
async function setWeights(fn: string, parts: VaeParts, io: (part: string) => tf.io.IOHandler): Promise<void> {
  const decoded: DecodedLayersWeights[] = [];
  try {
    for (const part of PARTS) decoded.push(await decodeLayersWeights(fn, part, parts[part], io(part)));
  } catch (error) {
    disposeLayersWeights(decoded);
    throw error;
  }
  applyLayersWeights(fn, decoded);
}
