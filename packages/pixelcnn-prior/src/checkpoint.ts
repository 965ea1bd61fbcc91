import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointError, describeValue, formatExpected, VaejsError } from '@vaejs/core';
import { type PixelCnnConfig, type ResolvedPixelCnnConfig, resolvePixelCnnConfig } from './config';
import { registerPixelCnnLayers } from './network';
import { type PixelCnn, wrapPixelCnnNetwork } from './pixelcnn';

/** What `savePixelCnn` returns and `loadPixelCnn` reads: plain JSON, stored by the caller as `pixelcnn.json`. */
export interface PixelCnnManifest {
  format: 'vaejs-pixelcnn';
  version: 1;
  config: PixelCnnConfig;
  /** Names of the parts written through `io`: `['network']`. */
  parts: string[];
}

export const PIXELCNN_FORMAT = 'vaejs-pixelcnn';
const PARTS = ['network'];

/**
 * Writes the network (standard tfjs LayersModel format: topology plus weights) through `io('network')` and returns the
 * manifest. Filesystem-free: the caller supplies the handler (`tf.io.withSaveHandler`, a `file://` handler from
 * tfjs-node, `localstorage://` in the browser…).
 * @example
 * const manifest = await savePixelCnn(prior, (part) => tf.io.withSaveHandler(async (artifacts) => store(part, artifacts)));
 */
export async function savePixelCnn(model: PixelCnn, io: (part: string) => tf.io.IOHandler): Promise<PixelCnnManifest> {
  await model.network.save(io('network'));
  return { format: PIXELCNN_FORMAT, version: 1, config: { ...model.config }, parts: [...PARTS] };
}

/**
 * Validates a manifest written by `savePixelCnn` and loads its network through `io('network')` (a handler or a URL).
 * @throws CheckpointError for a manifest of another format or version, a bad config, or a network that does not
 *   match the config.
 */
export async function loadPixelCnn(
  manifest: unknown,
  io: (part: string) => tf.io.IOHandler | string,
): Promise<PixelCnn> {
  const fn = 'loadPixelCnn';
  const config = readManifest(fn, manifest);
  registerPixelCnnLayers();
  let network: tfl.LayersModel;
  try {
    network = await tfl.loadLayersModel(io('network'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CheckpointError(formatExpected(fn, "part 'network'", 'a loadable tfjs LayersModel', reason));
  }
  const outputShape = network.outputs[0]?.shape ?? [];
  const expectedInputs = config.numClasses > 0 ? 2 : 1;
  if (outputShape[3] !== config.numCategories || network.inputs.length !== expectedInputs) {
    network.dispose();
    throw new CheckpointError(
      formatExpected(
        fn,
        "part 'network'",
        `${expectedInputs} input(s) and logits [?,?,?,${config.numCategories}] (manifest.config)`,
        `${network.inputs.length} input(s) and logits [${outputShape.map((d) => d ?? '?').join(',')}]`,
      ),
    );
  }
  return wrapPixelCnnNetwork(config, network);
}

// helpers

function readManifest(fn: string, manifest: unknown): ResolvedPixelCnnConfig {
  if (typeof manifest !== 'object' || manifest === null) {
    throw new CheckpointError(formatExpected(fn, 'manifest', 'an object', describeValue(manifest)));
  }
  const { format, version, config, parts } = manifest as Partial<PixelCnnManifest>;
  if (format !== PIXELCNN_FORMAT) {
    throw new CheckpointError(formatExpected(fn, 'manifest.format', `'${PIXELCNN_FORMAT}'`, describeValue(format)));
  }
  if (version !== 1) {
    throw new CheckpointError(formatExpected(fn, 'manifest.version', '1', describeValue(version)));
  }
  if (!Array.isArray(parts) || !parts.includes('network')) {
    throw new CheckpointError(formatExpected(fn, 'manifest.parts', "to include 'network'", describeValue(parts)));
  }
  try {
    return resolvePixelCnnConfig(config as PixelCnnConfig);
  } catch (error) {
    if (VaejsError.isInstance(error)) throw new CheckpointError(`${fn}: invalid manifest.config: ${error.message}`);
    throw error;
  }
}
