import { gzipSync } from 'node:zlib';
import { DataError } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { decodeIdx, encodeIdx, isGzip, parseIdx } from './idx';

/** Hand-built IDX bytes: magic, big-endian sizes, big-endian values. */
function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

describe('parseIdx', () => {
  it('parses a hand-written uint8 file [2,2,3] as a view with the right shape', () => {
    const file = bytes(
      0,
      0,
      0x08,
      3,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      3,
      ...Array.from({ length: 12 }, (_, i) => i * 20),
    );
    const parsed = parseIdx(file, 'tiny');
    expect(parsed.dtype).toBe('uint8');
    expect(parsed.shape).toEqual([2, 2, 3]);
    expect(Array.from(parsed.data)).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220]);
    expect(parsed.data.buffer).toBe(file.buffer); // no copy
    expect(parsed.source).toBe('tiny');
  });

  it('decodes big-endian int8, int16, int32, float32 and float64 values', () => {
    expect(Array.from(parseIdx(bytes(0, 0, 0x09, 1, 0, 0, 0, 2, 0xff, 0x7f)).data)).toEqual([-1, 127]);
    expect(Array.from(parseIdx(bytes(0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe)).data)).toEqual([258, -2]);
    expect(Array.from(parseIdx(bytes(0, 0, 0x0c, 1, 0, 0, 0, 1, 0x00, 0x01, 0x00, 0x00)).data)).toEqual([65536]);
    // 0x3fc00000 = 1.5 in float32; 0xc004000000000000 = -2.5 in float64
    expect(Array.from(parseIdx(bytes(0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0)).data)).toEqual([1.5]);
    expect(Array.from(parseIdx(bytes(0, 0, 0x0e, 1, 0, 0, 0, 1, 0xc0, 0x04, 0, 0, 0, 0, 0, 0)).data)).toEqual([-2.5]);
  });

  it('round-trips encodeIdx for every dtype', () => {
    const cases = [
      ['uint8', [0, 7, 255]],
      ['int8', [-128, 0, 127]],
      ['int16', [-300, 0, 300]],
      ['int32', [-70000, 1, 70000]],
      ['float32', [-0.5, 0.25, 3]],
      ['float64', [Math.PI, -1e-300, 2]],
    ] as const;
    for (const [dtype, values] of cases) {
      const parsed = parseIdx(encodeIdx(dtype, [3, 1], values));
      expect(parsed.dtype).toBe(dtype);
      expect(parsed.shape).toEqual([3, 1]);
      expect(Array.from(parsed.data)).toEqual(values);
    }
  });

  it('reads a zero-length first dimension', () => {
    const parsed = parseIdx(encodeIdx('uint8', [0, 28, 28], []));
    expect(parsed.shape).toEqual([0, 28, 28]);
    expect(parsed.data.length).toBe(0);
  });

  it('rejects gzip bytes, pointing to the readers that gunzip', () => {
    const gz = gzipSync(encodeIdx('uint8', [1], [1]));
    expect(isGzip(gz)).toBe(true);
    expect(() => parseIdx(gz, 'a.gz')).toThrow(
      /^parseIdx: expected IDX file 'a\.gz' raw bytes, got the gzip magic 0x1f 0x8b \(use readIdxFile or decodeIdx to gunzip\)\.$/,
    );
  });

  it('names the file for a wrong magic number', () => {
    const png = bytes(0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0);
    expect(() => parseIdx(png, 'cat.png')).toThrow(DataError);
    expect(() => parseIdx(png, 'cat.png')).toThrow(
      /^parseIdx: expected IDX file 'cat\.png' magic number 0x0000<dtype><rank> with rank ≥ 1, got 0x89504e47 \(not an IDX file\)\.$/,
    );
    expect(() => parseIdx(bytes(0, 0, 8, 0))).toThrow(/magic number .* got 0x00000800 \(not an IDX file\)\./);
  });

  it('rejects an unsupported dtype code', () => {
    expect(() => parseIdx(bytes(0, 0, 0x07, 1, 0, 0, 0, 0), 'x')).toThrow(
      /^parseIdx: expected IDX file 'x' dtype code 0x08 \(uint8\), 0x09 \(int8\), 0x0b \(int16\), 0x0c \(int32\), 0x0d \(float32\) or 0x0e \(float64\), got 0x07\.$/,
    );
  });

  it('rejects truncated files: magic, header and data', () => {
    expect(() => parseIdx(bytes(0, 0), 'f')).toThrow(
      /^parseIdx: expected IDX file 'f' at least 4 bytes \(the magic number\), got 2 bytes \(truncated\)\.$/,
    );
    expect(() => parseIdx(bytes(0, 0, 8, 3, 0, 0, 0, 1, 0, 0), 'f')).toThrow(
      /^parseIdx: expected IDX file 'f' at least 16 bytes of header \(magic \+ 3 dimension sizes\), got 10 bytes \(truncated\)\.$/,
    );
    const full = encodeIdx('int16', [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(() => parseIdx(full.subarray(0, full.length - 1), 'f')).toThrow(
      /^parseIdx: expected IDX file 'f' 24 bytes \(12 header \+ 2×3 int16 values\), got 23 bytes \(truncated\)\.$/,
    );
  });

  it('rejects trailing bytes after the data', () => {
    const full = encodeIdx('uint8', [2], [1, 2]);
    const longer = new Uint8Array([...full, 9]);
    expect(() => parseIdx(longer, 'f')).toThrow(
      /expected IDX file 'f' 10 bytes .*, got 11 bytes \(trailing bytes\)\.$/,
    );
  });
});

