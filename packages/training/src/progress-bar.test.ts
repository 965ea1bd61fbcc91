import { describe, expect, it } from 'vitest';
import type { FitContext } from './callbacks';
import { type ProgressStream, progressBar } from './progress-bar';

/** A terminal that keeps what is written to it. */
function fakeTerminal(columns = 120): ProgressStream & { frames: string[] } {
  const frames: string[] = [];
  return { isTTY: true, columns, frames, write: (text: string) => frames.push(text) };
}

const context = {
  epochs: 3,
  stepsPerEpoch: 10,
  startEpoch: 1,
  history: [],
  runDir: undefined,
  stop() {},
} as FitContext;

/** Runs one epoch of 10 steps, 1 s each on a fake clock; the running means at steps 5 and 10. */
async function epoch(stream: ProgressStream, interval = 100) {
  let clock = 0;
  const bar = progressBar({ stream, interval, now: () => clock });
  await bar.onEpochBegin?.(2, context);
  for (let batch = 0; batch < 10; batch++) {
    clock += 1000;
    const means =
      batch === 4 || batch === 9 ? { means: { loss: 130.214 - batch, kl: 20.5 }, itemsPerSecond: 7048.4 } : {};
    await bar.onBatchEnd?.({ epoch: 2, batch, step: 10 + batch + 1, size: 128, ...means }, context);
  }
  return bar;
}

describe('progressBar', () => {
  it('redraws one line in place with the step count, elapsed time, ETA, the running losses and the speed', async () => {
    const stream = fakeTerminal();
    const bar = await epoch(stream);
    expect(stream.frames).toHaveLength(10);
    expect(stream.frames.every((frame) => frame.startsWith('\r') && !frame.includes('\n'))).toBe(true);
    expect(stream.frames[0]?.trimEnd()).toBe('\repoch 2/3 [==>.................] 1/10  0:01<0:09');
    expect(stream.frames[4]?.trimEnd()).toBe(
      '\repoch 2/3 [==========>.........] 5/10  0:05<0:05  7,048 items/s  loss 126.21  kl 20.50',
    );
    expect(stream.frames[9]?.trimEnd()).toBe(
      '\repoch 2/3 [====================] 10/10  0:10<0:00  7,048 items/s  loss 121.21  kl 20.50',
    );
    // a shorter frame after a longer one is padded over it
    expect(stream.frames[5]?.length).toBeGreaterThanOrEqual(stream.frames[4]?.length ?? 0);
    await bar.onEpochEnd?.({ epoch: 2 } as never, context);
    expect(stream.frames.at(-1)).toMatch(/^\r +\r$/);
    expect(stream.frames.at(-1)?.length).toBe((stream.frames[9]?.length ?? 0) + 1);
  });

  it('draws at most one frame per interval, and always the last step', async () => {
    const stream = fakeTerminal();
    await epoch(stream, 3500);
    // steps at 1..10 s: drawn at 1 s, then 5 s and 9 s (3.5 s apart at least), and the last one at 10 s
    expect(stream.frames.map((frame) => /\] (\d+)\/10/.exec(frame)?.[1])).toEqual(['1', '5', '9', '10']);
  });

  it('never wraps: a frame is cut to the width of the terminal', async () => {
    const stream = fakeTerminal(40);
    await epoch(stream);
    expect(stream.frames.every((frame) => frame.length <= 40)).toBe(true);
    expect(stream.frames[9]).toBe('\repoch 2/3 [========] 10/10  0:10<0:00  ');
  });

  it('takes a terminal of unknown width (0, as `script` gives) as 80 columns wide', async () => {
    const stream = fakeTerminal(0);
    await epoch(stream);
    // 87 characters with a bar of 20: the bar shrinks to 12 to fit in 79 columns, the losses stay whole
    expect(stream.frames[9]?.trimEnd()).toBe(
      '\repoch 2/3 [============] 10/10  0:10<0:00  7,048 items/s  loss 121.21  kl 20.50',
    );
    expect(Math.max(...stream.frames.map((frame) => frame.length))).toBeLessThanOrEqual(80);
  });

  it('draws nothing on a stream that is not a terminal', async () => {
    const stream = { ...fakeTerminal(), isTTY: false };
    const bar = await epoch(stream);
    await bar.onEpochEnd?.({ epoch: 2 } as never, context);
    expect(stream.frames).toEqual([]);
  });
});
