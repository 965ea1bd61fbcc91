import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gaussianSample } from './distributions/gaussian';
import { ConfigError } from './errors';
import { createRng, tfSeed } from './random';

describe('createRng', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const draw = (rng: ReturnType<typeof createRng>) => [rng.nextSeed(), rng.uniform(), rng.nextSeed()];
    const streamA = draw(a);
    expect(draw(b)).toEqual(streamA);
    expect(draw(c)).not.toEqual(streamA);
  });

  it('hands out integer seeds in [0, 2^31) and uniforms in [0, 1) with the right mean', () => {
    const rng = createRng(7);
    let sum = 0;
    const n = 10000;
    for (let i = 0; i < n; i++) {
      const seed = rng.nextSeed();
      expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31).toBe(true);
      const u = rng.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    // mean of n uniforms: sd 1/sqrt(12n) ≈ 0.0029
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.012);
  });

  it('has a JSON state that resumes the stream exactly', () => {
    const rng = createRng(2024);
    rng.nextSeed();
    rng.uniform();
    const saved = JSON.parse(JSON.stringify(rng.getState()));
    expect(saved).toEqual({ seed: 2024, counter: 2 });
    const expected = [rng.nextSeed(), rng.uniform()];
    const restored = createRng(0);
    restored.setState(saved);
    expect([restored.nextSeed(), restored.uniform()]).toEqual(expected);
    expect(restored.getState()).toEqual({ seed: 2024, counter: 4 });
  });

  it('getState returns a copy', () => {
    const rng = createRng(1);
    const state = rng.getState();
    state.counter = 99;
    expect(rng.getState().counter).toBe(0);
  });

  it('reduces seeds to 32 bits', () => {
    expect(createRng(-1).getState().seed).toBe(4294967295);
    expect(createRng(-1).nextSeed()).toBe(createRng(4294967295).nextSeed());
  });

  it('drives tfjs random ops reproducibly on cpu', () => {
    const first = tf.tidy(() =>
      Array.from(gaussianSample(tf.zeros([2, 3]), tf.zeros([2, 3]), createRng(5).nextSeed()).dataSync()),
    );
    const second = tf.tidy(() =>
      Array.from(gaussianSample(tf.zeros([2, 3]), tf.zeros([2, 3]), createRng(5).nextSeed()).dataSync()),
    );
    expect(second).toEqual(first);
  });

  it('rejects bad seeds and states', () => {
    expect(() => createRng(1.5)).toThrow(/^createRng: expected seed an integer, got 1\.5\.$/);
    expect(() => createRng('3' as unknown as number)).toThrow(/^createRng: expected seed an integer, got '3'\.$/);
    expect(() => createRng(Number.NaN)).toThrow(ConfigError);
    const rng = createRng(1);
    expect(() => rng.setState({ seed: 1, counter: -1 })).toThrow(
      /^rng\.setState: expected state \{ seed: integer, counter: integer ≥ 0 \} \(from rng\.getState\(\)\), got \{ seed: 1, counter: -1 \}\.$/,
    );
    expect(() => rng.setState(null as unknown as { seed: number; counter: number })).toThrow(
      /^rng\.setState: expected state .*, got null\.$/,
    );
    expect(rng.getState()).toEqual({ seed: 1, counter: 0 });
  });
});

describe('tfSeed', () => {
  it('makes seed 0 reproducible in tfjs normal ops, which take 0 as "unseeded"', async () => {
    const draw = (seed: number) => tf.tidy(() => gaussianSample(tf.zeros([1, 64]), tf.zeros([1, 64]), seed).dataSync());
    expect(Array.from(draw(0))).toEqual(Array.from(draw(0)));
    expect(Array.from(draw(7))).toEqual(Array.from(draw(7)));
    expect(Array.from(draw(0))).not.toEqual(Array.from(draw(7)));
    expect(tfSeed(0)).toBe(0.5);
    expect(tfSeed(12)).toBe(12);
  });
});
