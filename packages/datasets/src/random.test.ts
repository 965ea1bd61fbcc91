import { createRng } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { corruptPixels } from './pixels';
import { createRandom, createUint32Random, epochOrder, fillStandardNormal, mixSeed, permutation } from './random';

describe('seeded randomness', () => {
  it('mixSeed separates nearby inputs and the words of large integers', () => {
    const seeds = new Set([mixSeed(0), mixSeed(1), mixSeed(0, 1), mixSeed(1, 0), mixSeed(2 ** 32), mixSeed(0, 0)]);
    expect(seeds.size).toBe(6);
    expect(mixSeed(7, 3)).toBe(mixSeed(7, 3));
  });

  it("draws from @vaejs/core's createRng: the same stream, as [0, 1) floats or 32-bit integers", () => {
    const core = createRng(mixSeed(9, 2));
    const expected = Array.from({ length: 5 }, () => core.uniform());
    const random = createRandom(mixSeed(9, 2));
    expect(Array.from({ length: 5 }, random)).toEqual(expected);
    const integers = Array.from({ length: 5 }, createUint32Random(mixSeed(9, 2)));
    expect(integers).toEqual(expected.map((u) => u * 2 ** 32));
    expect(integers.every((n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32)).toBe(true);
  });

  it('epochOrder: a permutation fixed by (seed, epoch), the identity without shuffle', () => {
    const order = (seed: number, epoch: number) => Array.from(epochOrder(50, { shuffle: true, seed, epoch }));
    expect([...order(1, 0)].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order(1, 0)).toEqual(order(1, 0));
    expect(order(1, 1)).not.toEqual(order(1, 0));
    expect(order(2, 0)).not.toEqual(order(1, 0));
    expect(Array.from(epochOrder(4, { shuffle: false, seed: 1, epoch: 3 }))).toEqual([0, 1, 2, 3]);
  });

  it('createRandom is uniform on [0, 1): mean ≈ 1/2, variance ≈ 1/12', () => {
    const random = createRandom(mixSeed(1));
    const values = Array.from({ length: 20000 }, random);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // sd of the mean ≈ 0.002
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.003);
  });

  it('permutation holds each index once; standard normals have mean 0 and variance 1', () => {
    const order = permutation(1000, createRandom(3));
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const normal = new Float32Array(20001);
    fillStandardNormal(normal, createRandom(4));
    const mean = normal.reduce((a, b) => a + b, 0) / normal.length;
    const variance = normal.reduce((a, b) => a + (b - mean) ** 2, 0) / normal.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
  });

  it('corruptPixels: seeded, leaves the input alone, masking amount 1 zeroes all', () => {
    const values = new Float32Array([0.2, 0.4, 0.6, 0.8]);
    expect(Array.from(corruptPixels(values, { type: 'masking', amount: 1 }, 0))).toEqual([0, 0, 0, 0]);
    const a = corruptPixels(values, { type: 'gaussian', std: 0.3 }, 5);
    expect(Array.from(corruptPixels(values, { type: 'gaussian', std: 0.3 }, 5))).toEqual(Array.from(a));
    expect(Array.from(values)).toEqual(Array.from(new Float32Array([0.2, 0.4, 0.6, 0.8])));
    expect(Array.from(corruptPixels(values, { type: 'salt-and-pepper', amount: 1, saltRatio: 1 }, 1))).toEqual([
      1, 1, 1, 1,
    ]);
    expect(() => corruptPixels(values, { type: 'gaussian', std: 0.1 }, -2)).toThrow(
      /^corruptPixels: expected seed an integer ≥ 0, got -2\.$/,
    );
  });
});
