// The VQ-VAE checkpoint: three tfjs LayersModel parts (encoder, quantiser, decoder) written through a PartIO, and
// a JSON manifest with the resolved config and the quantiser's state (k-means done, random stream).
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  applyLayersWeights,
  assertSameConfig,
  CheckpointError,
  checkManifest,
  checkPartIO,
  createRng,
  type DecodedLayersWeights,
  decodeLayersWeights,
  describeValue,
  disposeLayersWeights,
  formatExpected,
  type PartIO,
  type RngState,
} from '@vaejs/core';
import { type ResolvedVqVaeConfig, resolveVqVaeConfig } from './config';
import type { VqVaeNetworks } from './network';
import type { AnyQuantizer } from './quantizer-kinds';

/** The JSON a checkpoint stores beside the three LayersModel folders (as `vqvae.json`). */
export interface VqVaeManifest {
  format: 'vaejs-vqvae';
  version: 1;
  /** The resolved config (plain JSON). */
  config: ResolvedVqVaeConfig;
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

/** What saving and restoring need of a VQ-VAE: its config, its three models and its quantiser. */
export type VqVaeState = VqVaeNetworks & { readonly config: ResolvedVqVaeConfig; readonly quantizer: AnyQuantizer };

/**
 * Saves encoder, quantiser (a LayersModel whose `VaejsVectorQuantizer` layer holds the codebook and EMA state as
 * weights) and decoder through `io(part)` in the standard tfjs format, and returns the manifest to store.
 * The same as `vqvae.save(io)`.
 * @example
 * const manifest = await saveVqVae(vqvae, (part) => tf.io.fileSystem(`${dir}/${part}`)); // with tfjs-node
 */
export async function saveVqVae(vqvae: VqVaeState, io: PartIO): Promise<VqVaeManifest> {
  checkPartIO('saveVqVae', io);
  for (const part of PARTS) await modelOf(vqvae, part).save(io(part));
  const { initialized, rngState } = vqvae.quantizer.getState();
  return {
    format: VQVAE_MANIFEST_FORMAT,
    version: 1,
    config: JSON.parse(JSON.stringify(vqvae.config)) as ResolvedVqVaeConfig,
    parts: [...PARTS],
    initialized,
    rngState,
  };
}

/**
 * Checks a manifest written by {@link saveVqVae}: format, version, parts, config (resolved and returned).
 * @throws CheckpointError for a manifest of another kind or version, missing parts, or an invalid config
 */
export function readVqVaeManifest(fn: string, manifest: unknown): ResolvedVqVaeConfig {
  return checkManifest(fn, manifest, {
    format: VQVAE_MANIFEST_FORMAT,
    version: 1,
    parts: PARTS,
    resolveConfig: (config) => resolveVqVaeConfig(savedVqVaeConfig(config) as ResolvedVqVaeConfig, fn),
  }).config;
}

/**
 * A stored config as the model it describes was built: a config saved before `codeProjection` existed had no such
 * map (its FSQ decoder took the codes directly), so the field's absence reads as 0, not as today's default. Every
 * path that builds a model from a stored config goes through it (loading, and `vqVaeLoader.create` / `estimate`,
 * which resuming, importing and the demo's kept runs use). Internal.
 */
export function savedVqVaeConfig(config: unknown): unknown {
  if (typeof config !== 'object' || config === null || 'codeProjection' in config) return config;
  return { ...config, codeProjection: 0 };
}

/**
 * Loads the weights and quantiser state that `saveVqVae` wrote, of a model with the same config (all but `seed`,
 * which only drew the initial weights and the quantiser's stream, both restored), into `vqvae`. Every part is read
 * and checked before anything is written: on an error the model is unchanged.
 * @throws CheckpointError naming the first problem: the manifest, the first config field that differs, a part
 */
export async function restoreVqVae(
  vqvae: VqVaeState,
  manifest: unknown,
  io: PartIO,
  fn = 'vqvae.restore',
): Promise<void> {
  const config = readVqVaeManifest(fn, manifest);
  assertSameConfig(fn, config, vqvae.config, { ignore: ['seed'] });
  const { initialized, rngState } = manifest as Partial<VqVaeManifest>;
  if (typeof initialized !== 'boolean') {
    throw new CheckpointError(formatExpected(fn, 'manifest.initialized', 'a boolean', describeValue(initialized)));
  }
  try {
    createRng(0).setState(rngState as RngState);
  } catch (error) {
    throw new CheckpointError(`${fn}: invalid manifest.rngState: ${(error as Error).message}`);
  }
  checkPartIO(fn, io);
  // Every part is read and checked before any is set; weights saved under the layer names tfjs chose itself (before
  // the layers had fixed names) are matched by position.
  const decoded: DecodedLayersWeights[] = [];
  try {
    for (const part of PARTS) {
      // io(part) is called when the part is read, so that its errors name the part as a failed read does
      const handler: tf.io.IOHandler = { load: () => (io(part) as Required<tf.io.IOHandler>).load() };
      decoded.push(await decodeLayersWeights(fn, part, modelOf(vqvae, part), handler, { byPosition: true }));
    }
  } catch (error) {
    disposeLayersWeights(decoded);
    throw error;
  }
  applyLayersWeights(fn, decoded);
  vqvae.quantizer.setState({ initialized, rngState: rngState as RngState });
}

// helpers

function modelOf(vqvae: VqVaeNetworks, part: Part): tfl.LayersModel {
  return part === 'encoder' ? vqvae.encoder : part === 'quantizer' ? vqvae.quantizerModel : vqvae.decoder;
}
