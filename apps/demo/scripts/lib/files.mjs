// Node helpers shared by the demo's scripts: the test-image file format, and checkpoint folders written with
// @vaejs/training's run format and file IO.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestKind } from '@vaejs/core';
import { fileIO, runFormat, writeFileDurable } from '@vaejs/training';

/**
 * Writes the test images the page shows (see src/test-set.ts for the layout): magic 'VJTS', uint32 LE version 1, n,
 * height, width, channels, then n·h·w·c uint8 pixels (NHWC), then n uint8 labels.
 */
export function writeTestSet(path, { images, labels, n, height, width, channels }) {
  const header = Buffer.alloc(24);
  header.write('VJTS', 0, 'ascii');
  [1, n, height, width, channels].forEach((value, i) => {
    header.writeUInt32LE(value, 4 + 4 * i);
  });
  const pixels = Buffer.from(images.buffer, images.byteOffset, n * height * width * channels);
  writeFileSync(path, Buffer.concat([header, pixels, Buffer.from(Uint8Array.from(labels.subarray(0, n)))]));
}

/**
 * Writes `model` (what createVae, createVqVae or createPixelCnn return) as a checkpoint folder of @vaejs/training's run
 * format: `<dir>/checkpoint.json`, `<dir>/<kind>.json` (the model's manifest) and one folder per part, written by its
 * `fileIO` — the layout the page reads, and that `vaejs eval`/`sample --run <dir>` accept.
 */
export async function writeCheckpointFolder(dir, model, { epoch = 0, step = 0, state = {} } = {}) {
  mkdirSync(dir, { recursive: true });
  const manifest = await model.save((part) => fileIO(join(dir, part), part));
  const kind = manifestKind(manifest);
  writeFileDurable(join(dir, runFormat.manifestFileName(kind)), JSON.stringify(manifest, null, 2));
  const info = { format: runFormat.CHECKPOINT_FORMAT, version: 1, kind, epoch, step, state };
  writeFileDurable(
    join(dir, runFormat.CHECKPOINT_INFO_FILE),
    JSON.stringify(runFormat.checkCheckpointInfo(info), null, 2),
  );
}
