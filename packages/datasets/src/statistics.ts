import type { ImageDataset } from './dataset';

/**
 * Population variance of a dataset's pixels scaled to [0, 1] (numpy's `np.var(x_train / 255)`, ≈ 0.095 for MNIST):
 * the `dataVariance` that the Keras VQ-VAE example and van den Oord et al.'s Sonnet example divide the reconstruction
 * MSE by. One pass over the bytes, no tensor.
 * @example datasetPixelVariance(loadMnist({ split: 'train' })) // ≈ 0.0949
 */
export function datasetPixelVariance(dataset: ImageDataset): number {
  let sum = 0;
  let sumOfSquares = 0;
  const { images } = dataset;
  for (let i = 0; i < images.length; i++) {
    const value = images[i] as number;
    sum += value;
    sumOfSquares += value * value;
  }
  if (images.length === 0) return 0;
  const mean = sum / images.length;
  return Math.max(sumOfSquares / images.length - mean * mean, 0) / (255 * 255);
}
