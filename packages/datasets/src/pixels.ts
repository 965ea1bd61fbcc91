/**
 * Pixel transforms on plain typed arrays: bytes to [0, 1], binarisation and input corruption for the denoising
 * autoencoder (Vincent et al. 2008, https://doi.org/10.1145/1390156.1390294). Pure and seeded; no tensors.
 */
import { assertNumberInRange, assertOneOf, assertPositiveInt } from '@vaejs/core';
import { createRandom, fillStandardNormal, mixSeed, type Random } from './random';

/** `BERNOULLI16[b] = round(b / 255 · 2^16)`: a 16-bit uniform u gives 1 with probability b / 255 (within 2^-17). */
const BERNOULLI16 = Int32Array.from({ length: 256 }, (_, byte) => Math.round((byte / 255) * 65536));

/**
 * Input corruption for a denoising autoencoder; the clean image stays the target. Every result is clipped to [0, 1].
 * - `gaussian`: adds N(0, std²) to each value.
 * - `salt-and-pepper`: each value, with probability `amount`, becomes 1 (with probability `saltRatio`, default 0.5)
 *   or 0.
 * - `masking`: each value, with probability `amount`, becomes 0.
 */
export type Corruption =
  | { readonly type: 'gaussian'; readonly std: number }
  | { readonly type: 'salt-and-pepper'; readonly amount: number; readonly saltRatio?: number }
  | { readonly type: 'masking'; readonly amount: number };

/** `UNIT[b] = b / 255`: bytes to [0, 1] without a division per pixel. */
export const UNIT = Float32Array.from({ length: 256 }, (_, byte) => byte / 255);

/** Throws ConfigError unless `corruption` is a well-formed `Corruption`. */
export function validateCorruption(fn: string, corruption: Corruption): void {
  assertOneOf(fn, 'corruption.type', corruption.type, ['gaussian', 'salt-and-pepper', 'masking']);
  if (corruption.type === 'gaussian') {
    assertNumberInRange(fn, 'corruption.std', corruption.std, 0, Number.MAX_VALUE);
  } else {
    assertNumberInRange(fn, 'corruption.amount', corruption.amount, 0, 1);
    if (corruption.type === 'salt-and-pepper' && corruption.saltRatio !== undefined) {
      assertNumberInRange(fn, 'corruption.saltRatio', corruption.saltRatio, 0, 1);
    }
  }
}

/**
 * A corrupted copy of `values` (each in [0, 1]); the input is left untouched.
 * @param values float32, any length, values in [0, 1]
 * @param corruption the kind and strength of the noise
 * @param seed an integer; the same seed gives the same noise
 * @returns float32, same length, values clipped to [0, 1]
 * @example corruptPixels(new Float32Array([0.5, 0.5]), { type: 'masking', amount: 1 }, 0); // Float32Array [0, 0]
 */
export function corruptPixels(values: Float32Array, corruption: Corruption, seed: number): Float32Array {
  validateCorruption('corruptPixels', corruption);
  assertPositiveInt('corruptPixels', 'seed', seed, 0);
  return applyCorruption(values, corruption, createRandom(mixSeed(seed, TAG_CORRUPTION)));
}

/** Seed tags, so that the streams for shuffling, binarisation and noise never coincide. */
export const TAG_STATIC = 0x5354;
export const TAG_DYNAMIC = 0x4459;
export const TAG_CORRUPTION = 0x434f;

/** `corruptPixels` with a generator already made (the batcher draws one per batch). */
export function applyCorruption(values: Float32Array, corruption: Corruption, random: Random): Float32Array {
  const out = new Float32Array(values.length);
  if (corruption.type === 'gaussian') {
    fillStandardNormal(out, random);
    const std = corruption.std;
    for (let i = 0; i < out.length; i++) out[i] = clip01((values[i] as number) + std * (out[i] as number));
    return out;
  }
  const amount = corruption.amount;
  const saltRatio = corruption.type === 'salt-and-pepper' ? (corruption.saltRatio ?? 0.5) : 0;
  for (let i = 0; i < out.length; i++) {
    if (random() < amount) out[i] = random() < saltRatio ? 1 : 0;
    else out[i] = values[i] as number;
  }
  return out;
}

/**
 * Writes one image's bytes as [0, 1] floats into `out` at `outOffset`, binarised or not:
 * `mode 'none'` gives `b / 255`; `'threshold'` gives 1 where `b / 255 > threshold`; `'sample'` draws
 * Bernoulli(`b / 255`) using 16 bits of `nextUint32` per pixel (one 32-bit draw serves two pixels).
 */
export function writePixels(
  images: Uint8Array,
  start: number,
  count: number,
  out: Float32Array,
  outOffset: number,
  mode: 'none' | 'threshold' | 'sample',
  threshold: number,
  nextUint32: (() => number) | null,
): void {
  if (mode === 'none') {
    for (let j = 0; j < count; j++) out[outOffset + j] = UNIT[images[start + j] as number] as number;
  } else if (mode === 'threshold') {
    for (let j = 0; j < count; j++)
      out[outOffset + j] = (UNIT[images[start + j] as number] as number) > threshold ? 1 : 0;
  } else {
    const next = nextUint32 as () => number;
    let j = 0;
    for (; j + 1 < count; j += 2) {
      const bits = next();
      out[outOffset + j] = (bits & 0xffff) < (BERNOULLI16[images[start + j] as number] as number) ? 1 : 0;
      out[outOffset + j + 1] = bits >>> 16 < (BERNOULLI16[images[start + j + 1] as number] as number) ? 1 : 0;
    }
    if (j < count)
      out[outOffset + j] = (next() & 0xffff) < (BERNOULLI16[images[start + j] as number] as number) ? 1 : 0;
  }
}

function clip01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
