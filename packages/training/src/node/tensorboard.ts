/**
 * TensorBoard's event files, scalars only, written without TensorFlow: what `tf.summary.scalar` (Keras' TensorBoard
 * callback) and PyTorch's `SummaryWriter.add_scalar` write, so that `tensorboard --logdir <run>/tensorboard` draws a
 * run's losses. No maintained npm package writes them (we found none that is kept up); the format is small:
 *
 * - a file `events.out.tfevents.<seconds>.<host>.<pid>.vaejs` of TFRecords: each is the data's length (uint64 LE),
 *   the length's masked CRC-32C (uint32 LE), the data, and the data's masked CRC-32C, where a mask is
 *   `((crc >>> 15) | (crc << 17)) + 0xa282ead8` (tensorflow/core/lib/hash/crc32c.h);
 * - each record an `Event` protobuf (tensorflow/core/util/event.proto): `wall_time` (1, double), `step` (2, int64), and
 *   first `file_version` (3, "brain.Event:2"), then a `summary` (5): a `Summary` with one `value` (1): `tag` (1,
 *   string) and `simple_value` (2, float).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Callback } from '../callbacks';

/** Writes scalars into one new event file in `dir`. */
export interface ScalarWriter {
  /** The event file written. */
  readonly path: string;
  /** One scalar: `tag` (`train/loss`) at `step`; the wall time is now. */
  scalar(tag: string, value: number, step: number): void;
  close(): void;
}

/**
 * Opens a new event file in `dir` (created if missing) and writes its first event, the file version.
 * @example
 * const writer = createScalarWriter('runs/vae/tensorboard');
 * writer.scalar('epoch/test_loss', 128.3, 1);
 * writer.close();
 */
export function createScalarWriter(dir: string): ScalarWriter {
  mkdirSync(dir, { recursive: true });
  const seconds = Math.floor(Date.now() / 1000);
  const path = join(dir, `events.out.tfevents.${seconds}.${hostname()}.${process.pid}.vaejs`);
  let fd: number | null = openSync(path, 'a');
  const write = (event: Uint8Array) => {
    if (fd !== null) writeSync(fd, tfRecord(event));
  };
  write(concat([field(1, 1), float64(Date.now() / 1000), field(3, 2), bytesOf(utf8('brain.Event:2'))]));
  return {
    path,
    scalar(tag, value, step) {
      const summaryValue = concat([field(1, 2), bytesOf(utf8(tag)), field(2, 5), float32(value)]);
      const summary = concat([field(1, 2), bytesOf(summaryValue)]);
      write(
        concat([field(1, 1), float64(Date.now() / 1000), field(2, 0), varint(step), field(5, 2), bytesOf(summary)]),
      );
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/**
 * A `fit` callback, as Keras' TensorBoard: each epoch's numeric fields of metrics.jsonl as `epoch/<field>` at the epoch
 * (`epoch/train_loss`, `epoch/test_loss`, `epoch/kl`, …), and each read-back step's losses as `step/<part>` at the
 * global step (every `logEvery` steps). A new event file per call of `fit`: a resumed run adds one.
 * @example await fit(vae, data, { runDir: 'runs/vae', callbacks: [tensorBoard({ logDir: 'runs/vae/tensorboard' })] });
 */
export function tensorBoard(options: { logDir: string }): Callback {
  let writer: ScalarWriter | null = null;
  const open = () => {
    writer ??= createScalarWriter(options.logDir);
    return writer;
  };
  return {
    onTrainBegin() {
      open();
    },
    onBatchEnd(logs) {
      for (const [name, value] of Object.entries(logs.losses ?? {})) open().scalar(`step/${name}`, value, logs.step);
    },
    onEpochEnd(record) {
      for (const [name, value] of Object.entries(record)) {
        if (name !== 'epoch' && typeof value === 'number' && Number.isFinite(value)) {
          open().scalar(`epoch/${name}`, value, record.epoch);
        }
      }
    },
    onTrainEnd() {
      writer?.close();
      writer = null;
    },
  };
}

// helpers: TFRecord framing

function tfRecord(data: Uint8Array): Uint8Array {
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(header.subarray(0, 8)), true);
  const footer = new Uint8Array(4);
  new DataView(footer.buffer).setUint32(0, maskedCrc32c(data), true);
  return concat([header, data, footer]);
}

/** CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), masked as TFRecord stores it. */
export function maskedCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  crc = (crc ^ 0xffffffff) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

const CRC32C_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

// helpers: protobuf wire format

/** A field's key: its number and wire type (0 varint, 1 64-bit, 2 length-delimited, 5 32-bit). */
function field(number: number, wireType: number): Uint8Array {
  return varint(number * 8 + wireType);
}

function varint(value: number): Uint8Array {
  const out: number[] = [];
  let rest = BigInt(Math.trunc(value));
  if (rest < 0n) rest += 1n << 64n; // int64 as protobuf writes a negative one: ten bytes
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return Uint8Array.from(out);
}

function bytesOf(payload: Uint8Array): Uint8Array {
  return concat([varint(payload.length), payload]);
}

function float64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, value, true);
  return out;
}

function float32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setFloat32(0, value, true);
  return out;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
