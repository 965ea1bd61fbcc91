// The sample-quality figures of a set of images, from a classifier's class probabilities p(y|x): plain numbers,
// no tensors, so that they are tested alone (score.test.mjs) and read the same for samples, real digits and
// reconstructions.

/**
 * Scores n images from their class probabilities.
 *
 * - `meanTopProbability`: mean over images of max_y p(y|x), how sure the classifier is that each is some digit.
 * - `inceptionScore`: exp(E_x KL(p(y|x) || p(y))), p(y) = E_x p(y|x) (Salimans et al. 2016,
 *   https://arxiv.org/abs/1606.03498, with an MNIST classifier in place of Inception). Between 1 (every image gets
 *   the same prediction) and the number of classes (each image surely one class, the classes equally used).
 * - `counts`, `shares`: the histogram of the predicted classes (argmax; the first maximum on ties) and its shares.
 * - `histogramEntropy`: the entropy of `shares` in nats (ln 10 ≈ 2.303 when all ten are equally used).
 * - `minShare`, `maxShare`: the least and the most used class's share.
 * @param probabilities n × classes numbers, image-major (a Float32Array from `predict(...).data()`, or an array);
 *   each row sums to 1
 * @param classes number of classes (10 for MNIST)
 * @returns `{ n, meanTopProbability, inceptionScore, counts, shares, histogramEntropy, minShare, maxShare }`
 * @example scoreProbabilities([1, 0, 0, 1], 2) // two sure, different images: inceptionScore 2, shares [0.5, 0.5]
 */
export function scoreProbabilities(probabilities, classes) {
  const fn = 'scoreProbabilities';
  if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(`${fn}: expected classes a positive integer, got ${classes}.`);
  }
  const n = probabilities.length / classes;
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(
      `${fn}: expected probabilities a non-empty multiple of ${classes} (classes) long, got ${probabilities.length}.`,
    );
  }
  const marginal = new Float64Array(classes);
  const counts = new Array(classes).fill(0);
  let topSum = 0;
  for (let image = 0; image < n; image++) {
    let top = 0;
    for (let y = 1; y < classes; y++) {
      if (probabilities[image * classes + y] > probabilities[image * classes + top]) top = y;
    }
    counts[top] += 1;
    topSum += probabilities[image * classes + top];
    for (let y = 0; y < classes; y++) marginal[y] += probabilities[image * classes + y] / n;
  }
  // E_x KL(p(y|x) || p(y)) = E_x Σ_y p(y|x) log p(y|x) − Σ_y p(y) log p(y): minus the mean conditional entropy, plus
  // the marginal's entropy (0 log 0 = 0 in both).
  let meanNegEntropy = 0;
  for (let index = 0; index < probabilities.length; index++) {
    meanNegEntropy += xLogX(probabilities[index]) / n;
  }
  const marginalEntropy = entropy(marginal);
  const shares = counts.map((count) => count / n);
  return {
    n,
    meanTopProbability: topSum / n,
    // the KL is ≥ 0; rounding may take it a hair below, which would read as a score a hair below 1
    inceptionScore: Math.exp(Math.max(0, meanNegEntropy + marginalEntropy)),
    counts,
    shares,
    histogramEntropy: entropy(shares),
    minShare: Math.min(...shares),
    maxShare: Math.max(...shares),
  };
}

/**
 * The share of images whose predicted class (argmax) is the one asked for (class-conditional models).
 * @param probabilities n × classes numbers, image-major
 * @param labels n class indices
 */
export function labelAgreement(probabilities, labels, classes) {
  const n = labels.length;
  if (probabilities.length !== n * classes) {
    throw new Error(
      `labelAgreement: expected probabilities ${n} × ${classes} long (labels × classes), got ${probabilities.length}.`,
    );
  }
  let agree = 0;
  for (let image = 0; image < n; image++) {
    let top = 0;
    for (let y = 1; y < classes; y++) {
      if (probabilities[image * classes + y] > probabilities[image * classes + top]) top = y;
    }
    if (top === labels[image]) agree += 1;
  }
  return agree / n;
}

/** Entropy in nats of a distribution given as numbers that sum to 1. */
export function entropy(distribution) {
  let sum = 0;
  for (const p of distribution) sum -= xLogX(p);
  return sum;
}

// helpers

function xLogX(p) {
  return p > 0 ? p * Math.log(p) : 0;
}
