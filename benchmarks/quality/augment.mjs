// Augmentation for the quality classifier: each training image moved by a random shift and rotation of a few pixels
// and degrees, on the bytes in plain JS (the same on every backend, and a few ms per batch).

/**
 * Writes `image` (size × size bytes, 0..255) rotated by `degrees` (counter-clockwise as displayed, rows going down)
 * about the image centre, then shifted by (dx, dy) pixels (right, down), into `out` as floats in [0, 1] (bilinear,
 * zero outside the image).
 * @param image Uint8Array-like, row-major, `size * size` values (one channel)
 * @param out Float32Array to write `size * size` values into, at `offset`
 */
export function warpImage(image, size, { degrees = 0, dx = 0, dy = 0 }, out, offset = 0) {
  const angle = (degrees * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const centre = (size - 1) / 2;
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      // inverse map: undo the shift, then the rotation (a counter-clockwise turn on screen, where y points down)
      const x = col - dx - centre;
      const y = row - dy - centre;
      const sourceCol = cos * x - sin * y + centre;
      const sourceRow = sin * x + cos * y + centre;
      out[offset + row * size + col] = bilinear(image, size, sourceRow, sourceCol) / 255;
    }
  }
  return out;
}

/**
 * A batch of randomly shifted and rotated images: shifts uniform in ±maxShift pixels on each axis, angles uniform in
 * ±maxDegrees.
 * @param images Uint8Array of whole images, `size * size` bytes each (a dataset's `images`)
 * @param indices which images, in batch order
 * @param random a function returning uniform numbers in [0, 1) (seeded: {@link mulberry32})
 * @returns Float32Array `indices.length * size * size`, in [0, 1]
 */
export function augmentBatch(images, size, indices, random, { maxShift = 2, maxDegrees = 10 } = {}) {
  const pixels = size * size;
  const out = new Float32Array(indices.length * pixels);
  indices.forEach((index, position) => {
    const transform = {
      degrees: (2 * random() - 1) * maxDegrees,
      dx: (2 * random() - 1) * maxShift,
      dy: (2 * random() - 1) * maxShift,
    };
    warpImage(images.subarray(index * pixels, (index + 1) * pixels), size, transform, out, position * pixels);
  });
  return out;
}

/** A small seeded generator of uniform numbers in [0, 1) (mulberry32). */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// helpers

/** The image at a fractional (row, col), 0 outside. */
function bilinear(image, size, row, col) {
  const row0 = Math.floor(row);
  const col0 = Math.floor(col);
  const fr = row - row0;
  const fc = col - col0;
  const at = (r, c) => (r >= 0 && r < size && c >= 0 && c < size ? image[r * size + c] : 0);
  return (
    (1 - fr) * ((1 - fc) * at(row0, col0) + fc * at(row0, col0 + 1)) +
    fr * ((1 - fc) * at(row0 + 1, col0) + fc * at(row0 + 1, col0 + 1))
  );
}
