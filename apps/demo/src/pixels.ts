/**
 * Pure pixel helpers shared by the page and the end-to-end tests: the page writes exactly these bytes into its
 * canvases (one canvas pixel per image pixel, scaled up by CSS), and the tests compute the same from Node.
 */

/** An RGBA picture: `data` is `width·height·4` bytes, row-major. */
export interface RgbaPicture {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A value in [0, 1] to a byte, rounded (values outside are clamped). */
export function toByte(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value * 255)));
}

/**
 * Tiles n images (float values in [0, 1], NHWC, 1 or 3 channels) into `cols` columns with `gap` pixels between them.
 * Grey images are drawn as grey; gaps are black.
 */
export function tileImages(
  values: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  cols: number,
  gap = 0,
): RgbaPicture {
  const [n, h, w, c] = shape;
  const columns = Math.max(1, Math.min(cols, n));
  const rows = Math.ceil(n / columns);
  const width = columns * w + (columns - 1) * gap;
  const height = rows * h + (rows - 1) * gap;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  for (let image = 0; image < n; image++) {
    const top = Math.floor(image / columns) * (h + gap);
    const left = (image % columns) * (w + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const source = ((image * h + y) * w + x) * c;
        const target = ((top + y) * width + left + x) * 4;
        for (let k = 0; k < 3; k++) data[target + k] = toByte(values[source + (c === 1 ? 0 : k)] as number);
      }
    }
  }
  return { width, height, data };
}

/** Grey levels (the R channel) of an RGBA picture. */
export function greyLevels(picture: { data: ArrayLike<number> }): number[] {
  const levels: number[] = [];
  for (let i = 0; i < picture.data.length; i += 4) levels.push(picture.data[i] as number);
  return levels;
}

/** Largest absolute difference of two equally long arrays (Infinity when lengths differ). */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/** A colour per label (Tableau 10), for scatter plots and code maps. */
export const PALETTE: readonly string[] = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** A distinct colour for code k of K (hue wheel). */
export function codeColour(code: number, numCodes: number): string {
  const hue = Math.round((360 * code) / Math.max(1, numCodes));
  return `hsl(${hue}, 65%, ${code % 2 === 0 ? 45 : 60}%)`;
}

/** Black or white, whichever reads better on code k's colour ({@link codeColour}): WCAG contrast ≥ 4.5 either way. */
export function codeInk(code: number, numCodes: number): string {
  const hue = Math.round((360 * code) / Math.max(1, numCodes));
  const lightness = code % 2 === 0 ? 0.45 : 0.6;
  const luminance = relativeLuminance(hslToRgb(hue, 0.65, lightness));
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000' : '#fff';
}

// helpers

/** HSL (hue in degrees, saturation and lightness in [0, 1]) to sRGB in [0, 1]. */
function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const chroma = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return lightness - chroma * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return [channel(0), channel(8), channel(4)];
}

/** WCAG relative luminance of an sRGB colour. */
function relativeLuminance(rgb: [number, number, number]): number {
  const linear = rgb.map((value) => (value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (linear[0] as number) + 0.7152 * (linear[1] as number) + 0.0722 * (linear[2] as number);
}
