/**
 * The IDX file format of MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number `0x00 0x00 <dtype> <rank>`,
 * `rank` big-endian uint32 dimension sizes, then the values in row-major order, big-endian.
 *
 * Pure: parses bytes already in memory, so it runs in a browser too. Files on disk (raw or gzip) are read by
 * `readIdxFile` in `node/idx-file.ts`.
 */
import { DataError, formatExpected } from '@vaejs/core';

/** The element types an IDX file can hold. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array of each IDX element type. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: its shape, element type and values (row-major). */
export interface IdxArray {
  readonly dtype: IdxDtype;
  readonly shape: readonly number[];
  readonly data: IdxData;
  /** Where the bytes came from (a file path, or `'bytes'`), used in error messages. */
  readonly source: string;
}

const DTYPES: Readonly<Record<number, { dtype: IdxDtype; bytes: number }>> = {
  8: { dtype: 'uint8', bytes: 1 },
  9: { dtype: 'int8', bytes: 1 },
  11: { dtype: 'int16', bytes: 2 },
  12: { dtype: 'int32', bytes: 4 },
  13: { dtype: 'float32', bytes: 4 },
  14: { dtype: 'float64', bytes: 8 },
};

const DTYPE_LIST = '0x08 (uint8), 0x09 (int8), 0x0b (int16), 0x0c (int32), 0x0d (float32) or 0x0e (float64)';

/** True when the bytes begin with the gzip magic number 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function hex(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

/**
 * Parses raw (not gzipped) IDX bytes. Values of one byte are a view on `bytes` (no copy); wider values are decoded
 * from big-endian into a new typed array.
 *
 * @param bytes the whole file
 * @param source a name for error messages, e.g. the file path
 * @returns `{ dtype, shape, data, source }`; MNIST train images give `uint8 [60000, 28, 28]`
 * @throws DataError for gzip bytes, a wrong magic number, an unsupported dtype code, a truncated file or trailing bytes
 * @example
 * const labels = parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 5, 7]));
 * labels.shape; // [2]
 * labels.data;  // Uint8Array [5, 7]
 */
export function parseIdx(bytes: Uint8Array, source = 'bytes'): IdxArray {
  const fn = 'parseIdx';
  const argument = `IDX file '${source}'`;
  if (isGzip(bytes)) {
    throw new DataError(
      formatExpected(fn, argument, 'raw bytes', 'the gzip magic 0x1f 0x8b (use readIdxFile or decodeIdx to gunzip)'),
    );
  }
  const header = readIdxHeader(bytes, source);
  if (header === null) {
    throw new DataError(
      formatExpected(fn, argument, 'at least 4 bytes (the magic number)', `${bytes.length} bytes (truncated)`),
    );
  }
  const { dtype, shape, headerBytes, count, totalBytes } = header;
  if (bytes.length < headerBytes) {
    throw new DataError(
      formatExpected(
        fn,
        argument,
        `at least ${headerBytes} bytes of header (magic + ${(headerBytes - 4) / 4} dimension sizes)`,
        `${bytes.length} bytes (truncated)`,
      ),
    );
  }
  if (bytes.length !== totalBytes) {
    const reason = bytes.length < totalBytes ? 'truncated' : 'trailing bytes';
    throw new DataError(
      formatExpected(
        fn,
        argument,
        `${totalBytes} bytes (${describeIdxHeader(header)})`,
        `${bytes.length} bytes (${reason})`,
      ),
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dtype, shape, data: decodeValues(bytes, view, headerBytes, count, dtype), source };
}

/** What an IDX header declares: the element type, the shape, and the bytes of the header and of the whole file. */
export interface IdxHeader {
  readonly dtype: IdxDtype;
  readonly shape: readonly number[];
  readonly headerBytes: number;
  /** The number of values. */
  readonly count: number;
  /** The bytes of the whole file the header promises: header + values. */
  readonly totalBytes: number;
}

/**
 * Reads the header at the start of raw IDX bytes (the first bytes suffice: a gzipped file's can be read before the
 * rest is inflated). Null when fewer than 4 bytes are given; the shape is read only when its bytes are there (else
 * `shape` is empty and `totalBytes` is `headerBytes`).
 * @throws DataError for a wrong magic number or an unsupported dtype code
 * @example readIdxHeader(firstBytes, 'train-images-idx3-ubyte.gz')?.totalBytes; // 47,040,016 for MNIST's
 */
export function readIdxHeader(bytes: Uint8Array, source = 'bytes'): IdxHeader | null {
  const fn = 'parseIdx';
  const argument = `IDX file '${source}'`;
  if (bytes.length < 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const rank = bytes[3] as number;
  if (bytes[0] !== 0 || bytes[1] !== 0 || rank === 0) {
    throw new DataError(
      formatExpected(
        fn,
        argument,
        'magic number 0x0000<dtype><rank> with rank ≥ 1',
        `${hex(magic, 8)} (not an IDX file)`,
      ),
    );
  }
  const code = bytes[2] as number;
  const kind = DTYPES[code];
  if (!kind) {
    throw new DataError(formatExpected(fn, argument, `dtype code ${DTYPE_LIST}`, hex(code, 2)));
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    return { dtype: kind.dtype, shape: [], headerBytes, count: 0, totalBytes: headerBytes };
  }
  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) shape.push(view.getUint32(4 + 4 * axis, false));
  const count = shape.reduce((product, size) => product * size, 1);
  return { dtype: kind.dtype, shape, headerBytes, count, totalBytes: headerBytes + count * kind.bytes };
}

/** `16 header + 10×28×28 uint8 values`, for messages. */
export function describeIdxHeader(header: IdxHeader): string {
  return `${header.headerBytes} header + ${header.shape.join('×')} ${header.dtype} values`;
}

/** Limits on what an IDX file may declare. */
export interface IdxReadOptions {
  /** The most bytes the file's values may take once read (its header is checked before anything is inflated). */
  maxBytes?: number;
}

/**
 * Parses IDX bytes that may be gzipped (detected by the gzip magic), using the web-standard `DecompressionStream`
 * (browsers, Node ≥ 18). The header is read from the first inflated bytes and checked against `options.maxBytes`;
 * inflating stops as soon as the stream goes past what the header promises. For files on disk in Node, `readIdxFile`
 * is simpler and synchronous.
 * @throws DataError for bytes that are not IDX (see `parseIdx`), a header above `maxBytes`, or a stream that inflates
 *   past its header (trailing bytes), before inflating the rest
 * @example const images = await decodeIdx(new Uint8Array(await (await fetch(url)).arrayBuffer()), url);
 */
export async function decodeIdx(bytes: Uint8Array, source = 'bytes', options: IdxReadOptions = {}): Promise<IdxArray> {
  if (!isGzip(bytes)) {
    checkIdxHeader('decodeIdx', source, readIdxHeader(bytes, source), options);
    return parseIdx(bytes, source);
  }
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let header: IdxHeader | null = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
      if (header === null || header.shape.length === 0) {
        header = readIdxHeader(joinChunks(chunks, length), source);
        checkIdxHeader('decodeIdx', source, header, options);
      }
      if (header !== null && header.shape.length > 0 && length > header.totalBytes) {
        await reader.cancel();
        throw inflatedPast('decodeIdx', source, header);
      }
    }
  } catch (error) {
    if (DataError.isInstance(error)) throw error;
    throw new DataError(
      formatExpected('decodeIdx', `IDX file '${source}'`, 'a valid gzip stream', `${(error as Error).message}`),
    );
  }
  return parseIdx(joinChunks(chunks, length), source);
}

