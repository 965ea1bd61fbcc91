/**
 * The pictures of an epoch as plain data, for `onPreviews` callbacks: numbers that cross a worker's `postMessage` and
 * draw on a canvas without tfjs, where the run folder writes PNGs.
 */
import type { Preview } from '@vaejs/core';

/** One picture of an epoch: images float32 in [0, 1], row-major NHWC, or counts for a bar chart. */
export type PreviewPicture =
  | {
      /** `n·h·w·c` values in [0, 1]. */
      images: Float32Array;
      /** `[n, h, w, c]` */
      shape: [number, number, number, number];
      /** Images per row. */
      columns: number;
      /** How many screen pixels per image pixel the model suggests. */
      scale: number;
    }
  | { counts: number[]; title: string };

/** Reads the previews' images back (leaving the tensors to their owner). */
export async function previewPictures(previews: Record<string, Preview>): Promise<Record<string, PreviewPicture>> {
  const pictures: Record<string, PreviewPicture> = {};
  for (const [name, preview] of Object.entries(previews)) {
    if ('images' in preview) {
      const images = (await preview.images.data()) as Float32Array;
      const shape = preview.images.shape as [number, number, number, number];
      pictures[name] = { images, shape, columns: preview.columns ?? 8, scale: preview.scale ?? 2 };
    } else {
      pictures[name] = { counts: [...preview.counts], title: preview.title ?? name };
    }
  }
  return pictures;
}