describe('decodeIdx', () => {
  it('gunzips gzip bytes (DecompressionStream) and parses raw bytes as they are', async () => {
    const raw = encodeIdx('int32', [2, 2], [1, -2, 3, -4]);
    const fromGzip = await decodeIdx(gzipSync(raw), 'g');
    const fromRaw = await decodeIdx(raw, 'r');
    expect(fromGzip.shape).toEqual([2, 2]);
    expect(Array.from(fromGzip.data)).toEqual([1, -2, 3, -4]);
    expect(Array.from(fromRaw.data)).toEqual([1, -2, 3, -4]);
  });

  it('reports a broken gzip stream and errors inside the gunzipped file', async () => {
    const broken = gzipSync(encodeIdx('uint8', [4], [1, 2, 3, 4])).subarray(0, 12);
    await expect(decodeIdx(broken, 'b.gz')).rejects.toThrow(
      /^decodeIdx: expected IDX file 'b\.gz' a valid gzip stream, got /,
    );
    const truncatedInside = gzipSync(encodeIdx('uint8', [4], [1, 2, 3, 4]).subarray(0, 10));
    await expect(decodeIdx(truncatedInside, 't.gz')).rejects.toThrow(/^parseIdx: expected IDX file 't\.gz' 12 bytes/);
  });

  it('stops inflating past the header, and refuses a header above maxBytes, before inflating the rest', async () => {
    const header = encodeIdx('uint8', [10, 28, 28], new Uint8Array(7840)).subarray(0, 16);
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(2 ** 26)]), { level: 9 });
    await expect(decodeIdx(bomb, 'bomb.gz')).rejects.toThrow(
      /^decodeIdx: expected IDX file 'bomb\.gz' to inflate to the 7,856 bytes its header promises \(16 header \+ 10×28×28 uint8 values\), got more \(trailing bytes\)\.$/,
    );
    await expect(decodeIdx(bomb, 'bomb.gz', { maxBytes: 4096 })).rejects.toThrow(
      /^decodeIdx: expected IDX file 'bomb\.gz' at most 4,096 bytes \(the memory allowed\), got a header of 10 × 28 × 28 uint8 values \(7,856 bytes\)\.$/,
    );
  });
});
