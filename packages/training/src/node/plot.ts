import { createRaster, type Raster, setPixel, writePng } from './png';

// A 3×5 pixel font, enough for axis labels and legends (digits, a few letters and signs).
const GLYPHS: Record<string, string> = {
  '0': '111101101101111',
  '1': '010110010010111',
  '2': '111001111100111',
  '3': '111001111001111',
  '4': '101101111001001',
  '5': '111100111001111',
  '6': '111100111101111',
  '7': '111001010010010',
  '8': '111101111101111',
  '9': '111101111001111',
  '.': '000000000000010',
  '-': '000000111000000',
  e: '000111111100111',
  ' ': '000000000000000',
  a: '000011101101011',
  i: '010000010010010',
  n: '000110101101101',
  r: '000101110100100',
  s: '000011110011110',
  t: '010111010010011',
  c: '000111100100111',
  o: '000111101101111',
  h: '100100111101101',
  p: '000111101111100',
  k: '100101110101101',
  l: '010010010010011',
  u: '000101101101111',
  d: '001001111101111',
  g: '000111101111001',
  m: '000111111101101',
  y: '000101111001111',
  b: '100100111101111',
  f: '011010111010010',
  v: '000101101101010',
  w: '000101101111111',
  x: '000101010101101',
  ':': '000010000010000',
  '/': '001001010100100',
  '%': '101001010100101',
  _: '000000000000111',
};

export function drawText(raster: Raster, text: string, x: number, y: number, rgb: [number, number, number]) {
  let cursor = x;
  for (const char of text.toLowerCase()) {
    const glyph = GLYPHS[char] ?? GLYPHS[' ']!;
    for (let i = 0; i < 15; i++) if (glyph[i] === '1') setPixel(raster, cursor + (i % 3), y + Math.floor(i / 3), rgb);
    cursor += 4;
  }
}

function line(raster: Raster, x0: number, y0: number, x1: number, y1: number, rgb: [number, number, number]) {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    setPixel(raster, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, rgb);
    setPixel(raster, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t + 1, rgb);
  }
}

/**
 * Round tick values covering [low, high]: steps of 1, 2 or 5 × 10^k, about `count` of them, each printed with just
 * the decimals its step needs (so ticks never repeat, as "2.5, 2.5, 2.5" did on a narrow range).
 */
export function niceTicks(low: number, high: number, count = 5): { values: number[]; decimals: number } {
  const span = high - low || Math.abs(high) * 0.1 || 1;
  const raw = span / Math.max(1, count - 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const first = Math.floor(low / step) * step;
  const values: number[] = [];
  // from the round value at or below low up to the first at or above high (the chart's top), at least two
  for (let v = first; values.length < 2 || (values.at(-1) as number) < high - step * 1e-9; v += step) {
    values.push(Number(v.toPrecision(12)));
  }
  return { values, decimals: Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) };
}

function formatTick(value: number, decimals: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || (magnitude > 0 && magnitude < 1e-4)) return value.toExponential(1).replace('+', '');
  return value.toFixed(Math.min(decimals, 6));
}

const COLOURS: [number, number, number][] = [
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [148, 103, 189],
];

/** A line chart of one or more series against epoch (1, 2, …), with round y ticks, epoch ticks and a legend. */
export function lineChart(series: { name: string; values: number[] }[], title: string, xLabel = 'epoch'): Raster {
  const width = 480;
  const height = 300;
  const finite = series.flatMap((s) => s.values).filter(Number.isFinite);
  const low = finite.length ? Math.min(...finite) : 0;
  const high = finite.length ? Math.max(...finite) : 1;
  const ticks = niceTicks(low, high);
  const labels = ticks.values.map((value) => formatTick(value, ticks.decimals));
  const margin = { left: 10 + 4 * Math.max(...labels.map((label) => label.length)), right: 12, top: 20, bottom: 30 };
  const raster = createRaster(width, height);
  const yMin = ticks.values[0] as number;
  const yMax = ticks.values[ticks.values.length - 1] as number;
  const count = Math.max(1, ...series.map((s) => s.values.length));
  // one epoch: its point in the middle; more: the first at the left axis, the last at the right edge
  const px = (i: number) => margin.left + (count === 1 ? 0.5 : i / (count - 1)) * (width - margin.left - margin.right);
  const py = (v: number) => margin.top + ((yMax - v) / (yMax - yMin || 1)) * (height - margin.top - margin.bottom);
  const axis: [number, number, number] = [90, 90, 90];
  line(raster, margin.left, margin.top, margin.left, height - margin.bottom, axis);
  line(raster, margin.left, height - margin.bottom, width - margin.right, height - margin.bottom, axis);
  ticks.values.forEach((value, k) => {
    const label = labels[k] as string;
    drawText(raster, label, margin.left - 5 - 4 * label.length, py(value) - 2, axis);
    line(raster, margin.left - 3, py(value), margin.left, py(value), axis);
  });
  const epochTicks =
    count === 1
      ? [1]
      : niceTicks(1, count, Math.min(count, 8)).values.filter((v) => Number.isInteger(v) && v >= 1 && v <= count);
  for (const epoch of epochTicks) {
    const label = String(epoch);
    drawText(raster, label, px(epoch - 1) - 2 * label.length + 1, height - margin.bottom + 6, axis);
    line(raster, px(epoch - 1), height - margin.bottom, px(epoch - 1), height - margin.bottom + 3, axis);
  }
  drawText(raster, xLabel, (margin.left + width - margin.right) / 2 - 2 * xLabel.length, height - 9, axis);
  drawText(raster, title, margin.left, 4, [0, 0, 0]);
  series.forEach((s, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    drawText(raster, s.name, width - margin.right - 90, margin.top + 4 + index * 8, colour);
    for (let i = 1; i < s.values.length; i++) {
      const a = s.values[i - 1]!;
      const b = s.values[i]!;
      if (Number.isFinite(a) && Number.isFinite(b)) line(raster, px(i - 1), py(a), px(i), py(b), colour);
    }
    s.values.forEach((value, i) => {
      if (!Number.isFinite(value)) return;
      for (let d = -1; d <= 1; d++) line(raster, px(i) + d, py(value) - 1, px(i) + d, py(value) + 1, colour);
    });
  });
  return raster;
}

/** A bar chart of counts (a codebook-usage histogram, say). */
export function barChart(counts: ArrayLike<number>, title: string): Raster {
  const width = 480;
  const height = 200;
  const margin = { left: 44, right: 8, top: 20, bottom: 12 };
  const raster = createRaster(width, height);
  const max = Math.max(1, ...Array.from(counts));
  const barWidth = (width - margin.left - margin.right) / counts.length;
  drawText(raster, title, margin.left, 4, [0, 0, 0]);
  drawText(raster, formatTick(max, 0), 2, margin.top - 2, [90, 90, 90]);
  drawText(raster, '0', 2, height - margin.bottom - 4, [90, 90, 90]);
  for (let k = 0; k < counts.length; k++) {
    const top = margin.top + (1 - (counts[k] ?? 0) / max) * (height - margin.top - margin.bottom);
    for (
      let x = Math.floor(margin.left + k * barWidth);
      x < margin.left + (k + 1) * barWidth - (barWidth > 3 ? 1 : 0);
      x++
    ) {
      for (let y = Math.floor(top); y < height - margin.bottom; y++) setPixel(raster, x, y, COLOURS[0]!);
    }
  }
  return raster;
}

export function writeLineChart(path: string, series: { name: string; values: number[] }[], title: string) {
  writePng(path, lineChart(series, title));
}
