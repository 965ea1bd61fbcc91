/**
 * An epoch's line of metrics.jsonl (`EpochRecord`), the names its figures take there, and the line `fit` prints.
 */
import { formatLoss, formatRate } from './format';
import type { EpochRecord } from './run-format';

/** What an epoch measured. */
export interface EpochFigures {
  epoch: number;
  /** The training means of the loss parts (`loss` first). */
  means: Record<string, number>;
  /** The test means, `{}` without test data. */
  testMeans: Record<string, number>;
  /** The model's `epochMetrics` on the test sample. */
  figures: Record<string, number>;
  seen: number;
  seconds: number;
  memory: Record<string, number>;
  backend: string;
}

/** The metrics.jsonl line of an epoch: losses, the parts by their metric names (test ones `test_`), speed, memory. */
export function epochRecord(epoch: EpochFigures): EpochRecord {
  return {
    epoch: epoch.epoch,
    train_loss: epoch.means.loss ?? Number.NaN,
    test_loss: epoch.testMeans.loss ?? Number.NaN,
    ...prefixed('', epoch.means),
    ...prefixed('test_', epoch.testMeans),
    ...prefixed('test_', epoch.figures),
    images_per_sec: epoch.seen / Math.max(epoch.seconds, 1e-9),
    seconds: epoch.seconds,
    ...epoch.memory,
    backend: epoch.backend,
  };
}

/** The line `fit` prints after an epoch: `epoch 2/10: train 104.93  test 103.20  2,340 items/s  25.6 s`. */
export function epochLine(record: EpochRecord, epochs: number, hasTest: boolean): string {
  const testPart = hasTest ? `  test ${formatLoss(record.test_loss)}` : '';
  return `epoch ${record.epoch}/${epochs}: train ${formatLoss(record.train_loss)}${testPart}  ${formatRate(record.images_per_sec)} items/s  ${record.seconds.toFixed(1)} s`;
}

/** The running means by their metric names, as `onBatchEnd` shows them. */
export function displayed(means: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(means).map(([name, value]) => [metricName(name), value]));
}

/** The metric name a loss part gets in metrics.jsonl: `reconstruction` → `recon`, as the run format names it. */
export function metricName(part: string): string {
  return part === 'reconstruction' ? 'recon' : part;
}

// helpers

/** `{ loss, reconstruction }` → `{ train_loss? }`-free metric names with a prefix: `test_recon`. */
function prefixed(prefix: string, values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([name]) => name !== 'loss')
      .map(([name, value]) => [`${prefix}${metricName(name)}`, value]),
  );
}
