import { describe, expect, it } from 'vitest';
import { entropy, labelAgreement, scoreProbabilities } from './score.mjs';

/** n one-hot rows over `classes`, row i sure of class classOf(i). */
function oneHotRows(n, classes, classOf) {
  const rows = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) rows[i * classes + classOf(i)] = 1;
  return rows;
}

describe('scoreProbabilities', () => {
  it('sure predictions over 10 equally used classes: score 10, top probability 1, a flat histogram', () => {
    const score = scoreProbabilities(
      oneHotRows(50, 10, (i) => i % 10),
      10,
    );
    expect(score.n).toBe(50);
    expect(score.inceptionScore).toBeCloseTo(10, 5);
    expect(score.meanTopProbability).toBe(1);
    expect(score.counts).toEqual(new Array(10).fill(5));
    expect(score.histogramEntropy).toBeCloseTo(Math.log(10), 6);
    expect(score.minShare).toBeCloseTo(0.1, 6);
    expect(score.maxShare).toBeCloseTo(0.1, 6);
  });

  it('one constant prediction scores 1, sure or not', () => {
    const sure = scoreProbabilities(
      oneHotRows(20, 10, () => 3),
      10,
    );
    expect(sure.inceptionScore).toBeCloseTo(1, 6);
    expect(sure.counts[3]).toBe(20);
    expect(sure.histogramEntropy).toBe(0);
    expect(sure.minShare).toBe(0);
    expect(sure.maxShare).toBe(1);
    const uniform = scoreProbabilities(new Float32Array(40).fill(0.1), 10);
    expect(uniform.inceptionScore).toBeCloseTo(1, 6);
    expect(uniform.meanTopProbability).toBeCloseTo(0.1, 6);
    // ties go to the first class
    expect(uniform.counts).toEqual([4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('sure predictions over 9 of 10 classes score 9; unequal use scores below the number of classes used', () => {
    expect(
      scoreProbabilities(
        oneHotRows(90, 10, (i) => i % 9),
        10,
      ).inceptionScore,
    ).toBeCloseTo(9, 5);
    // 3 of one class, 1 of another: exp(H([0.75, 0.25])) = 1.7548
    const skewed = scoreProbabilities(
      oneHotRows(4, 2, (i) => (i < 3 ? 0 : 1)),
      2,
    );
    expect(skewed.inceptionScore).toBeCloseTo(Math.exp(entropy([0.75, 0.25])), 6);
    expect(skewed.inceptionScore).toBeCloseTo(1.7548, 4);
  });

  it('unsure predictions: exp(H(p(y)) − mean H(p(y|x)))', () => {
    // two images, 0.9 / 0.1 and 0.1 / 0.9: exp(ln 2 − H(0.9, 0.1)) = 1.44493
    const score = scoreProbabilities([0.9, 0.1, 0.1, 0.9], 2);
    expect(score.inceptionScore).toBeCloseTo(1.4449348, 6);
    expect(score.meanTopProbability).toBeCloseTo(0.9, 6);
    expect(score.counts).toEqual([1, 1]);
    // three images over three classes: marginal [1/2, 1/6, 1/3], mean conditional entropy ln 2 / 3
    const three = scoreProbabilities([1, 0, 0, 0.5, 0.5, 0, 0, 0, 1], 3);
    expect(three.inceptionScore).toBeCloseTo(2.1822473, 6);
    expect(three.meanTopProbability).toBeCloseTo(2.5 / 3, 6);
    expect(three.counts).toEqual([2, 0, 1]);
  });

  it('refuses a length that is not a multiple of the classes, and a bad class count', () => {
    expect(() => scoreProbabilities([0.5, 0.5, 1], 2)).toThrow(
      /^scoreProbabilities: expected probabilities a non-empty multiple of 2 \(classes\) long, got 3\.$/,
    );
    expect(() => scoreProbabilities([], 10)).toThrow(/non-empty multiple of 10/);
    expect(() => scoreProbabilities([1], 0)).toThrow(
      /^scoreProbabilities: expected classes a positive integer, got 0\.$/,
    );
  });
});

describe('labelAgreement', () => {
  it('is the share of argmax predictions equal to the label asked for', () => {
    const probabilities = [0.8, 0.2, 0.3, 0.7, 0.6, 0.4, 0.1, 0.9];
    expect(labelAgreement(probabilities, [0, 1, 1, 1], 2)).toBe(0.75);
    expect(labelAgreement(probabilities, [1, 0, 1, 0], 2)).toBe(0);
    expect(() => labelAgreement(probabilities, [0, 1], 2)).toThrow(/expected probabilities 2 × 2 long/);
  });
});

describe('entropy', () => {
  it('is in nats, with 0 log 0 = 0', () => {
    expect(entropy([0.5, 0.5])).toBeCloseTo(Math.LN2, 10);
    expect(entropy([1, 0, 0])).toBe(0);
    expect(entropy(new Array(10).fill(0.1))).toBeCloseTo(Math.log(10), 10);
  });
});
