import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  assertPositiveInt,
  ConfigError,
  categoricalSample,
  createRng,
  describeValue,
  formatExpected,
} from '@vaejs/core';
import type { ResolvedPixelCnnConfig } from './config';
import type { GatedPixelCnnBlock } from './gated-block';
import { conditioningOneHot, type LabelsInput } from './inputs';
import { LAYER_NAMES } from './network';

/** Options of `sample`. */
export interface PixelCnnSampleOptions {
  /** Integer seed: the same seed gives the same maps (cpu backend). Default: a fresh random seed. */
  seed?: number;
  /** Divides the logits before each draw; 0 takes the argmax (greedy decoding). Default 1. */
  temperature?: number;
  /**
   * Top-k sampling: at each position keep only the K most likely codes and draw among them (softmax of their logits
   * over temperature). A value ≥ the number of codes keeps all of them (the same draws as no `topK`). Default: none.
   */
  topK?: number;
  /** Class of each map, int32 [n] / n indices / one index for all; required if and only if conditioned. */
  labels?: LabelsInput;
  /**
   * Called after each position is drawn, in raster order, with the maps so far as a live int32 view [n, h, w]
   * (row-major; positions after (row, col) hold 0). Copy it to keep it. May return a promise, which is awaited.
   */
  onPosition?: (row: number, col: number, partial: Int32Array) => void | Promise<void>;
  /**
   * Gated networks only: reuse the vertical stack row by row and run only the horizontal stack on the current row's
   * prefix at each position (same numbers as a full recompute, ~10× faster on 7×7). Default true; `false` recomputes
   * the whole network on the rows so far at every position (always the case for `'masked'`).
   */
  cache?: boolean;
}

/**
 * Ancestral sampling of n maps at once, position by position in raster order: at (r, c) the logits are computed from
 * the positions drawn so far and one value per map is drawn from softmax(logits / temperature), restricted to the
 * `topK` largest logits when given (top-k sampling, as in Fan et al. 2018, https://arxiv.org/abs/1805.04833).
 *
 * Cost: h·w network evaluations. The full recompute runs the network on rows 0…r (outputs of a row do not depend on
 * later rows); the cached path runs the vertical stack once per row and the horizontal stack (plus the 1×1 head) on
 * columns 0…c of the current row only. One read-back of n integers per position.
 * @returns int32 [n, height, width], values in [0, K)
 */
export async function samplePixelCnn(
  config: ResolvedPixelCnnConfig,
  network: tfl.LayersModel,
  n: number,
  options: PixelCnnSampleOptions = {},
): Promise<tf.Tensor3D> {
  const fn = 'pixelCnn.sample';
  assertPositiveInt(fn, 'n', n);
  const temperature = options.temperature ?? 1;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new ConfigError(formatExpected(fn, 'options.temperature', 'a finite number ≥ 0', describeValue(temperature)));
  }
  const topK = options.topK;
  if (topK !== undefined && (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1)) {
    throw new ConfigError(formatExpected(fn, 'options.topK', 'a positive integer', describeValue(topK)));
  }
  // K ≥ the number of codes keeps them all: take the plain draw, whose numbers are the same as without topK.
  const keep = topK !== undefined && topK < config.numCategories ? topK : undefined;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) {
    throw new ConfigError(formatExpected(fn, 'options.seed', 'an integer', describeValue(seed)));
  }
  const labelsOneHot = conditioningOneHot(fn, options.labels, n, config);
  const { height, width } = config;
  const rng = createRng(seed);
  const values = new Int32Array(n * height * width);
  const cached = config.architecture === 'gated' && options.cache !== false;
  const sampler = cached
    ? createCachedSampler(config, network, n, labelsOneHot)
    : createFullSampler(config, network, n, labelsOneHot);
  try {
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        const drawnTensor = tf.tidy(() => draw(sampler.logitsAt(values, row, col), temperature, keep, rng.nextSeed()));
        let drawn: Int32Array;
        try {
          drawn = (await drawnTensor.data()) as Int32Array;
        } finally {
          drawnTensor.dispose();
        }
        for (let index = 0; index < n; index++) {
          values[(index * height + row) * width + col] = drawn[index] as number;
        }
        await options.onPosition?.(row, col, values);
      }
      if (row < height - 1) sampler.rowDone(values, row);
    }
  } finally {
    sampler.dispose();
    labelsOneHot?.dispose();
  }
  return tf.tensor3d(values, [n, height, width], 'int32');
}

// helpers

interface Sampler {
  /** Logits float32 [n, K] at (row, col) given `values` (called inside a tidy). */
  logitsAt(values: Int32Array, row: number, col: number): tf.Tensor2D;
  /** Called once every position of `row` is drawn. */
  rowDone(values: Int32Array, row: number): void;
  dispose(): void;
}

