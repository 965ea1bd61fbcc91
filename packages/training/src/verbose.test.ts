import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTinyModel, tinyDataset } from './__fixtures__/tiny-model';
import { fit } from './index.node';

const data = { train: tinyDataset(40, 1, 'tiny-train'), test: tinyDataset(12, 2, 'tiny-test') };
const options = { epochs: 2, batchSize: 8, seed: 3, logEvery: 1 };

/** Runs fit with stderr as a terminal (or not); returns what was written to it. */
async function stderrOf(tty: boolean, verbose?: 0 | 1 | 2 | 'auto'): Promise<string> {
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  const had = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  const hadColumns = Object.getOwnPropertyDescriptor(process.stderr, 'columns');
  Object.defineProperty(process.stderr, 'isTTY', { value: tty, configurable: true });
  Object.defineProperty(process.stderr, 'columns', { value: 200, configurable: true });
  const model = createTinyModel();
  try {
    await fit(model, data, { ...options, ...(verbose === undefined ? {} : { verbose }) });
  } finally {
    model.dispose();
    if (had) Object.defineProperty(process.stderr, 'isTTY', had);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
    if (hadColumns) Object.defineProperty(process.stderr, 'columns', hadColumns);
    else delete (process.stderr as { columns?: number }).columns;
    vi.restoreAllMocks();
  }
  return written.join('');
}

describe("fit's verbose, as Keras'", () => {
  afterEach(() => vi.restoreAllMocks());

  it("'auto' on a terminal: a bar redrawn in place, then each epoch's line where the bar was", async () => {
    const out = await stderrOf(true);
    expect(out).toMatch(
      /\repoch 1\/2 \[[=>.]{20}\] \d\/5 {2}\d:\d\d<\d:\d\d {2}[\d,.]+ items\/s {2}loss \d+\.\d+ {2}recon \d+\.\d+ {2}penalty [\d.]+/,
    );
    expect(out).toMatch(/\repoch 2\/2 \[={20}\] 5\/5 /);
    const lines = out.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/\r +\repoch 1\/2: train \d+\.\d+ {2}test \d+\.\d+ {2}[\d,.]+ items\/s {2}\d+\.\d s$/);
  });

  it("'auto' elsewhere, and 2: one line per epoch, no carriage return", async () => {
    for (const out of [await stderrOf(false), await stderrOf(true, 2), await stderrOf(false, 1)]) {
      expect(out).not.toContain('\r');
      expect(
        out
          .trim()
          .split('\n')
          .map((line) => line.replace(/:.*/, '')),
      ).toEqual(['epoch 1/2', 'epoch 2/2']);
    }
  });

  it('0: silent, and other values are refused', async () => {
    expect(await stderrOf(true, 0)).toBe('');
    await expect(fit(createTinyModel(), data, { verbose: 3 as never })).rejects.toThrow(
      /^fit: expected options\.verbose 0, 1, 2 or 'auto', got 3\.$/,
    );
  });
});
