/**
 * The live bar of `fit`'s `verbose: 1` on a terminal, as Keras draws it: one line per epoch, redrawn in place with
 * `\r` (at most every `interval` ms, and at the epoch's last step), with the step count, elapsed time, ETA, the running
 * losses and the speed; cut to the terminal's width so that it never wraps. At the epoch's end the line is blanked, and
 * `fit` prints the epoch's line (with the test loss) in its place.
 *
 * ```
 * epoch 2/10 [=========>..........] 212/469  0:03<0:04  7,048 items/s  loss 104.93  recon 80.12  kl 24.83
 * ```
 */
import type { Callback } from './callbacks';
import { formatDuration, formatLoss, formatRate } from './format';

/** What the bar writes to: a terminal stream (`process.stderr`), or a fake one in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  /** Whether the stream is a terminal: the bar draws only then. */
  isTTY?: boolean;
  /** The terminal's width in characters (80 when unknown or 0). */
  columns?: number;
}

export interface ProgressBarOptions {
  /** The terminal to draw on. */
  stream: ProgressStream;
  /** Least milliseconds between two redraws. Default 100 (10 frames a second). */
  interval?: number;
  /** The clock, in milliseconds. Default `performance.now`. */
  now?: () => number;
  /** Width of the bar itself, in characters. Default 20. */
  width?: number;
}

/**
 * A `fit` callback that draws a live bar per epoch on `options.stream` (`fit` adds one itself with `verbose: 1` on a
 * terminal); it draws nothing when the stream is not a terminal.
 * @example
 * await fit(vae, data, { verbose: 2, callbacks: [progressBar({ stream: process.stderr })] });
 */
export function progressBar(options: ProgressBarOptions): Callback {
  const { stream } = options;
  const interval = options.interval ?? 100;
  const now = options.now ?? (() => performance.now());
  const width = options.width ?? 20;
  let epochLabel = '';
  let started = 0;
  let firstBatch = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let shown = 0;
  let means = '';
  const draw = (line: string) => {
    const fitted = line.slice(0, Math.max(10, columnsOf(stream) - 1));
    stream.write(`\r${fitted.padEnd(shown)}`);
    shown = fitted.length;
  };
  return {
    onEpochBegin(epoch, context) {
      if (!stream.isTTY) return;
      epochLabel = `epoch ${epoch}/${context.epochs}`;
      started = now();
      firstBatch = -1;
      means = '';
      lastDraw = Number.NEGATIVE_INFINITY;
    },
    onBatchEnd(logs, context) {
      if (!stream.isTTY) return;
      if (firstBatch < 0) firstBatch = logs.batch;
      if (logs.means) {
        const parts = Object.entries(logs.means).map(([name, value]) => `${name} ${formatLoss(value)}`);
        // the speed before the losses: a narrow terminal cuts the end of the line, and a model may have many parts
        means = `  ${formatRate(logs.itemsPerSecond ?? 0)} items/s  ${parts.join('  ')}`;
      }
      const done = logs.batch + 1;
      const total = context.stepsPerEpoch;
      const time = now();
      if (done < total && time - lastDraw < interval) return;
      lastDraw = time;
      const elapsed = (time - started) / 1000;
      const perStep = elapsed / Math.max(1, done - firstBatch);
      const eta = formatDuration(perStep * (total - done));
      const frame = (size: number) =>
        `${epochLabel} ${bar(done / total, size)} ${done}/${total}  ${formatDuration(elapsed)}<${eta}${means}`;
      // a narrow terminal gets a shorter bar (down to 8) before the losses are cut
      draw(frame(Math.max(8, width - Math.max(0, frame(width).length - (columnsOf(stream) - 1)))));
    },
    onEpochEnd() {
      if (!stream.isTTY || shown === 0) return;
      stream.write(`\r${' '.repeat(shown)}\r`);
      shown = 0;
    },
    onTrainEnd() {
      if (!stream.isTTY || shown === 0) return;
      stream.write('\n'); // a run stopped in the middle of an epoch leaves its last frame on the screen
      shown = 0;
    },
  };
}

// helpers

/** The terminal's width; 80 when unknown or 0 (a pseudo-terminal of no size, as `script` gives). */
function columnsOf(stream: ProgressStream): number {
  return stream.columns && stream.columns > 0 ? stream.columns : 80;
}

/** `[=========>..........]` for a share in [0, 1]. */
function bar(share: number, width: number): string {
  const filled = Math.min(width, Math.floor(Math.max(0, share) * width));
  const head = filled < width ? '>' : '';
  return `[${'='.repeat(filled)}${head}${'.'.repeat(Math.max(0, width - filled - head.length))}]`;
}
