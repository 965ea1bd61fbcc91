/**
 * A 5×7 bitmap font (the classic dot-matrix shapes, drawn for this file), for the axis labels, legends and titles of
 * the run folder's charts: digits, both cases of the Latin letters, and the signs a figure or a unit needs. Drawn at a
 * scale (2: 10×14 pixels a character), so that the charts, drawn at twice their size, read on a high-density screen.
 */
import { type Raster, setPixel } from './png';

/**
 * Each glyph: 7 rows, top to bottom, each a base-32 digit of 5 bits (the leftmost pixel the highest bit). The
 * descenders (g, p, q, y) are drawn 2 rows lower: their 7 rows are the x-height's 5 and 2 below the baseline.
 */
const GLYPHS: Record<string, string> = {
  '0': 'ehjlphe',
  '1': '4c4444e',
  '2': 'eh1248v',
  '3': 'v2421he',
  '4': '26aiv22',
  '5': 'vgu11he',
  '6': '68guhhe',
  '7': 'v124888',
  '8': 'ehhehhe',
  '9': 'ehhf12c',
  a: '00e1fhf',
  b: 'ggmphhu',
  c: '00egghe',
  d: '11djhhf',
  e: '00ehvge',
  f: '698s888',
  g: 'fhhhf1e',
  h: 'ggmphhh',
  i: '40c444e',
  j: '20622ic',
  k: 'ggikoki',
  l: 'c44444e',
  m: '00qllhh',
  n: '00mphhh',
  o: '00ehhhe',
  p: 'uhhhugg',
  q: 'fhhhf11',
  r: '00mpggg',
  s: '00ege1u',
  t: '88s8896',
  u: '00hhhjd',
  v: '00hhha4',
  w: '00hhlla',
  x: '00ha4ah',
  y: 'hhhhf1e',
  z: '00v248v',
  A: 'ehhvhhh',
  B: 'uhhuhhu',
  C: 'ehggghe',
  D: 'sihhhis',
  E: 'vgguggv',
  F: 'vgguggg',
  G: 'ehgnhhf',
  H: 'hhhvhhh',
  I: 'e44444e',
  J: '72222ic',
  K: 'hikokih',
  L: 'ggggggv',
  M: 'hrllhhh',
  N: 'hhpljhh',
  O: 'ehhhhhe',
  P: 'uhhuggg',
  Q: 'ehhhlid',
  R: 'uhhukih',
  S: 'fgge11u',
  T: 'v444444',
  U: 'hhhhhhe',
  V: 'hhhhha4',
  W: 'hhhllla',
  X: 'hha4ahh',
  Y: 'hhha444',
  Z: 'v1248gv',
  '.': '00000cc',
  ',': '0000c48',
  ':': '0cc0cc0',
  '-': '000v000',
  '+': '044v440',
  '/': '01248g0',
  '%': 'op248j3',
  '(': '2488842',
  ')': '8422248',
  _: '000000v',
  '=': '00v0v00',
  "'": '4480000',
  '·': '0004000',
  '×': '0ha4ah0',
  '²': 'ci48u00',
};

const DESCENDERS = 'gpqy';

/** The advance of one character at scale 1 (5 pixels and 1 of space). */
export const CHAR_WIDTH = 6;
/** The height of a line of text at scale 1 (descenders below it). */
export const CHAR_HEIGHT = 7;

/** The width `text` takes at `scale`, in pixels. */
export function textWidth(text: string, scale: number): number {
  return [...text].length * CHAR_WIDTH * scale - scale;
}

/** Draws `text` with its top-left corner at (x, y), each pixel of the font a `scale`×`scale` square. */
export function drawText(
  raster: Raster,
  text: string,
  x: number,
  y: number,
  rgb: [number, number, number],
  scale = 2,
): void {
  let cursor = Math.round(x);
  for (const char of text) {
    const glyph = GLYPHS[char] ?? GLYPHS[char.toLowerCase()] ?? '0000000';
    const drop = DESCENDERS.includes(char) ? 2 : 0;
    for (let row = 0; row < 7; row++) {
      const bits = Number.parseInt(glyph[row] as string, 32);
      for (let column = 0; column < 5; column++) {
        if (!(bits & (16 >> column))) continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++)
            setPixel(raster, cursor + column * scale + dx, Math.round(y) + (row + drop) * scale + dy, rgb);
        }
      }
    }
    cursor += CHAR_WIDTH * scale;
  }
}
