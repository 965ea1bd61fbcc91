import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fetchDataset } from './fetch-dataset';
import { encodeIdx } from './idx';

const images = encodeIdx(
  'uint8',
  [3, 2, 2],
  Uint8Array.from({ length: 12 }, (_, i) => i * 20),
);
const labels = encodeIdx('uint8', [3], [7, 1, 4]);
const served: Record<string, Uint8Array> = {
  'd/images.gz': gzipSync(images),
  'd/labels': labels,
  'd/broken.gz': gzipSync(images).subarray(0, 20),
};
const fetcher = async (url: string) =>
  served[url]
    ? new Response(served[url] as Uint8Array<ArrayBuffer>)
    : new Response('', { status: 404, statusText: 'Not Found' });

describe('fetchDataset', () => {
  it('reads gzipped and raw IDX files into a dataset of the bytes', async () => {
    const dataset = await fetchDataset({ images: 'd/images.gz', labels: 'd/labels', name: 'tiny', fetcher });
    expect(dataset).toMatchObject({ name: 'tiny', size: 3, imageShape: [2, 2, 1] });
    expect(Array.from(dataset.labels ?? [])).toEqual([7, 1, 4]);
    expect(Array.from(dataset.images.subarray(0, 4))).toEqual([0, 20, 40, 60]);
    const unlabelled = await fetchDataset({ images: 'd/images.gz', labels: null, name: 'x', fetcher });
    expect(unlabelled.labels).toBeNull();
  });

  it('names the URL of a file that does not load or does not read', async () => {
    await expect(fetchDataset({ images: 'd/none.gz', labels: null, name: 'x', fetcher })).rejects.toThrow(
      /^fetchDataset: expected d\/none\.gz to load, got HTTP 404 Not Found\.$/,
    );
    const offline = async () => Promise.reject(new Error('Failed to fetch'));
    await expect(fetchDataset({ images: 'd/x', labels: null, name: 'x', fetcher: offline })).rejects.toThrow(
      /^fetchDataset: expected d\/x to load, got a network error \(Failed to fetch\)\.$/,
    );
    await expect(fetchDataset({ images: 'd/broken.gz', labels: null, name: 'x', fetcher })).rejects.toThrow(
      /^decodeIdx: expected IDX file 'd\/broken\.gz' a valid gzip stream, got /,
    );
  });
});
