import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointError, describeValue, formatExpected, formatShape } from '@vaejs/core';
import { isVariational, type ResolvedVaeConfig, resolveVaeConfig, type VaeConfig } from './config';
import { registerVaeLayers } from './learned-log-variance';
import { LAYER_NAMES } from './networks';
import { assembleVae, type Vae } from './vae';

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
 * @example
 * const manifest = await saveVae(vae, (part) => tf.io.withSaveHandler(async (artifacts) => store(part, artifacts)));
 */
export async function saveVae(vae: Vae, io: (part: string) => tf.io.IOHandler): Promise<VaeManifest> {
  if (typeof io !== 'function') {
    throw new CheckpointError(
      formatExpected('saveVae', 'io', 'a function (part) => tf.io.IOHandler', describeValue(io)),
    );
  }
  await vae.encoder.save(io('encoder'));
  await vae.decoder.save(io('decoder'));
  return {
    format: VAE_MANIFEST_FORMAT,
    version: 1,
    config: JSON.parse(JSON.stringify(vae.config)) as ResolvedVaeConfig,
    parts: [...PARTS],
  };
}

/**
 * Loads a model saved by {@link saveVae}: validates the manifest, reads each part with `tf.loadLayersModel`
 * (`io(part)` is an IOHandler or a URL) and checks the loaded networks against the manifest's config.
 * @throws CheckpointError for a manifest of another kind, another version, an invalid config, an unreadable part or
 * networks whose shapes disagree with the config.
 */
export async function loadVae(manifest: unknown, io: (part: string) => tf.io.IOHandler | string): Promise<Vae> {
  const fn = 'loadVae';
  const candidate = manifest as Partial<VaeManifest> | null;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new CheckpointError(formatExpected(fn, 'manifest', 'an object', describeValue(manifest)));
  }
  if (candidate.format !== VAE_MANIFEST_FORMAT) {
    throw new CheckpointError(
      formatExpected(fn, 'manifest.format', `'${VAE_MANIFEST_FORMAT}'`, describeValue(candidate.format)),
    );
  }
  if (candidate.version !== 1) {
    throw new CheckpointError(formatExpected(fn, 'manifest.version', '1', describeValue(candidate.version)));
  }
  let config: ResolvedVaeConfig;
  try {
    config = resolveVaeConfig(candidate.config as VaeConfig, fn);
  } catch (error) {
    const message = (error as Error).message.replace(/\.$/, '');
    throw new CheckpointError(formatExpected(fn, 'manifest.config', 'a valid config', `one that fails: ${message}`));
  }
  if (!Array.isArray(candidate.parts) || !PARTS.every((part) => candidate.parts?.includes(part))) {
    throw new CheckpointError(
      formatExpected(fn, 'manifest.parts', "['encoder', 'decoder']", describeValue(candidate.parts)),
    );
  }
  if (typeof io !== 'function') {
    throw new CheckpointError(
      formatExpected(fn, 'io', 'a function (part) => tf.io.IOHandler | string', describeValue(io)),
    );
  }
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
    return assembleVae({ config, encoder, decoder });
  } catch (error) {
    for (const model of models) model.dispose();
    throw error;
  }
}

// helpers

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
