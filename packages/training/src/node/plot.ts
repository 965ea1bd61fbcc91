/**
 * The charts of a run folder (loss.png, codebook-usage.png), drawn at twice their nominal size (960×600 for the loss)
 * with a 5×7 font at scale 2, so that they read on a high-density screen as on paper: round ticks, a unit on the y axis,
 * epochs on the x axis, a legend.
 */
import { CHAR_HEIGHT, drawText, textWidth } from './font';
import { createRaster, type Raster, setPixel, writePng } from './png';

/** Pixels per nominal pixel: the charts are drawn at twice the size they were designed at. */
const S = 2;

/** A line `S + 1` pixels thick. */
function line(raster: Raster, x0: number, y0: number, x1: number, y1: number, rgb: [number, number, number]) {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    for (let d = 0; d <= S; d++) setPixel(raster, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t + d, rgb);
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

/**
 * A line chart of one or more series against epoch (1, 2, …), with round y ticks, the y axis' unit, epoch ticks and
 * a legend; 960×600 pixels.
 */
export function lineChart(
  series: { name: string; values: number[] }[],
  title: string,
  options: { xLabel?: string; yLabel?: string } = {},
): Raster {
  const { xLabel = 'epoch', yLabel } = options;
  const width = 480 * S;
  const height = 300 * S;
  const text = CHAR_HEIGHT * S;
  const finite = series.flatMap((s) => s.values).filter(Number.isFinite);
  const low = finite.length ? Math.min(...finite) : 0;
  const high = finite.length ? Math.max(...finite) : 1;
  const ticks = niceTicks(low, high);
  const labels = ticks.values.map((value) => formatTick(value, ticks.decimals));
  const labelWidth = Math.max(...labels.map((label) => textWidth(label, S)));
  const margin = { left: labelWidth + 12 * S, right: 12 * S, top: 22 * S + text, bottom: 24 * S + text };
  const raster = createRaster(width, height);
  const yMin = ticks.values[0] as number;
  const yMax = ticks.values[ticks.values.length - 1] as number;
  const count = Math.max(1, ...series.map((s) => s.values.length));
  // one epoch: its point in the middle; more: the first at the left axis, the last at the right edge
  const px = (i: number) => margin.left + (count === 1 ? 0.5 : i / (count - 1)) * (width - margin.left - margin.right);
  const py = (v: number) => margin.top + ((yMax - v) / (yMax - yMin || 1)) * (height - margin.top - margin.bottom);
  const axis: [number, number, number] = [70, 70, 70];
  const grid: [number, number, number] = [228, 228, 228];
  ticks.values.forEach((value, k) => {
    const label = labels[k] as string;
    for (let x = margin.left; x < width - margin.right; x++) setPixel(raster, x, py(value), grid);
    drawText(raster, label, margin.left - 6 * S - textWidth(label, S), py(value) - text / 2, axis, S);
    line(raster, margin.left - 3 * S, py(value), margin.left, py(value), axis);
  });
  line(raster, margin.left, margin.top, margin.left, height - margin.bottom, axis);
  line(raster, margin.left, height - margin.bottom, width - margin.right, height - margin.bottom, axis);
  const epochTicks =
    count === 1
      ? [1]
      : niceTicks(1, count, Math.min(count, 8)).values.filter((v) => Number.isInteger(v) && v >= 1 && v <= count);
  for (const epoch of epochTicks) {
    const label = String(epoch);
    drawText(raster, label, px(epoch - 1) - textWidth(label, S) / 2, height - margin.bottom + 6 * S, axis, S);
    line(raster, px(epoch - 1), height - margin.bottom, px(epoch - 1), height - margin.bottom + 3 * S, axis);
  }
  const xMiddle = (margin.left + width - margin.right) / 2;
  drawText(raster, xLabel, xMiddle - textWidth(xLabel, S) / 2, height - 6 * S - text, axis, S);
  drawText(raster, title, margin.left, 6 * S, [0, 0, 0], S);
  if (yLabel) drawText(raster, yLabel, 6 * S, 12 * S + text, axis, S);
  series.forEach((s, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const legendX = width - margin.right - 100 * S;
    for (let x = legendX; x < legendX + 12 * S; x++) setPixel(raster, x, margin.top + 8 * S + index * 12 * S, colour);
    line(
      raster,
      legendX,
      margin.top + 8 * S + index * 12 * S - 1,
      legendX + 12 * S,
      margin.top + 8 * S + index * 12 * S - 1,
      colour,
    );
    drawText(raster, s.name, legendX + 16 * S, margin.top + 8 * S + index * 12 * S - text / 2, colour, S);
    for (let i = 1; i < s.values.length; i++) {
      const a = s.values[i - 1]!;
      const b = s.values[i]!;
      if (Number.isFinite(a) && Number.isFinite(b)) line(raster, px(i - 1), py(a), px(i), py(b), colour);
    }
    s.values.forEach((value, i) => {
      if (!Number.isFinite(value)) return;
      for (let d = -2 * S; d <= 2 * S; d++)
        line(raster, px(i) + d, py(value) - 2 * S, px(i) + d, py(value) + S, colour);
    });
  });
  return raster;
}

/** A bar chart of counts (a codebook-usage histogram, say); 960×400 pixels. */
export function barChart(counts: ArrayLike<number>, title: string): Raster {
  const width = 480 * S;
  const height = 200 * S;
  const max = Math.max(1, ...Array.from(counts));
  const maxLabel = formatTick(max, 0);
  const margin = { left: textWidth(maxLabel, S) + 10 * S, right: 8 * S, top: 16 * S + CHAR_HEIGHT * S, bottom: 12 * S };
  const raster = createRaster(width, height);
  const barWidth = (width - margin.left - margin.right) / counts.length;
  const axis: [number, number, number] = [70, 70, 70];
  drawText(raster, title, margin.left, 6 * S, [0, 0, 0], S);
  drawText(raster, maxLabel, 4 * S, margin.top, axis, S);
  drawText(raster, '0', margin.left - 10 * S, height - margin.bottom - CHAR_HEIGHT * S, axis, S);
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
