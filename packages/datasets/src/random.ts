/**
 * Seeded pseudo-random numbers for shuffling, binarisation and corruption, drawn from `@vaejs/core`'s `createRng`
 * (the one generator every vaejs package uses). Plain JavaScript (no tensors), so that batches are built from bytes
 * without a tfjs round trip and the same seed gives the same numbers on every backend. `mixSeed` derives the seed of
 * each stream (purpose, epoch, batch) from the user's seed.
 */
import { createRng } from '@vaejs/core';

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** The murmur3 32-bit finaliser: spreads every input bit over the output. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Mixes integers (a seed, an epoch, a batch index, a purpose tag) into one 32-bit seed, so that streams for different
 * purposes and positions do not overlap. Integers beyond 2^32 contribute both of their 32-bit words.
 * @example mixSeed(42, 3) !== mixSeed(42, 4)
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    const low = part >>> 0;
    const high = Math.floor(part / 4294967296) >>> 0;
    h = fmix32(h ^ fmix32(low + 0x6a09e667));
    h = fmix32(h ^ fmix32(high + 0xbb67ae85));
  }
  return h;
}

/** 2^32: `rng.uniform()` is a 32-bit integer divided by it, so multiplying back gives that integer exactly. */
const TWO_POW_32 = 4294967296;

/**
 * Uniform 32-bit integers from `createRng(seed)` of `@vaejs/core` (binarisation spends 16 bits a pixel).
 * @returns uniform integers in [0, 2^32)
 */
export function createUint32Random(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.uniform() * TWO_POW_32;
}

/**
 * Uniform numbers in [0, 1) from `createRng(seed)` of `@vaejs/core`.
 * @example const random = createRandom(mixSeed(0)); random(); // 0 <= value < 1
 */
export function createRandom(seed: number): Random {
  const rng = createRng(seed);
  return () => rng.uniform();
}

/** A seeded permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  return order;
}

/** Seed tag of the shuffling stream (the others live beside their use, in pixels.ts). */
export const TAG_SHUFFLE = 0x5348;

/**
 * The visiting order of one epoch: a seeded permutation of `0..size-1` drawn from the stream
 * `mixSeed(seed, TAG_SHUFFLE, epoch)` (the same for images and code maps), or the identity without `shuffle`.
 * @example epochOrder(4, { shuffle: true, seed: 1, epoch: 0 }); // a permutation of 0..3, the same for the same seed and epoch
 */
export function epochOrder(size: number, options: { shuffle: boolean; seed: number; epoch: number }): Int32Array {
  return options.shuffle
    ? permutation(size, createRandom(mixSeed(options.seed, TAG_SHUFFLE, options.epoch)))
    : Int32Array.from({ length: size }, (_, i) => i);
}

/** Fills `out` with standard normal draws (Box–Muller, two draws per pair of uniforms). */
export function fillStandardNormal(out: Float32Array, random: Random): void {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - random(); // in (0, 1], so the log is finite
    const u2 = random();
    const radius = Math.sqrt(-2 * Math.log(u1));
    out[i] = radius * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
}
