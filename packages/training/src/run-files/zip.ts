/**
 * Zip archives of run folders, written and read without a dependency: how a page hands a run to the CLI in one file
 * (`vaejs eval --run run.zip`) and how it takes one back. Writes stored entries (weights do not compress; the archive
 * reads anywhere), reads stored and deflated ones (`zip -r` of a CLI run folder) through the web-standard
 * `DecompressionStream` (browsers, Node ≥ 18). Reads are checked: every path stays inside the folder
 * (`run-files.ts`), every entry's CRC-32 and size match, and no ZIP64, encryption or oversized total is accepted.
 * Format: PKWARE's APPNOTE.TXT 6.3 (local headers, central directory, end of central directory record).
 */
import { CheckpointError, formatExpected } from '@vaejs/core';
import { type RunFiles, runFilesOf } from './run-files';

/** Entries and bytes a read accepts at most: beyond either, an archive is refused (a zip bomb, or not a run). */
const MAX_ENTRIES = 10_000;
const MAX_TOTAL_BYTES = 2 ** 31;

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const UTF8_NAMES = 0x0800;

/**
 * A zip archive of `files` (path → bytes, as a run folder held in memory): stored entries, UTF-8 names, sorted.
 * @param options `{ date }`: the entries' modification time (default now)
 * @example
 * const archive = writeZip(files); // Uint8Array: save it as run.zip, and `vaejs eval --run run.zip`
 */
export function writeZip(files: ReadonlyMap<string, Uint8Array>, options: { date?: Date } = {}): Uint8Array {
  const { time, day } = dosDateTime(options.date ?? new Date());
  const encoder = new TextEncoder();
  const entries = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [path, data] of entries) {
    const name = encoder.encode(path);
    const crc = crc32(data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, LOCAL, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, UTF8_NAMES, true);
    local.setUint16(8, 0, true); // stored
    local.setUint16(10, time, true);
    local.setUint16(12, day, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, data.byteLength, true);
    local.setUint32(22, data.byteLength, true);
    local.setUint16(26, name.byteLength, true);
    locals.push(new Uint8Array(local.buffer), name, data);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, CENTRAL, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint16(8, UTF8_NAMES, true);
    central.setUint16(12, time, true);
    central.setUint16(14, day, true);
    central.setUint32(16, crc, true);
    central.setUint32(20, data.byteLength, true);
    central.setUint32(24, data.byteLength, true);
    central.setUint16(28, name.byteLength, true);
    central.setUint32(42, offset, true);
    centrals.push(new Uint8Array(central.buffer), name);
    offset += 30 + name.byteLength + data.byteLength;
  }
  if (offset >= 2 ** 32 || entries.length >= 0xffff) {
    throw new CheckpointError(
      formatExpected('writeZip', 'files', 'under 4 GiB and 65,535 entries (no ZIP64)', `${offset} bytes`),
    );
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, END, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return concat([...locals, ...centrals, new Uint8Array(end.buffer)]);
}

/**
 * The files of a zip archive, checked (see the top of this file), re-rooted at the run it holds (`runFilesOf`).
 * @param name how messages name the archive (`run.zip`)
 * @throws CheckpointError naming the archive and the entry for anything that is not a sound archive of plain files
 */
export async function readZip(bytes: Uint8Array, name = 'archive'): Promise<RunFiles> {
  const fail = (expected: string, got: string): never => {
    throw new CheckpointError(formatExpected('readZip', name, expected, got));
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEnd(view);
  if (end < 0) fail('a zip archive', `no end of central directory in ${bytes.byteLength} bytes`);
  const count = view.getUint16(end + 10, true);
  const centralOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || centralOffset === 0xffffffff) fail('a zip archive without ZIP64', 'a ZIP64 archive');
  if (count > MAX_ENTRIES) fail(`at most ${MAX_ENTRIES} entries`, `${count}`);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const entries: [string, Uint8Array][] = [];
  let position = centralOffset;
  let total = 0;
  for (let index = 0; index < count; index++) {
    if (position + 46 > bytes.byteLength || view.getUint32(position, true) !== CENTRAL) {
      fail('a central directory entry', `none at byte ${position} (a damaged archive)`);
    }
    const flags = view.getUint16(position + 8, true);
    const method = view.getUint16(position + 10, true);
    const crc = view.getUint32(position + 16, true);
    const packed = view.getUint32(position + 20, true);
    const size = view.getUint32(position + 24, true);
    const nameLength = view.getUint16(position + 28, true);
    const extraLength = view.getUint16(position + 30, true);
    const commentLength = view.getUint16(position + 32, true);
    const localOffset = view.getUint32(position + 42, true);
    const path = decoder.decode(bytes.subarray(position + 46, position + 46 + nameLength));
    position += 46 + nameLength + extraLength + commentLength;
    if (path.endsWith('/') || path.startsWith('__MACOSX/') || path.split('/').at(-1) === '.DS_Store') continue;
    if (flags & 1) fail('entries without encryption', `'${path}' encrypted`);
    if (method !== 0 && method !== 8) fail('stored or deflated entries', `'${path}' with method ${method}`);
    total += size;
    if (total > MAX_TOTAL_BYTES) fail(`at most ${MAX_TOTAL_BYTES} bytes unpacked`, 'more');
    if (localOffset + 30 > bytes.byteLength || view.getUint32(localOffset, true) !== LOCAL) {
      fail(`a local header for '${path}'`, `none at byte ${localOffset} (a damaged archive)`);
    }
    const start = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (start + packed > bytes.byteLength) fail(`${packed} bytes of '${path}'`, 'a truncated archive');
    const stored = bytes.subarray(start, start + packed);
    const data =
      method === 0 ? stored.slice() : await inflate(stored, () => fail(`'${path}' deflated`, 'a damaged stream'));
    if (data.byteLength !== size || crc32(data) !== crc)
      fail(`'${path}' to match its CRC-32 and size`, 'other bytes (a damaged archive)');
    entries.push([path, data]);
  }
  return runFilesOf(entries, name);
}

/** The CRC-32 of `data` (the zip and PNG polynomial 0xEDB88320). */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (CRC_TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// helpers

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function dosDateTime(date: Date): { time: number; day: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    day: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/** The end of central directory record's offset (scanning back over a comment of up to 64 KiB), or -1. */
function findEnd(view: DataView): number {
  for (let at = view.byteLength - 22; at >= Math.max(0, view.byteLength - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === END) return at;
  }
  return -1;
}

async function inflate(packed: Uint8Array, fail: () => never): Promise<Uint8Array> {
  try {
    const stream = new Blob([packed as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('deflate-raw'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return fail();
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
