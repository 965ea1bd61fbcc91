/**
 * Seeded randomness with a serialisable state.
 *
 * tfjs random ops (`tf.randomNormal`, `tf.randomUniform`, `tf.multinomial`) take an optional integer seed; the
 * same seed gives the same numbers on the cpu backend. An {@link Rng} hands out such seeds, one per call, from a
 * counter-based generator (splitmix32 over `seed + counter·φ`), so its whole state is two integers that can be
 * written to a checkpoint and restored to resume the exact stream.
 */

import { describeValue } from './checks';
import { ConfigError, formatExpected } from './errors';

/** The whole state of an {@link Rng}: plain JSON, safe to store in a checkpoint. */
export interface RngState {
  /** The seed the generator was created with, as an unsigned 32-bit integer. */
  seed: number;
  /** How many numbers have been drawn so far. */
  counter: number;
}

/** A seeded stream of numbers. Every call advances the counter by one. */
export interface Rng {
  /** A non-negative integer below 2^31, to pass as `seed` to a tfjs random op or to {@link gaussianSample}. */
  nextSeed(): number;
  /** A float in [0, 1). */
  uniform(): number;
  /** A copy of the current state. */
  getState(): RngState;
  /** Restores a state returned by `getState` (of this or another Rng). */
  setState(state: RngState): void;
}

const GOLDEN = 0x9e3779b9;

/** splitmix32 output for position `counter` of the stream `seed`: an unsigned 32-bit integer. */
function splitmix32(seed: number, counter: number): number {
  let z = (seed + Math.imul(counter + 1, GOLDEN)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

function assertState(fn: string, state: unknown): asserts state is RngState {
  const candidate = state as Partial<RngState> | null;
  const valid =
    typeof candidate === 'object' &&
    candidate !== null &&
    Number.isInteger(candidate.seed) &&
    Number.isInteger(candidate.counter) &&
    (candidate.counter as number) >= 0;
  if (!valid) {
    const actual =
      typeof candidate === 'object' && candidate !== null
        ? `{ seed: ${describeValue(candidate.seed)}, counter: ${describeValue(candidate.counter)} }`
        : describeValue(state);
    throw new ConfigError(
      formatExpected(fn, 'state', '{ seed: integer, counter: integer ≥ 0 } (from rng.getState())', actual),
    );
  }
}

/**
 * Creates a seeded generator. Integers are reduced to unsigned 32 bits (`seed >>> 0`).
 * @param seed any integer
 * @example
 * const rng = createRng(42);
 * const z = gaussianSample(mean, logVar, rng.nextSeed()); // same z for the same seed, on cpu
 * const saved = rng.getState();                          // { seed: 42, counter: 1 }
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new ConfigError(formatExpected('createRng', 'seed', 'an integer', describeValue(seed)));
  }
  let state: RngState = { seed: seed >>> 0, counter: 0 };
  const next = (): number => {
    const value = splitmix32(state.seed, state.counter);
    state = { seed: state.seed, counter: state.counter + 1 };
    return value;
  };
  return {
    nextSeed: () => next() >>> 1,
    uniform: () => next() / 4294967296,
    getState: () => ({ ...state }),
    setState(newState: RngState) {
      assertState('rng.setState', newState);
      state = { seed: newState.seed >>> 0, counter: newState.counter };
    },
  };
}

/**
 * The seed to hand a tfjs normal-distribution op (`tf.randomNormal`, `tf.truncatedNormal`, the layers' normal
 * initialisers) for `seed`. Those ops treat a seed of 0 as "no seed" (`seed ? seed : Math.random()`), so seed 0
 * would give different numbers on every call; it becomes 0.5, a value no integer seed takes. Other seeds pass as is.
 * @example tf.randomNormal([2], 0, 1, 'float32', tfSeed(0)) // the same two numbers every time
 */
export function tfSeed(seed: number): number {
  return seed === 0 ? 0.5 : seed;
}
