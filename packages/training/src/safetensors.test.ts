import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

const sample = () => ({
  'b/kernel': { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.from([1, -2.5, 3, 4, 5e-8, 6]) },
  'a/codes': { dtype: 'int32' as const, shape: [3], data: Int32Array.from([7, -1, 2 ** 30]) },
  'c/empty': { dtype: 'float32' as const, shape: [0, 4], data: new Float32Array(0) },
  'd/bytes': { dtype: 'uint8' as const, shape: [2], data: Uint8Array.from([0, 255]) },
});

/** A buffer with the given header object and body. */
function withHeader(header: unknown, body = new Uint8Array(0), length?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(length ?? json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('writes the header length, a padded JSON header and the tensors in name order', () => {
    const bytes = encodeSafetensors(sample(), { kind: 'vae' });
    const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(length % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
    expect(header['a/codes']).toEqual({ dtype: 'I32', shape: [3], data_offsets: [0, 12] });
    expect(header['b/kernel']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [12, 36] });
    expect(header['c/empty']).toEqual({ dtype: 'F32', shape: [0, 4], data_offsets: [36, 36] });
    expect(header['d/bytes']).toEqual({ dtype: 'U8', shape: [2], data_offsets: [36, 38] });
    expect(header.__metadata__).toEqual({ kind: 'vae' });
    expect(bytes.length).toBe(8 + length + 38);
    // little-endian float32 -2.5 is 0x00 0x00 0x20 0xc0
    expect([...bytes.subarray(8 + length + 16, 8 + length + 20)]).toEqual([0, 0, 0x20, 0xc0]);
  });

  it('reads back what it wrote, value for value', () => {
    const { tensors, metadata } = decodeSafetensors(encodeSafetensors(sample(), { epoch: '3' }));
    expect(metadata).toEqual({ epoch: '3' });
    expect(Object.keys(tensors).sort()).toEqual(['a/codes', 'b/kernel', 'c/empty', 'd/bytes']);
    expect(tensors['b/kernel']?.shape).toEqual([2, 3]);
    expect([...(tensors['b/kernel']?.data ?? [])]).toEqual([...sample()['b/kernel'].data]);
    expect(tensors['a/codes']?.data).toBeInstanceOf(Int32Array);
    expect([...(tensors['a/codes']?.data ?? [])]).toEqual([7, -1, 2 ** 30]);
    expect([...(tensors['d/bytes']?.data ?? [])]).toEqual([0, 255]);
  });

  it('reads a buffer that is a view into a larger one', () => {
    const bytes = encodeSafetensors(sample());
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 3);
    const { tensors } = decodeSafetensors(padded.subarray(3, 3 + bytes.length));
    expect([...(tensors['b/kernel']?.data ?? [])]).toEqual([...sample()['b/kernel'].data]);
  });

  it('refuses data that does not match the shape when writing', () => {
    expect(() => encodeSafetensors({ w: { dtype: 'float32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      /^encodeSafetensors: expected tensor 'w' data 4 values \(shape \[2,2\]\), got 3\.$/,
    );
    expect(() =>
      encodeSafetensors({ w: { dtype: 'float64' as 'float32', shape: [1], data: new Float32Array(1) } }),
    ).toThrow(/^encodeSafetensors: expected tensor 'w' dtype float32, int32 or uint8, got 'float64'\.$/);
  });

  it('refuses a short buffer, a header longer than the file, and a header that is not a JSON object', () => {
    expect(() => decodeSafetensors(new Uint8Array(4))).toThrow(
      /expected bytes a safetensors buffer of at least 8 bytes, got 4 bytes\./,
    );
    expect(() => decodeSafetensors(withHeader({}, new Uint8Array(0), 999))).toThrow(
      /^decodeSafetensors: expected header length at most 2 bytes, got 999\.$/,
    );
    const notJson = withHeader({});
    notJson[8] = 0x7a; // 'z}'
    expect(() => decodeSafetensors(notJson)).toThrow(/^decodeSafetensors: expected header UTF-8 JSON, got /);
    expect(() => decodeSafetensors(withHeader([1, 2]))).toThrow(/expected header a JSON object, got/);
  });

  it('names the tensor whose dtype, shape or offsets are wrong', () => {
    const body = new Uint8Array(16);
    expect(() =>
      decodeSafetensors(withHeader({ w: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] } }, body)),
    ).toThrow(/^decodeSafetensors: expected tensor 'w' dtype F32, I32 or U8, got 'BF16'\.$/);
    expect(() =>
      decodeSafetensors(withHeader({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, body)),
    ).toThrow(/expected tensor 'w' shape an array of non-negative integers/);
    expect(() =>
      decodeSafetensors(withHeader({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, body)),
    ).toThrow(
      /^decodeSafetensors: expected tensor 'w' data_offsets 12 bytes within 16 \(shape \[3\]\), got \[0, 8\]\.$/,
    );
    expect(() =>
      decodeSafetensors(withHeader({ w: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, body)),
    ).toThrow(/expected tensor 'w' data_offsets 32 bytes within 16/);
  });

  it('refuses overlapping tensors, gaps and trailing bytes', () => {
    const body = new Uint8Array(16);
    const overlap = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    expect(() => decodeSafetensors(withHeader(overlap, body))).toThrow(
      /tensor 'b' data_offsets to follow the previous tensor, got overlaps/,
    );
    const gap = {
      a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    };
    expect(() => decodeSafetensors(withHeader(gap, body))).toThrow(/got leaves bytes 4\.\.8 unused/);
    const short = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    expect(() => decodeSafetensors(withHeader(short, body))).toThrow(
      /^decodeSafetensors: expected data 8 bytes \(the tensors' total\), got 16\.$/,
    );
  });

  it('refuses metadata that is not an object of strings', () => {
    expect(() => decodeSafetensors(withHeader({ __metadata__: { epoch: 3 } }))).toThrow(
      /expected __metadata__ an object of strings/,
    );
  });
});
