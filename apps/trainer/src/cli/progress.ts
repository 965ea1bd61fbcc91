/** The progress bar of a training run: drawn in place on a terminal; elsewhere fit's one line per epoch says it all. */
import type { Callback } from '@vaejs/training';
import { Presets, SingleBar } from 'cli-progress';

function format(value: number): string {
  const magnitude = Math.abs(value);
  return magnitude >= 1000 ? value.toFixed(0) : magnitude >= 10 ? value.toFixed(2) : value.toFixed(4);
}

/** A fit callback that draws a bar per epoch on `stream` when it is a terminal; null otherwise. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): Callback | null {
  if (!stream.isTTY) return null;
  let bar: SingleBar | null = null;
  return {
    onEpochBegin(epoch, context) {
      bar = new SingleBar(
        {
          format: `epoch ${epoch}/${context.epochs} [{bar}] {value}/{total}  {losses}`,
          stream,
          hideCursor: true,
          clearOnComplete: true,
          barsize: 24,
        },
        Presets.legacy,
      );
      bar.start(context.stepsPerEpoch, 0, { losses: '' });
    },
    onBatchEnd(logs) {
      const losses = logs.means
        ? `${Object.entries(logs.means)
            .map(([name, value]) => `${name} ${format(value)}`)
            .join('  ')}  ${format(logs.itemsPerSecond ?? 0)} items/s`
        : undefined;
      bar?.update(logs.batch + 1, losses === undefined ? {} : { losses });
    },
    onEpochEnd() {
      bar?.stop();
      bar = null;
    },
  };
}
