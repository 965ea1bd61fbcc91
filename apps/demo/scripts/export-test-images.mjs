// Exports the first N MNIST test images (default 400) with their labels into public/models/test-images.bin, the
// file the page's views pick images from. Usage: node scripts/export-test-images.mjs [out] [n]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '@vaejs/datasets';
import { writeTestSet } from './lib/files.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, '..', 'public', 'models', 'test-images.bin');
const n = Number(process.argv[3] ?? 400);
const test = loadMnist({ split: 'test' });
const [height, width, channels] = test.imageShape;
writeTestSet(out, { images: test.images, labels: test.labels, n, height, width, channels });
console.log(`wrote ${n} MNIST test images (${height}×${width}×${channels}) with labels to ${out}`);
