// Runs the README's snippet (parseTestSet / testImages) against the checked-in test images.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseTestSet, testImages } from './test-set';

const fetchFile = async (path: string) => new Response(readFileSync(join(import.meta.dirname, '..', 'public', path)));

it('README: parse the test images and take two of them', async () => {
  const set = parseTestSet(await (await fetchFile('models/test-images.bin')).arrayBuffer());
  expect(set.size).toBe(400);
  const images = testImages(set, [3, 7]);
  expect(images.shape).toEqual([2, 28, 28, 1]);
  const values = await images.data();
  expect(Math.min(...values)).toBe(0);
  expect(Math.max(...values)).toBe(1);
  images.dispose();
  // MNIST test images #3 and #7 are a 0 and a 9.
  expect([set.labels[3], set.labels[7]]).toEqual([0, 9]);
});
