/**
 * The running totals of an epoch: the sums of each loss part (kept on the backend, read back every `logEvery` steps),
 * the items seen and the seconds spent. An epoch resumed from a mid-epoch checkpoint starts from that checkpoint's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { PartialEpoch } from './run-format';

/**
 * The running sums of an epoch's loss parts, kept on the backend as one vector (one read-back every `logEvery` steps).
 * A step adds its parts in three ops whatever their number (stack, scale by the batch size, add), with the same
 * float32 arithmetic as a sum per part: `sum + part · size`, part by part.
 */
export class EpochSums {
  private names: string[] = [];
  private sums: tf.Tensor1D | null = null;
  /** The batch sizes as scalars, made once each (an epoch has one or two). */
  private readonly sizes = new Map<number, tf.Scalar>();

  constructor(initial?: Record<string, number>) {
    const entries = Object.entries(initial ?? {});
    if (entries.length > 0) {
      this.names = entries.map(([name]) => name);
      this.sums = tf.tensor1d(
        entries.map(([, value]) => value),
        'float32',
      );
    }
  }

  /** Adds `size ×` each part, and disposes the parts. A part not seen before starts from 0. */
  add(parts: Record<string, tf.Scalar>, size: number): void {
    const fresh = Object.keys(parts).filter((name) => !this.names.includes(name));
    if (fresh.length > 0) {
      const grown = tf.tidy(() => {
        const zeros = tf.zeros([fresh.length]) as tf.Tensor1D;
        return this.sums ? (tf.concat([this.sums, zeros]) as tf.Tensor1D) : zeros;
      });
      this.sums?.dispose();
      this.sums = grown;
      this.names = [...this.names, ...fresh];
    }
    let scale = this.sizes.get(size);
    if (!scale) {
      scale = tf.keep(tf.scalar(size));
      this.sizes.set(size, scale);
    }
    const previous = this.sums as tf.Tensor1D;
    const factor = scale;
    this.sums = tf.tidy(() => {
      // a part missing from this step adds 0 (made only then: every step of a model gives the same parts)
      const stacked = tf.stack(this.names.map((name) => parts[name] ?? tf.scalar(0))) as tf.Tensor1D;
      return tf.add(previous, tf.mul(stacked, factor)) as tf.Tensor1D;
    });
    previous.dispose();
    tf.dispose(Object.values(parts));
  }

  async read(): Promise<Record<string, number>> {
    const values = this.sums ? await this.sums.data() : new Float32Array(0);
    return Object.fromEntries(this.names.map((name, i) => [name, values[i] ?? Number.NaN]));
  }

  dispose(): void {
    this.sums?.dispose();
    this.sums = null;
    tf.dispose([...this.sizes.values()]);
    this.sizes.clear();
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