/** One code per map from logits [n, K]: argmax at temperature 0, else a draw, among the `keep` largest if given. */
function draw(logits: tf.Tensor2D, temperature: number, keep: number | undefined, seed: number): tf.Tensor1D {
  // top-1 keeps only the most likely code, whatever the temperature
  if (temperature === 0 || keep === 1) return tf.argMax(logits, 1) as tf.Tensor1D;
  if (keep === undefined) return categoricalSample(logits, { seed, temperature }) as tf.Tensor1D;
  // Draw a rank j among the `keep` largest logits [n, keep], then read code indices[:, j] as a one-hot product:
  // every backend has those ops, not every one a gather with batch dims.
  const { values, indices } = tf.topk(logits, keep);
  const rank = categoricalSample(values, { seed, temperature });
  return tf.sum(tf.mul(tf.oneHot(rank as tf.Tensor1D, keep), indices), 1) as tf.Tensor1D;
}

/** Rows 0…rows−1, columns 0…cols−1 of the maps, int32 [n, rows, cols] (or a single row from `rowStart`). */
function mapsTensor(values: Int32Array, config: ResolvedPixelCnnConfig, n: number, rowStart: number, rows: number) {
  const { height, width } = config;
  const all = tf.tensor3d(values, [n, height, width], 'int32');
  return tf.slice(all, [0, rowStart, 0], [n, rows, width]);
}

function createFullSampler(
  config: ResolvedPixelCnnConfig,
  network: tfl.LayersModel,
  n: number,
  labelsOneHot: tf.Tensor2D | undefined,
): Sampler {
  return {
    logitsAt(values, row, col) {
      const maps = mapsTensor(values, config, n, 0, row + 1);
      const logits = network.apply(labelsOneHot ? [maps, labelsOneHot] : maps) as tf.Tensor4D;
      return tf.reshape(tf.slice(logits, [0, row, col, 0], [n, 1, 1, config.numCategories]), [n, -1]);
    },
    rowDone() {},
    dispose() {},
  };
}

function createCachedSampler(
  config: ResolvedPixelCnnConfig,
  network: tfl.LayersModel,
  n: number,
  labelsOneHot: tf.Tensor2D | undefined,
): Sampler {
  const half = Math.floor(config.kernelSize / 2);
  const blocks = Array.from({ length: config.layers }, (_, l) =>
    network.getLayer(LAYER_NAMES.block(l)),
  ) as unknown as GatedPixelCnnBlock[];
  const embedding = network.getLayer(LAYER_NAMES.embedding);
  const head = [LAYER_NAMES.headRelu, LAYER_NAMES.headHidden, LAYER_NAMES.headLogits].map((name) =>
    network.getLayer(name),
  );
  // windows[l]: the last ≤ k//2+1 rows fed to block l's vertical stack, [n, rows, w, C]; fromVertical[l]: the
  // vertical stack's contribution to the current row's horizontal stack, [n, 1, w, 2C] (row 0 sees zeros above).
  let windows: tf.Tensor4D[] = [];
  let fromVertical: tf.Tensor4D[] = tf.tidy(() =>
    blocks.map((block) => block.toHorizontal(tf.zeros([n, 1, config.width, 2 * config.channels]))),
  );
  const disposeState = () => {
    tf.dispose([...windows, ...fromVertical]);
    windows = [];
    fromVertical = [];
  };
  return {
    logitsAt(values, row, col) {
      const prefix = tf.slice(mapsTensor(values, config, n, row, 1), [0, 0, 0], [n, 1, col + 1]);
      let features = embedding.apply(prefix) as tf.Tensor4D;
      blocks.forEach((block, l) => {
        const vertical = tf.slice(fromVertical[l] as tf.Tensor4D, [0, 0, 0, 0], [n, 1, col + 1, -1]);
        features = block.horizontal(features, vertical, labelsOneHot);
      });
      let out: tf.Tensor = tf.slice(features, [0, 0, col, 0], [n, 1, 1, -1]);
      for (const layer of head) out = layer.apply(out) as tf.Tensor;
      return tf.reshape(out, [n, config.numCategories]);
    },
    rowDone(values, row) {
      const next = tf.tidy(() => {
        let input = embedding.apply(mapsTensor(values, config, n, row, 1)) as tf.Tensor4D;
        const newWindows: tf.Tensor4D[] = [];
        const newFromVertical: tf.Tensor4D[] = [];
        blocks.forEach((block, l) => {
          const previous = windows[l];
          let window = previous ? tf.concat([previous, input], 1) : input;
          const rows = window.shape[1];
          if (rows > half + 1) window = tf.slice(window, [0, rows - half - 1, 0, 0], [-1, half + 1, -1, -1]);
          const missing = half + 1 - window.shape[1];
          const padded =
            missing > 0
              ? tf.pad(window, [
                  [0, 0],
                  [missing, 0],
                  [0, 0],
                  [0, 0],
                ])
              : window;
          const pre = block.verticalPreActivation(padded, false);
          newWindows.push(window);
          newFromVertical.push(block.toHorizontal(pre));
          if (l < blocks.length - 1) input = block.verticalGate(pre, labelsOneHot);
        });
        return { windows: newWindows, fromVertical: newFromVertical };
      });
      disposeState();
      windows = next.windows;
      fromVertical = next.fromVertical;
    },
    dispose() {
      disposeState();
    },
  };
}