/**
 * Refuses a header (once its shape is read) whose values would take more than `options.maxBytes`, or more than a
 * typed array can hold.
 * @throws DataError naming the file, its shape and the bytes it would take
 */
export function checkIdxHeader(fn: string, source: string, header: IdxHeader | null, options: IdxReadOptions): void {
  if (header === null || header.shape.length === 0) return;
  const limit = Math.min(options.maxBytes ?? Number.POSITIVE_INFINITY, MAX_IDX_BYTES);
  if (header.totalBytes <= limit) return;
  const mb = (bytes: number) =>
    bytes < 2 ** 20 ? `${bytes.toLocaleString('en')} bytes` : `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MB`;
  const allowed =
    options.maxBytes !== undefined && options.maxBytes < MAX_IDX_BYTES ? 'the memory allowed' : 'an array';
  throw new DataError(
    formatExpected(
      fn,
      `IDX file '${source}'`,
      `at most ${mb(limit)} (${allowed})`,
      `a header of ${header.shape.join(' × ')} ${header.dtype} values (${mb(header.totalBytes)})`,
    ),
  );
}

/** The error of a gzip stream that inflates past what its header promises. */
export function inflatedPast(fn: string, source: string, header: IdxHeader): DataError {
  return new DataError(
    formatExpected(
      fn,
      `IDX file '${source}'`,
      `to inflate to the ${header.totalBytes.toLocaleString('en')} bytes its header promises (${describeIdxHeader(header)})`,
      'more (trailing bytes)',
    ),
  );
}

/** The most bytes an IDX file's values may take: what one typed array can hold. */
const MAX_IDX_BYTES = 2 ** 31 - 1;

// helpers

function joinChunks(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

function decodeValues(bytes: Uint8Array, view: DataView, offset: number, count: number, dtype: IdxDtype): IdxData {
  switch (dtype) {
    case 'uint8':
      return bytes.subarray(offset, offset + count);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + offset, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/**
 * Encodes an array as raw IDX bytes (the inverse of `parseIdx`), for tests, fixtures and exporting data.
 * @example encodeIdx('uint8', [2], new Uint8Array([5, 7])); // Uint8Array [0, 0, 8, 1, 0, 0, 0, 2, 5, 7]
 */
export function encodeIdx(dtype: IdxDtype, shape: readonly number[], values: ArrayLike<number>): Uint8Array {
  const entry = Object.entries(DTYPES).find(([, kind]) => kind.dtype === dtype);
  if (!entry) throw new DataError(formatExpected('encodeIdx', 'dtype', 'an IDX dtype', `'${dtype}'`));
  const code = Number(entry[0]);
  const width = entry[1].bytes;
  const count = shape.reduce((product, size) => product * size, 1);
  if (values.length !== count) {
    throw new DataError(
      formatExpected('encodeIdx', 'values', `${count} values (shape ${shape.join('×')})`, `${values.length}`),
    );
  }
  const header = 4 + 4 * shape.length;
  const bytes = new Uint8Array(header + count * width);
  const view = new DataView(bytes.buffer);
  bytes[2] = code;
  bytes[3] = shape.length;
  shape.forEach((size, axis) => {
    view.setUint32(4 + 4 * axis, size, false);
  });
  for (let i = 0; i < count; i++) {
    const value = values[i] as number;
    const at = header + i * width;
    if (dtype === 'uint8') view.setUint8(at, value);
    else if (dtype === 'int8') view.setInt8(at, value);
    else if (dtype === 'int16') view.setInt16(at, value, false);
    else if (dtype === 'int32') view.setInt32(at, value, false);
    else if (dtype === 'float32') view.setFloat32(at, value, false);
    else view.setFloat64(at, value, false);
  }
  return bytes;
}
