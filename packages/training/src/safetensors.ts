/**
 * The safetensors format (https://github.com/huggingface/safetensors#format), read and written without a
 * dependency: what `vaejs export --format pytorch` writes and `vaejs import` reads, and what a Python user opens with
 * the `safetensors` package or with torch alone.
 *
 * ```
 * [8 bytes]  N, the header's length, unsigned little-endian
 * [N bytes]  JSON: {"<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
 *                   "__metadata__": {"<key>": "<string>"}}   (padded with spaces to a multiple of 8)
 * [rest]     the tensors' bytes, little-endian, row-major, each at [begin, end) of this buffer, no gaps, no overlaps
 * ```
 */
import { CheckpointError, describeValue, formatExpected } from '@vaejs/core';

/** The dtypes read and written here (safetensors names them F32, I32, U8). */
export type SafetensorsDtype = 'float32' | 'int32' | 'uint8';

/** One named tensor's values: row-major data of `shape`. */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

const CODES: Record<SafetensorsDtype, string> = { float32: 'F32', int32: 'I32', uint8: 'U8' };
const DTYPES: Record<string, SafetensorsDtype> = { F32: 'float32', I32: 'int32', U8: 'uint8' };
const BYTES: Record<SafetensorsDtype, number> = { float32: 4, int32: 4, uint8: 1 };
/** A header larger than this is refused before it is decoded (the format's own reader caps it at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Encodes named tensors (in name order) and string metadata as one safetensors buffer.
 * @throws CheckpointError for a dtype not listed, or data whose length is not the product of the shape
 * @example encodeSafetensors({ 'dense/kernel': { dtype: 'float32', shape: [2, 3], data: new Float32Array(6) } })
 */
export function encodeSafetensors(
  tensors: Record<string, SafetensorsTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const fn = 'encodeSafetensors';
  assertLittleEndian(fn);
  const header: Record<string, unknown> = {};
  const names = Object.keys(tensors).sort();
  let offset = 0;
  for (const name of names) {
    const tensor = tensors[name] as SafetensorsTensor;
    const code = CODES[tensor.dtype];
    if (code === undefined) {
      throw new CheckpointError(
        formatExpected(fn, `tensor '${name}' dtype`, 'float32, int32 or uint8', describeValue(tensor.dtype)),
      );
    }
    const size = tensor.shape.reduce((a, b) => a * b, 1);
    if (tensor.data.length !== size) {
      throw new CheckpointError(
        formatExpected(
          fn,
          `tensor '${name}' data`,
          `${size} values (shape [${tensor.shape}])`,
          `${tensor.data.length}`,
        ),
      );
    }
    const bytes = size * BYTES[tensor.dtype];
    header[name] = { dtype: code, shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors[name] as SafetensorsTensor;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

/**
 * Decodes a safetensors buffer. Every tensor is checked: a known dtype, a shape of non-negative integers, offsets
 * inside the buffer that match the shape, tensors that tile the data without gaps or overlaps.
 * @throws CheckpointError naming the tensor or the header field that is wrong
 * @example const { tensors, metadata } = decodeSafetensors(readFileSync('model.safetensors'));
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  fn = 'decodeSafetensors',
): { tensors: Record<string, SafetensorsTensor>; metadata: Record<string, string> } {
  assertLittleEndian(fn);
  if (!(bytes instanceof Uint8Array) || bytes.length < 8) {
    throw new CheckpointError(
      formatExpected(fn, 'bytes', 'a safetensors buffer of at least 8 bytes', describeBytes(bytes)),
    );
  }
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > Math.min(bytes.length - 8, MAX_HEADER_BYTES)) {
    throw new CheckpointError(
      formatExpected(
        fn,
        'header length',
        `at most ${Math.min(bytes.length - 8, MAX_HEADER_BYTES)} bytes`,
        `${headerLength}`,
      ),
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new CheckpointError(formatExpected(fn, 'header', 'UTF-8 JSON', (error as Error).message));
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CheckpointError(formatExpected(fn, 'header', 'a JSON object', describeValue(header)));
  }
  const body = bytes.subarray(8 + headerLength);
  const { __metadata__: rawMetadata, ...entries } = header as Record<string, unknown>;
  const metadata = readMetadata(fn, rawMetadata);
  const tensors: Record<string, SafetensorsTensor> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(entries)) {
    const { dtype, shape, begin, end } = readEntry(fn, name, entry, body.length);
    spans.push([begin, end, name]);
    const copy = body.slice(begin, end);
    const data =
      dtype === 'float32'
        ? new Float32Array(copy.buffer, 0, (end - begin) / 4)
        : dtype === 'int32'
          ? new Int32Array(copy.buffer, 0, (end - begin) / 4)
          : copy;
    tensors[name] = { dtype, shape, data };
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== covered) {
      const what = begin < covered ? 'overlaps the tensor before it' : `leaves bytes ${covered}..${begin} unused`;
      throw new CheckpointError(
        formatExpected(fn, `tensor '${name}' data_offsets`, 'to follow the previous tensor', what),
      );
    }
    covered = end;
  }
  if (covered !== body.length) {
    throw new CheckpointError(formatExpected(fn, 'data', `${covered} bytes (the tensors' total)`, `${body.length}`));
  }
  return { tensors, metadata };
}

// helpers

function readEntry(fn: string, name: string, entry: unknown, bodyLength: number) {
  const spec = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  const where = `tensor '${name}'`;
  if (typeof spec !== 'object' || spec === null) {
    throw new CheckpointError(formatExpected(fn, where, '{ dtype, shape, data_offsets }', describeValue(entry)));
  }
  const dtype = DTYPES[String(spec.dtype)];
  if (dtype === undefined) {
    throw new CheckpointError(formatExpected(fn, `${where} dtype`, 'F32, I32 or U8', describeValue(spec.dtype)));
  }
  const shape = spec.shape;
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    throw new CheckpointError(
      formatExpected(fn, `${where} shape`, 'an array of non-negative integers', describeValue(shape)),
    );
  }
  const offsets = spec.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((v) => Number.isSafeInteger(v) && v >= 0)) {
    throw new CheckpointError(formatExpected(fn, `${where} data_offsets`, '[begin, end]', describeValue(offsets)));
  }
  const [begin, end] = offsets as [number, number];
  const bytes = (shape as number[]).reduce((a, b) => a * b, 1) * BYTES[dtype];
  if (end - begin !== bytes || end > bodyLength) {
    throw new CheckpointError(
      formatExpected(
        fn,
        `${where} data_offsets`,
        `${bytes} bytes within ${bodyLength} (shape [${shape}])`,
        `[${begin}, ${end}]`,
      ),
    );
  }
  return { dtype, shape: [...(shape as number[])], begin, end };
}

function readMetadata(fn: string, raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
    throw new CheckpointError(formatExpected(fn, '__metadata__', 'an object of strings', describeValue(raw)));
  }
  return { ...(raw as Record<string, string>) };
}

function describeBytes(bytes: unknown): string {
  return bytes instanceof Uint8Array ? `${bytes.length} bytes` : describeValue(bytes);
}

function assertLittleEndian(fn: string): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new CheckpointError(formatExpected(fn, 'the platform', 'little-endian', 'big-endian'));
  }
}
