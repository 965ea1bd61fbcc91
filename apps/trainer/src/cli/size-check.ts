/**
 * A guard against sizes that pass their flag's own range and then exhaust memory (`--hidden 1000000` grew to 6 GB
 * before it was stopped): before a model is built, its parameter count and one training step's memory are estimated
 * from the flags and checked against `--max-memory`. The estimate counts the dominant terms of each architecture
 * (weight matrices, their gradient and Adam's two moments; the activations a step keeps for its backward pass), so it
 * is a floor, not a bound: it refuses what cannot fit, not what barely might.
 */
import { UsageError } from './parse';

/** What the estimate reads of the flags (sizes only). */
export interface SizeFlags {
  model: string;
  arch?: 'mlp' | 'conv';
  batchSize: number;
  hidden?: number | undefined;
  latentDim?: number | undefined;
  channels?: number | undefined;
  codeDim?: number;
  codebookSize?: number;
  layers?: number;
}

/** The input the sizes apply to: an image `[h, w, c]` (or a code map `[h, w]` of K codes for a prior). */
export interface SizeInput {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

export interface SizeEstimate {
  parameters: number;
  /** Bytes of one training step: parameters × 4 copies (weights, gradient, Adam's m and v) + activations. */
  bytes: number;
}

const FLOAT = 4;
/** Activations are kept for the backward pass and their gradients made: about three copies of the forward's. */
const ACTIVATION_COPIES = 3;

/** The default sizes a flag takes when not given (the CLI's own defaults, for attribution). */
export const SIZE_DEFAULTS: Readonly<Record<string, number>> = {
  hidden: 400,
  latentDim: 20,
  channels: 32,
  codeDim: 16,
  codebookSize: 128,
  layers: 6,
  batchSize: 128,
};

/** Parameters and per-item activations (floats) of the model the flags describe. */
function count(flags: SizeFlags, input: SizeInput): { parameters: number; activations: number } {
  const { height: h, width: w, channels: c, classes } = input;
  const pixels = h * w * c;
  if (flags.model === 'pixelcnn') {
    const channels = flags.channels ?? SIZE_DEFAULTS.channels!;
    const layers = flags.layers ?? SIZE_DEFAULTS.layers!;
    const k = flags.codebookSize ?? SIZE_DEFAULTS.codebookSize!;
    // gated blocks: vertical and horizontal stacks of 2×channels-wide 3×3 convs, plus 1×1 links; a 128-wide head
    const parameters =
      k * channels + layers * (2 * 9 * channels * 2 * channels + 4 * channels * channels) + channels * 128 + 128 * k;
    return { parameters, activations: h * w * (layers * 10 * channels + 128 + k) };
  }
  if (flags.model === 'vqvae') {
    const base = flags.channels ?? SIZE_DEFAULTS.channels!;
    const d = flags.codeDim ?? SIZE_DEFAULTS.codeDim!;
    const k = flags.codebookSize ?? SIZE_DEFAULTS.codebookSize!;
    const convs = 2 * (9 * c * base + 9 * base * 2 * base + 2 * base * d);
    const quarter = Math.ceil(h / 4) * Math.ceil(w / 4);
    // the codebook with its EMA copies; nearest codes compare every position with every code
    return {
      parameters: convs + 3 * k * d,
      activations:
        2 * (Math.ceil(h / 2) * Math.ceil(w / 2) * base + quarter * 2 * base) + quarter * (2 * d + k) + 2 * pixels,
    };
  }
  const latent = flags.latentDim ?? (flags.arch === 'conv' ? 16 : SIZE_DEFAULTS.latentDim!);
  if (flags.arch === 'conv') {
    const base = flags.channels ?? SIZE_DEFAULTS.channels!;
    const flat = Math.ceil(h / 4) * Math.ceil(w / 4) * 2 * base;
    const parameters = 2 * (16 * (c + classes) * base + 16 * base * 2 * base) + 2 * flat * 256 + 3 * 256 * latent;
    return {
      parameters,
      activations: 2 * (Math.ceil(h / 2) * Math.ceil(w / 2) * base + flat + 256) + 3 * latent + 2 * pixels,
    };
  }
  const hidden = flags.hidden ?? SIZE_DEFAULTS.hidden!;
  const parameters = (pixels + classes) * hidden + 3 * hidden * latent + (latent + classes) * hidden + hidden * pixels;
  return { parameters, activations: 2 * hidden + 3 * latent + 2 * pixels };
}

/** The estimate of one training step of the model the flags describe. */
export function estimateSize(flags: SizeFlags, input: SizeInput): SizeEstimate {
  const { parameters, activations } = count(flags, input);
  return { parameters, bytes: FLOAT * (4 * parameters + ACTIVATION_COPIES * flags.batchSize * activations) };
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (char) => `-${char.toLowerCase()}`);

/**
 * Refuses flags whose model and step would not fit in `maxMemoryMb`, naming the flag that made it too big (the one
 * whose default would shrink the estimate most).
 */
export function checkSize(fn: string, flags: SizeFlags, input: SizeInput, maxMemoryMb: number): SizeEstimate {
  const estimate = estimateSize(flags, input);
  const limit = maxMemoryMb * 2 ** 20;
  if (estimate.bytes <= limit) return estimate;
  let culprit: string | null = null;
  let smallest = estimate.bytes;
  for (const key of Object.keys(SIZE_DEFAULTS)) {
    const value = (flags as unknown as Record<string, unknown>)[key];
    if (typeof value !== 'number') continue;
    const reduced = estimateSize({ ...flags, [key]: Math.min(value, SIZE_DEFAULTS[key]!) }, input).bytes;
    if (reduced < smallest) {
      smallest = reduced;
      culprit = key;
    }
  }
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20).toLocaleString('en');
  const cause = culprit
    ? `, mostly from --${kebab(culprit)} ${(flags as unknown as Record<string, number>)[culprit]}: lower it, or raise --max-memory`
    : ': choose smaller sizes, or raise --max-memory';
  throw new UsageError(
    `${fn}: expected a model and training step within --max-memory ${maxMemoryMb} MB, got about ${mb(estimate.bytes)} MB (${estimate.parameters.toLocaleString('en')} parameters)${cause}.`,
  );
}
