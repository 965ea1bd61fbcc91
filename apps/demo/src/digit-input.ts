/**
 * A drawn digit as the models expect one: MNIST's own preparation (LeCun et al., 1998) — the ink's bounding box
 * scaled to fit 20×20 keeping its aspect, then placed in a 28×28 image with its centre of mass at the centre. A
 * stroke drawn anywhere on the pad, at any size, so reaches the encoder where MNIST's digits are.
 */

export const DIGIT_SIZE = 28;
/** The side of the box the ink is scaled into. */
export const INK_BOX = 20;

/** The ink's bounding box in a grey image (values > 0), or null when nothing is drawn. */
export function inkBox(
  greys: ArrayLike<number>,
  width: number,
  height: number,
): { left: number; top: number; width: number; height: number } | null {
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((greys[y * width + x] as number) <= 0) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return right < 0 ? null : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** The size the ink box is scaled to: the longer side INK_BOX, the other in proportion (at least 1). */
export function scaledInkSize(box: { width: number; height: number }): { width: number; height: number } {
  const scale = INK_BOX / Math.max(box.width, box.height);
  return { width: Math.max(1, Math.round(box.width * scale)), height: Math.max(1, Math.round(box.height * scale)) };
}

/**
 * Places scaled ink (values in [0, 1], `width`×`height` ≤ 28×28) in a 28×28 image so that its centre of mass falls on
 * the image's centre (rounded, kept inside).
 * @returns float32 [28·28], row-major
 */
export function centreByMass(ink: ArrayLike<number>, width: number, height: number): Float32Array {
  let [mass, sumX, sumY] = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = ink[y * width + x] as number;
      mass += value;
      sumX += value * (x + 0.5);
      sumY += value * (y + 0.5);
    }
  }
  const centre = DIGIT_SIZE / 2;
  const place = (sum: number, size: number) =>
    Math.max(0, Math.min(DIGIT_SIZE - size, Math.round(centre - (mass > 0 ? sum / mass : size / 2))));
  const [left, top] = [place(sumX, width), place(sumY, height)];
  const digit = new Float32Array(DIGIT_SIZE * DIGIT_SIZE);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) digit[(top + y) * DIGIT_SIZE + left + x] = ink[y * width + x] as number;
  }
  return digit;
}
