import { describe, expect, it } from 'vitest';
import { klAnnealing } from './kl-annealing';

const run = { beta: 2, warmupEpochs: 1, epochs: 4, stepsPerEpoch: 10 };

describe('klAnnealing', () => {
  it('gives no step options for a constant weight', () => {
    expect(klAnnealing({ schedule: 'constant', ...run })).toBeUndefined();
  });

  it('warms the weight up linearly from 0 to beta over the warm-up epochs, then holds it', () => {
    const options = klAnnealing({ schedule: 'linear', ...run });
    expect(options?.({ step: 0 }).beta).toBe(0);
    expect(options?.({ step: 5 }).beta).toBeCloseTo(1, 10);
    expect(options?.({ step: 10 }).beta).toBe(2);
    expect(options?.({ step: 39 }).beta).toBe(2);
  });

  it('repeats the warm-up once per period, as many cycles as fit in the run', () => {
    const options = klAnnealing({ schedule: 'cyclical', ...run });
    const first = options?.({ step: 1 }).beta ?? Number.NaN;
    expect(options?.({ step: 0 }).beta).toBe(0);
    expect(options?.({ step: 10 }).beta).toBe(0);
    expect(options?.({ step: 11 }).beta).toBeCloseTo(first, 10);
  });

  it('takes at least one step to warm up', () => {
    const options = klAnnealing({ schedule: 'linear', ...run, warmupEpochs: 0 });
    expect(options?.({ step: 1 }).beta).toBe(2);
  });
});
