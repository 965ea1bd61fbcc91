// Run folders kept in IndexedDB, tested where IndexedDB is: a page of headless Chromium (browser/indexeddb.page.ts).
import { fileURLToPath } from 'node:url';
import { runInChromium } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';

describe('run folders in IndexedDB (headless Chromium)', () => {
  it('are written by fit, read by the run reader, resumed bit for bit, and refused in one line when damaged', async () => {
    const result = await runInChromium<Record<string, unknown>>(
      fileURLToPath(new URL('browser/indexeddb.page.ts', import.meta.url)),
    );
    expect(result).toMatchObject({
      names: ['tiny'],
      location: 'indexeddb:tiny/checkpoints/epoch-0002/',
      epoch: 2,
      loadedSame: true,
      epochs: [1, 2, 3],
      resumedSame: true,
      after: ['tiny', 'truncated'],
    });
    expect(result.zipBytes).toBeGreaterThan(1000);
    expect(result.damaged).toMatch(
      /^checkpoint: expected indexeddb:damaged\/ a record of vaejs-run-files \(path, bytes\) pairs, got an object\.$/,
    );
    expect(result.damagedRead).toBe(result.damaged);
    expect(result.truncatedLoad).toMatch(/load: expected part 'weights' weights exactly \d+ bytes, got 7 bytes\./);
    expect(result.none).toMatch(
      /^checkpoint: expected indexeddb:none\/ a run folder or a checkpoint folder, got no such folder\.$/,
    );
  });
});
