// fit's controls from outside and its live reports: a stop signal, a pause switch, each step's losses, and the
// pictures of each epoch as plain data — what a page (or a worker) that trains needs.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createTinyModel, tinyDataset } from './__fixtures__/tiny-model';
import type { BatchLogs } from './callbacks';
import { fit } from './index';
import { createPauseSwitch, waitWhilePaused } from './pause';
import type { PreviewPicture } from './preview-pictures';

const data = { train: tinyDataset(40, 1, 'tiny-train'), test: tinyDataset(12, 2, 'tiny-test') };
const quiet = { verbose: 0 as const, batchSize: 8, seed: 3 };

describe('fit controls and live reports', () => {
  it('reports every step its own loss parts with logEvery 1, beside the running means', async () => {
    const model = createTinyModel();
    const logs: BatchLogs[] = [];
    await fit(model, data, {
      ...quiet,
      epochs: 1,
      logEvery: 1,
      callbacks: [{ onBatchEnd: (entry) => void logs.push(entry) }],
    });
    expect(logs).toHaveLength(5);
    for (const entry of logs) {
      expect(Object.keys(entry.losses ?? {})).toEqual(['loss', 'recon', 'penalty']);
      expect(entry.losses?.loss).toBeCloseTo((entry.losses?.recon ?? 0) + (entry.losses?.penalty ?? 0), 4);
    }
    // the first step's losses are the running means after one step
    expect(logs[0]?.losses?.loss).toBeCloseTo(logs[0]?.means?.loss as number, 5);
    model.dispose();
  });

  it('reports losses only at read-backs, and keeps no tensor', async () => {
    const model = createTinyModel();
    const before = tf.memory().numTensors;
    const logs: BatchLogs[] = [];
    await fit(model, data, {
      ...quiet,
      epochs: 2,
      logEvery: 2,
      callbacks: [{ onBatchEnd: (entry) => void logs.push(entry) }],
    });
    expect(logs.map((entry) => entry.losses !== undefined)).toEqual([
      false,
      true,
      false,
      true,
      true,
      false,
      true,
      false,
      true,
      true,
    ]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('stops at the next step once its signal is aborted, with the records of the epochs done', async () => {
    const model = createTinyModel();
    const stop = new AbortController();
    const steps: number[] = [];
    const onBatchEnd = (entry: BatchLogs) => {
      steps.push(entry.step);
      if (entry.step === 7) stop.abort();
    };
    const history = await fit(model, data, { ...quiet, epochs: 3, signal: stop.signal, callbacks: [{ onBatchEnd }] });
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(history.stopReason).toBe('stopped');
    expect(history.epochs).toEqual([1]);
    // aborted before it starts: no step at all
    const none = await fit(model, data, { ...quiet, epochs: 1, signal: stop.signal });
    expect(none.epochs).toEqual([]);
    expect(none.stopReason).toBe('stopped');
    model.dispose();
  });

  it('holds between steps while paused and goes on where it was when resumed', async () => {
    const model = createTinyModel();
    const pause = createPauseSwitch();
    const steps: number[] = [];
    const onBatchEnd = (entry: BatchLogs) => {
      steps.push(entry.step);
      if (entry.step === 2) pause.pause();
    };
    const training = fit(model, data, { ...quiet, epochs: 1, pause, callbacks: [{ onBatchEnd }] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(steps).toEqual([1, 2]);
    expect(pause.paused).toBe(true);
    pause.resume();
    const history = await training;
    expect(steps).toEqual([1, 2, 3, 4, 5]);
    expect(history.stopReason).toBe('completed');
    // the same run without a pause: the same numbers
    const straight = createTinyModel();
    const again = await fit(straight, data, { ...quiet, epochs: 1 });
    expect(again.records[0]?.test_loss).toBe(history.records[0]?.test_loss);
    tf.dispose([model, straight].flatMap((each) => each.variables));
  });

  it('a signal aborted while paused ends the wait and the run', async () => {
    const pause = createPauseSwitch();
    const stop = new AbortController();
    pause.pause();
    const waiting = waitWhilePaused(pause, stop.signal);
    stop.abort();
    await waiting;
    const polled = { aborted: false };
    const polling = waitWhilePaused(pause, polled);
    polled.aborted = true;
    await polling;
    expect(pause.paused).toBe(true);
  });

  it('hands each epoch its pictures as plain data when a callback asks, without a run folder', async () => {
    const model = createTinyModel();
    const before = tf.memory().numTensors;
    const seen: [number, Record<string, PreviewPicture>][] = [];
    await fit(model, data, {
      ...quiet,
      epochs: 2,
      callbacks: [{ onPreviews: (epoch, pictures) => void seen.push([epoch, pictures]) }],
    });
    expect(seen.map(([epoch]) => epoch)).toEqual([1, 2]);
    const [, pictures] = seen[0] as [number, Record<string, PreviewPicture>];
    expect(pictures.inputs).toMatchObject({ shape: [12, 4, 4, 1], columns: 4, scale: 2 });
    expect((pictures.inputs as { images: Float32Array }).images).toHaveLength(12 * 16);
    expect(pictures.norms).toEqual({ counts: [1, 2, 3], title: 'norms' });
    expect(tf.memory().numTensors).toBe(before);
    // previews: false draws none
    const none: number[] = [];
    await fit(model, data, {
      ...quiet,
      previews: false,
      callbacks: [{ onPreviews: (epoch) => void none.push(epoch) }],
    });
    expect(none).toEqual([]);
    model.dispose();
  });

  it('refuses controls of the wrong shape in one line', async () => {
    const model = createTinyModel();
    await expect(fit(model, data, { ...quiet, signal: {} as AbortSignal })).rejects.toThrow(
      /^fit: expected options\.signal an AbortSignal, got an object\.$/,
    );
    await expect(fit(model, data, { ...quiet, pause: true as never })).rejects.toThrow(
      /^fit: expected options\.pause a pause switch \(createPauseSwitch\(\)\), got true\.$/,
    );
    await expect(fit(model, data, { ...quiet, store: 'runs/x' as never })).rejects.toThrow(
      /^fit: expected options\.store a run store \(openIndexedDbRun, openFilesRun\), got 'runs\/x'\.$/,
    );
    model.dispose();
  });
});
