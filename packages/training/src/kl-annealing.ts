/**
 * A VAE's KL weight annealed over a run's epochs, as `fit`'s per-step options: the linear warm-up of Bowman et al.
 * (https://arxiv.org/abs/1511.06349) or the cyclical schedule of Fu et al. (https://arxiv.org/abs/1903.10145), in
 * epochs rather than steps, since that is how a run is sized.
 */
import { type KlScheduleConfig, klSchedule } from '@vaejs/core';
import type { StepContext } from './options';

/** What {@link klAnnealing} takes. */
export interface KlAnnealingOptions {
  /** `'constant'` keeps the model's own weight; `'linear'` warms up from 0; `'cyclical'` repeats that warm-up. */
  schedule: 'constant' | 'linear' | 'cyclical';
  /** The weight to reach (the model's β). */
  beta: number;
  /** Epochs of the warm-up (linear), or of one cycle (cyclical); at least one step either way. */
  warmupEpochs: number;
  /** Epochs of the run, and steps of each. */
  epochs: number;
  stepsPerEpoch: number;
}

/**
 * `fit`'s `stepOptions` that set the KL weight `beta` of each step, or undefined for a constant weight.
 * @example fit(vae, data, { stepOptions: klAnnealing({ schedule: 'linear', beta: 1, warmupEpochs: 2, epochs: 10, stepsPerEpoch: 469 }) })
 */
export function klAnnealing(
  options: KlAnnealingOptions,
): ((context: Pick<StepContext, 'step'>) => { beta: number }) | undefined {
  const { schedule, beta, stepsPerEpoch } = options;
  if (schedule === 'constant') return undefined;
  const periodSteps = Math.max(1, Math.round(options.warmupEpochs * stepsPerEpoch));
  const totalSteps = options.epochs * stepsPerEpoch;
  const cycles = Math.max(1, Math.round(totalSteps / periodSteps));
  const config: KlScheduleConfig =
    schedule === 'linear'
      ? { kind: 'linear', warmupSteps: periodSteps, start: 0, end: beta }
      : { kind: 'cyclical', totalSteps, cycles, start: 0, end: beta };
  const weight = klSchedule(config);
  return ({ step }) => ({ beta: weight(step) });
}
