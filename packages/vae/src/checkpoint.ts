import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  assertSameConfig,
  CheckpointError,
  checkManifest,
  checkPartIO,
  formatExpected,
  formatShape,
  type PartIO,
  restoreLayersWeights,
} from '@vaejs/core';
import { isVariational, type ResolvedVaeConfig, resolveVaeConfig, type VaeConfig } from './config';
import type { VaeParts } from './forward';
import { registerVaeLayers } from './learned-log-variance';
import { LAYER_NAMES } from './network';

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
 * Reads what {@link saveVaeParts} wrote into new LayersModels: checks the manifest, loads each part with
 * `tf.loadLayersModel` (`io(part)` is an IOHandler or a URL) and checks the networks against the manifest's config.
 * @throws CheckpointError for a manifest of another kind, another version, an invalid config, an unreadable part or
 * networks whose shapes disagree with the config.
 */
export async function loadVaeParts(
  fn: string,
  manifest: unknown,
  io: (part: string) => tf.io.IOHandler | string,
): Promise<VaeParts> {
  const { config } = checkVaeManifest(fn, manifest);
  checkPartIO(fn, io, 'tf.io.IOHandler | string');
  registerVaeLayers();
  const models: tfl.LayersModel[] = [];
  try {
    for (const part of PARTS) {
      try {
        models.push(await tfl.loadLayersModel(io(part)));
      } catch (error) {
        const message = (error as Error).message.replace(/\.$/, '');
        throw new CheckpointError(
          formatExpected(fn, `part '${part}'`, 'a readable tfjs LayersModel', `an error: ${message}`),
        );
      }
    }
    const [encoder, decoder] = models as [tfl.LayersModel, tfl.LayersModel];
    checkNetworks(fn, config, encoder, decoder);
    return { config, encoder, decoder };
  } catch (error) {
    for (const model of models) model.dispose();
    throw error;
  }
}

/**
 * Sets the weights of a checkpoint written by {@link saveVaeParts} into existing networks: the manifest must name a
 * VAE whose config equals `parts.config` but for `seed` (the initialiser's, which the restored weights replace).
 * Bit for bit: the model then computes exactly what the saved one did. A part that fails to read leaves the parts
 * before it restored.
 * @throws CheckpointError for another kind or version, another config (naming the first differing field), or a part
 * that cannot be read or does not fit.
 */
export async function restoreVaeParts(fn: string, parts: VaeParts, manifest: unknown, io: PartIO): Promise<void> {
  const { config } = checkVaeManifest(fn, manifest);
  assertSameConfig(fn, config, parts.config, { ignore: ['seed'] });
  checkPartIO(fn, io);
  await restoreLayersWeights(fn, 'encoder', parts.encoder, io('encoder'));
  await restoreLayersWeights(fn, 'decoder', parts.decoder, io('decoder'));
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

function checkNetworks(
  fn: string,
  config: ResolvedVaeConfig,
  encoder: tfl.LayersModel,
  decoder: tfl.LayersModel,
): void {
  const conditional = config.kind === 'cvae' ? [[null, config.numClasses]] : [];
  const latent = [null, config.latentDim];
  const image = [null, ...config.inputShape];
  const expectShapes = (what: string, actual: tfl.Shape[], expected: (number | null)[][], note: string) => {
    const same =
      actual.length === expected.length &&
      actual.every(
        (shape, i) => shape.length === expected[i]?.length && shape.every((d, axis) => d === expected[i]?.[axis]),
      );
    if (!same) {
      const show = (shapes: (number | null)[][]) => shapes.map((s) => formatShape(s)).join(' ');
      throw new CheckpointError(formatExpected(fn, what, `shapes ${show(expected)} (${note})`, show(actual)));
    }
  };
  const source = 'manifest.config';
  expectShapes(
    'encoder inputs',
    encoder.inputs.map((t) => t.shape),
    [image, ...conditional],
    source,
  );
  const heads = isVariational(config.kind) ? [latent, latent] : [latent];
  expectShapes(
    'encoder outputs',
    encoder.outputs.map((t) => t.shape),
    heads,
    source,
  );
  expectShapes(
    'decoder inputs',
    decoder.inputs.map((t) => t.shape),
    [latent, ...conditional],
    source,
  );
  expectShapes(
    'decoder outputs',
    decoder.outputs.map((t) => t.shape),
    [image],
    source,
  );
  const hasLogVariance = decoder.layers.some((layer) => layer.name === LAYER_NAMES.logVariance);
  if (hasLogVariance !== (config.likelihood === 'gaussian-learned')) {
    throw new CheckpointError(
      formatExpected(
        fn,
        'decoder',
        `${hasLogVariance ? 'no' : 'a'} '${LAYER_NAMES.logVariance}' layer (${source}.likelihood '${config.likelihood}')`,
        hasLogVariance ? 'one' : 'none',
      ),
    );
  }
}
