import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { klSchedule } from './kl-schedule';

describe('klSchedule', () => {
  it('constant', () => {
    expect(klSchedule({ kind: 'constant' })(1234)).toBe(1);
    expect(klSchedule({ kind: 'constant', value: 4 })(0)).toBe(4);
  });

  it('linear warm-up rises from start to end, then stays', () => {
    const beta = klSchedule({ kind: 'linear', warmupSteps: 100 });
    expect([0, 25, 50, 100, 500].map(beta)).toEqual([0, 0.25, 0.5, 1, 1]);
    const custom = klSchedule({ kind: 'linear', warmupSteps: 10, start: 0.5, end: 2 });
    expect([0, 5, 10, 11].map(custom)).toEqual([0.5, 1.25, 2, 2]);
  });

  it('cyclical follows Fu et al. 2019: M cycles, rising over the first R of each', () => {
    const beta = klSchedule({ kind: 'cyclical', totalSteps: 10000 }); // M = 4, R = 0.5: period 2500, ramp 1250
    expect([0, 625, 1250, 2000, 2499, 2500, 3125, 9999, 10000].map(beta)).toEqual([0, 0.5, 1, 1, 1, 0, 0.5, 1, 0]);
    const custom = klSchedule({ kind: 'cyclical', totalSteps: 100, cycles: 2, ratio: 1, end: 0.5 });
    expect([0, 25, 49, 50].map(custom)).toEqual([0, 0.25, 0.49, 0]);
  });

  it('rejects bad configs and steps', () => {
    const bad = (config: unknown) => () => klSchedule(config as Parameters<typeof klSchedule>[0]);
    expect(bad(undefined)).toThrow(/^klSchedule: expected config an object with a kind, got undefined\.$/);
    expect(bad({ kind: 'sigmoid' })).toThrow(
      /^klSchedule: expected config\.kind one of constant \| linear \| cyclical, got 'sigmoid'\.$/,
    );
    expect(bad({ kind: 'constant', value: -1 })).toThrow(
      /^klSchedule: expected config\.value a number in \[0, .*\], got -1\.$/,
    );
    expect(bad({ kind: 'linear' })).toThrow(
      /^klSchedule: expected config\.warmupSteps a positive integer, got undefined\.$/,
    );
    expect(bad({ kind: 'linear', warmupSteps: 10, end: Number.NaN })).toThrow(
      /^klSchedule: expected config\.end a number/,
    );
    expect(bad({ kind: 'cyclical', totalSteps: 0 })).toThrow(
      /^klSchedule: expected config\.totalSteps a positive integer, got 0\.$/,
    );
    expect(bad({ kind: 'cyclical', totalSteps: 10, cycles: 1.5 })).toThrow(
      /^klSchedule: expected config\.cycles a positive integer, got 1\.5\.$/,
    );
    expect(bad({ kind: 'cyclical', totalSteps: 10, ratio: 0 })).toThrow(
      /^klSchedule: expected config\.ratio a number in \[.*, 1\], got 0\.$/,
    );
    expect(bad({ kind: 'linear', warmupSteps: 1 })).not.toThrow();
    expect(() => klSchedule({ kind: 'constant' })(-1)).toThrow(
      /^klSchedule\(step\): expected step a number in \[0, .*\], got -1\.$/,
    );
    expect(bad({ kind: 'cyclical', totalSteps: -5 })).toThrow(ConfigError);
  });
});
