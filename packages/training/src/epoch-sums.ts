/**
 * The running totals of an epoch: the sums of each loss part (kept on the backend, read back every `logEvery` steps),
 * the items seen and the seconds spent. An epoch resumed from a mid-epoch checkpoint starts from that checkpoint's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { PartialEpoch } from './run-format';

/** The running sums of an epoch's loss parts, kept on the backend (one read-back every `logEvery` steps). */
export class EpochSums {
  private readonly sums: Record<string, tf.Scalar> = {};

  constructor(initial?: Record<string, number>) {
    for (const [name, value] of Object.entries(initial ?? {})) this.sums[name] = tf.scalar(value);
  }

  /** Adds `size ×` each part, and disposes the parts. */
  add(parts: Record<string, tf.Scalar>, size: number): void {
    for (const [name, value] of Object.entries(parts)) {
      const weighted = tf.tidy(() => tf.mul(value, size) as tf.Scalar);
      const previous = this.sums[name];
      if (previous) {
        this.sums[name] = tf.tidy(() => tf.add(previous, weighted) as tf.Scalar);
        previous.dispose();
        weighted.dispose();
      } else {
        this.sums[name] = weighted;
      }
      value.dispose();
    }
  }

  async read(): Promise<Record<string, number>> {
    const names = Object.keys(this.sums);
    const values = await Promise.all(names.map((name) => (this.sums[name] as tf.Scalar).data()));
    return Object.fromEntries(names.map((name, i) => [name, values[i]?.[0] ?? Number.NaN]));
  }

  dispose(): void {
    tf.dispose(Object.values(this.sums));
  }
}

/** An epoch's totals so far; `read` and `means` are those of the last read-back. */
export interface EpochTotals {
  sums: EpochSums;
  seen: number;
  seconds: number;
  /** The sums as last read back. */
  read: Record<string, number>;
  /** `read / seen`: the epoch's running means. */
  means: Record<string, number>;
}

/** The totals an epoch starts from: nothing, or what a mid-epoch checkpoint kept. The caller disposes `sums`. */
export function startTotals(partial: PartialEpoch | null): EpochTotals {
  return {
    sums: new EpochSums(partial?.sums),
    seen: partial?.seen ?? 0,
    seconds: partial?.seconds ?? 0,
    read: {},
    means: {},
  };
}

/** Reads the sums back and sets the running means. */
export async function readTotals(totals: EpochTotals): Promise<void> {
  totals.read = await totals.sums.read();
  totals.means = Object.fromEntries(Object.entries(totals.read).map(([name, sum]) => [name, sum / totals.seen]));
}

/** What a mid-epoch checkpoint keeps of the totals (as last read back). */
export function partialOf(totals: EpochTotals): PartialEpoch {
  return { sums: totals.read, seen: totals.seen, seconds: totals.seconds };
}
