import { ConfigError, ValueError } from '@vaejs/core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { inverseNormalCdf, latentGridPoints } from './latent-grid';

describe('inverseNormalCdf', () => {
  it('matches known quantiles of N(0, 1)', () => {
    expect(inverseNormalCdf(0.5)).toBe(0);
    expectClose([inverseNormalCdf(0.975)], [1.959963984540054], 1e-8);
    expectClose([inverseNormalCdf(0.95)], [1.6448536269514722], 1e-8);
    expectClose([inverseNormalCdf(0.05)], [-1.6448536269514722], 1e-8);
    expectClose([inverseNormalCdf(0.8413447460685429)], [1], 1e-8);
    expectClose([inverseNormalCdf(0.001)], [-3.090232306167813], 1e-8); // lower tail branch
    expectClose([inverseNormalCdf(1 - 1e-6)], [4.753424308822899], 1e-8); // upper tail branch
  });

  it('rejects p outside (0, 1)', () => {
    expect(() => inverseNormalCdf(1)).toThrow(/^inverseNormalCdf: expected p a number in \(0, 1\), got 1\.$/);
    expect(() => inverseNormalCdf(0)).toThrow(ValueError);
  });
});

describe('latentGridPoints', () => {
  it('lays out the grid row-major: columns increase dim 0, rows go down dim 1', async () => {
    await expectNoLeak(() => {
      const points = latentGridPoints(3, 4);
      expect(points.shape).toEqual([9, 4]);
      const q = 1.6448536269514722;
      const expected = [
        [-q, q],
        [0, q],
        [q, q],
        [-q, 0],
        [0, 0],
        [q, 0],
        [-q, -q],
        [0, -q],
        [q, -q],
      ].flatMap(([a, b]) => [a as number, b as number, 0, 0]);
      expectClose(points.dataSync(), expected, 1e-6);
      return points;
    });
  });

  it('spans the quantile range asked for, evenly in probability', () => {
    const points = latentGridPoints(5, 2, { quantiles: [0.1, 0.9] });
    const firstRow = Array.from(points.dataSync().slice(0, 10)).filter((_, i) => i % 2 === 0);
    expectClose(firstRow, [0.1, 0.3, 0.5, 0.7, 0.9].map(inverseNormalCdf), 1e-6);
    points.dispose();
    const single = latentGridPoints(1, 2);
    expect(Array.from(single.dataSync())).toEqual([0, 0]);
    single.dispose();
  });

  it('rejects a 1-D latent and bad quantiles', () => {
    expect(() => latentGridPoints(3, 1)).toThrow(
      /^latentGridPoints: expected latentDim an integer ≥ 2 \(the grid spans two latent dims\), got 1\.$/,
    );
    expect(() => latentGridPoints(3, 1)).toThrow(ConfigError);
    expect(() => latentGridPoints(3, 2, { quantiles: [0, 0.9] })).toThrow(
      /^latentGridPoints: expected options\.quantiles \[low, high\] with 0 < low ≤ high < 1, got \[0, 0\.9\]\.$/,
    );
    expect(() => latentGridPoints(0, 2)).toThrow(/^latentGridPoints: expected size a positive integer, got 0\.$/);
  });
});
