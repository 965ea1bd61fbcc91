/**
 * KL annealing: the weight β of the KL term as a function of the training step (0-based).
 * - constant: β = value.
 * - linear warm-up (Bowman et al. 2016): from `start` to `end` over `warmupSteps`, then `end`.
 * - cyclical (Fu et al. 2019, https://arxiv.org/abs/1903.10145): `totalSteps` split into `cycles` periods; in each,
 *   β rises linearly from `start` to `end` over the first `ratio` of the period, then stays at `end`. Steps past
 *   `totalSteps` keep cycling.
 */
import { assertNumberInRange, assertOneOf, assertPositiveInt, describeValue } from '../checks';
import { ConfigError, formatExpected } from '../errors';

export type KlScheduleConfig =
  | { kind: 'constant' /** Default 1. */; value?: number }
  | { kind: 'linear'; warmupSteps: number /** Default 0. */; start?: number /** Default 1. */; end?: number }
  | {
      kind: 'cyclical';
      totalSteps: number;
      /** Default 4 (the paper's M). */ cycles?: number;
      /** Share of each period spent rising, in (0, 1]. Default 0.5 (the paper's R). */ ratio?: number;
      /** Default 0. */ start?: number;
      /** Default 1. */ end?: number;
    };

export const KL_SCHEDULE_KINDS = ['constant', 'linear', 'cyclical'] as const;

/** Defaults of the optional fields, by kind. */
export const DEFAULT_KL_SCHEDULE_CONFIG = Object.freeze({
  constant: Object.freeze({ value: 1 }),
  linear: Object.freeze({ start: 0, end: 1 }),
  cyclical: Object.freeze({ cycles: 4, ratio: 0.5, start: 0, end: 1 }),
});

const FN = 'klSchedule';

function weight(argument: string, value: unknown): number {
  assertNumberInRange(FN, argument, value, 0, Number.MAX_VALUE);
  return value;
}

/**
 * Builds a schedule β(step).
 * @param config see {@link KlScheduleConfig}
 * @returns a function of the 0-based step (a number ≥ 0) returning β ≥ 0
 * @example
 * const beta = klSchedule({ kind: 'cyclical', totalSteps: 10_000 });
 * beta(0); beta(625); beta(1250); beta(2500); // 0, 0.5, 1, 0
 */
export function klSchedule(config: KlScheduleConfig): (step: number) => number {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(formatExpected(FN, 'config', 'an object with a kind', describeValue(config)));
  }
  assertOneOf(FN, 'config.kind', config.kind, KL_SCHEDULE_KINDS);
  let schedule: (step: number) => number;
  if (config.kind === 'constant') {
    const value = weight('config.value', config.value ?? DEFAULT_KL_SCHEDULE_CONFIG.constant.value);
    schedule = () => value;
  } else if (config.kind === 'linear') {
    const defaults = DEFAULT_KL_SCHEDULE_CONFIG.linear;
    assertPositiveInt(FN, 'config.warmupSteps', config.warmupSteps);
    const start = weight('config.start', config.start ?? defaults.start);
    const end = weight('config.end', config.end ?? defaults.end);
    const warmup = config.warmupSteps;
    schedule = (step) => start + (end - start) * Math.min(1, step / warmup);
  } else {
    const defaults = DEFAULT_KL_SCHEDULE_CONFIG.cyclical;
    assertPositiveInt(FN, 'config.totalSteps', config.totalSteps);
    const cycles = config.cycles ?? defaults.cycles;
    assertPositiveInt(FN, 'config.cycles', cycles);
    const ratio = config.ratio ?? defaults.ratio;
    assertNumberInRange(FN, 'config.ratio', ratio, Number.MIN_VALUE, 1);
    const start = weight('config.start', config.start ?? defaults.start);
    const end = weight('config.end', config.end ?? defaults.end);
    const period = Math.ceil(config.totalSteps / cycles);
    schedule = (step) => {
      const phase = (step % period) / period;
      return start + (end - start) * Math.min(1, phase / ratio);
    };
  }
  return (step: number) => {
    assertNumberInRange('klSchedule(step)', 'step', step, 0, Number.MAX_VALUE);
    return schedule(step);
  };
}
