import { describe, expect, it } from 'vitest';
import { displayed, epochLine, epochRecord } from './epoch-record';

describe('epochRecord and epochLine', () => {
  const record = epochRecord({
    epoch: 2,
    means: { loss: 104.93, reconstruction: 80, kl: 24.93 },
    testMeans: { loss: 103.2, reconstruction: 79 },
    figures: { code_usage: 0.5 },
    seen: 2000,
    seconds: 0.8,
    memory: { rss_mb: 100 },
    backend: 'cpu',
  });

  it('names the parts as metrics.jsonl does: recon, test_ prefixes, speed and memory', () => {
    expect(record).toEqual({
      epoch: 2,
      train_loss: 104.93,
      test_loss: 103.2,
      recon: 80,
      kl: 24.93,
      test_recon: 79,
      test_code_usage: 0.5,
      images_per_sec: 2500,
      seconds: 0.8,
      rss_mb: 100,
      backend: 'cpu',
    });
    expect(displayed({ loss: 1, reconstruction: 2 })).toEqual({ loss: 1, recon: 2 });
  });

  it("prints fit's line, without a test part when there is no test data", () => {
    expect(epochLine(record, 10, true)).toBe('epoch 2/10: train 104.93  test 103.20  2,500 items/s  0.8 s');
    expect(epochLine({ ...record, train_loss: 1.23456, images_per_sec: 12.5 }, 3, false)).toBe(
      'epoch 2/3: train 1.2346  13 items/s  0.8 s',
    );
  });
});
