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

/**
 * Mean of a dataset's pixels scaled to [0, 1] (numpy's `np.mean(x_train / 255)`, ≈ 0.1307 for MNIST): the `dataMean`
 * at which a VQ-VAE's decoder output starts. One pass over the bytes, no tensor; 0 for an empty dataset.
 * @example datasetPixelMean(loadMnist({ split: 'train' })) // ≈ 0.1307
 */
export function datasetPixelMean(dataset: ImageDataset): number {
  const { images } = dataset;
  let sum = 0;
  for (let i = 0; i < images.length; i++) sum += images[i] as number;
  return images.length === 0 ? 0 : sum / images.length / 255;
}
