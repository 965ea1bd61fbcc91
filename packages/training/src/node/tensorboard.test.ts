// The event files read back by a reader written from the format's spec (TFRecord: tensorflow/core/lib/io/record_writer.cc;
// Event and Summary: tensorflow/core/util/event.proto, tensorflow/core/framework/summary.proto), in another style than
// the writer: Buffer reads, a bit-at-a-time CRC-32C, a generic protobuf walker.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTinyModel, tinyDataset } from '../__fixtures__/tiny-model';
import { fit } from './node-fit';
import { createScalarWriter, tensorBoard } from './tensorboard';

/** CRC-32C bit by bit (no table): the polynomial 0x1EDC6F41, reflected. */
function crc32cBitwise(bytes: Buffer): number {
  let crc = ~0 >>> 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (crc & 1 ? 0x82f63b78 : 0);
  }
  return ~crc >>> 0;
}

const mask = (crc: number) => (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;

type Field = { number: number; value: bigint | Buffer | number };

/** Every field of a protobuf message, in order (wire types 0, 1, 2 and 5). */
function walk(message: Buffer): Field[] {
  const fields: Field[] = [];
  let at = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = message[at++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  while (at < message.length) {
    const key = Number(readVarint());
    const [number, wire] = [key >> 3, key & 7];
    const start = at;
    if (wire === 0) fields.push({ number, value: readVarint() });
    else if (wire === 1) {
      at += 8;
      fields.push({ number, value: message.readDoubleLE(start) });
    } else if (wire === 5) {
      at += 4;
      fields.push({ number, value: message.readFloatLE(start) });
    } else if (wire === 2) {
      const length = Number(readVarint());
      fields.push({ number, value: message.subarray(at, at + length) });
      at += length;
    } else throw new Error(`wire type ${wire}`);
  }
  return fields;
}

/** The events of a file: each record's CRCs checked, each Event decoded to { wallTime, step, version?, scalars }. */
function readEvents(path: string) {
  const file = readFileSync(path);
  const events = [];
  for (let at = 0; at < file.length; ) {
    const length = Number(file.readBigUInt64LE(at));
    expect(file.readUInt32LE(at + 8), 'length CRC').toBe(mask(crc32cBitwise(file.subarray(at, at + 8))));
    const data = file.subarray(at + 12, at + 12 + length);
    expect(file.readUInt32LE(at + 12 + length), 'data CRC').toBe(mask(crc32cBitwise(data)));
    at += 12 + length + 4;
    const fields = walk(data);
    const get = (n: number) => fields.find((f) => f.number === n)?.value;
    const summary = get(5) as Buffer | undefined;
    const scalars = summary
      ? walk(summary).map((value) => {
          const parts = walk(value.value as Buffer);
          const tag = String(parts.find((p) => p.number === 1)?.value);
          return [tag, parts.find((p) => p.number === 2)?.value as number] as const;
        })
      : [];
    events.push({
      wallTime: get(1) as number,
      step: Number((get(2) as bigint | undefined) ?? 0n),
      version: (get(3) as Buffer | undefined)?.toString('utf8'),
      scalars,
    });
  }
  return events;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vaejs-tb-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('TensorBoard event files', () => {
  it("the reader's CRC-32C is the standard one (the check value of '123456789')", () => {
    expect(crc32cBitwise(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('a scalar writer writes the file version, then each scalar with its tag, value and step', () => {
    const writer = createScalarWriter(join(dir, 'tb'));
    writer.scalar('train/loss', 164.9, 1);
    writer.scalar('test/loss', 128.25, 3_000_000_000);
    writer.close();
    expect(writer.path).toMatch(/\/tb\/events\.out\.tfevents\.\d{10}\..+\.\d+\.vaejs$/);
    const events = readEvents(writer.path);
    expect(events[0]?.version).toBe('brain.Event:2');
    expect(Math.abs((events[0]?.wallTime ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    expect(events.slice(1).map((event) => [event.step, event.scalars])).toEqual([
      [1, [['train/loss', Math.fround(164.9)]]],
      [3_000_000_000, [['test/loss', 128.25]]],
    ]);
  });

  it("tensorBoard() writes fit's epoch records and step losses", async () => {
    const model = createTinyModel();
    const data = { train: tinyDataset(40, 1, 'tiny-train'), test: tinyDataset(12, 2, 'tiny-test') };
    const logDir = join(dir, 'run', 'tensorboard');
    const history = await fit(model, data, {
      epochs: 2,
      batchSize: 8,
      logEvery: 5,
      verbose: 0,
      callbacks: [tensorBoard({ logDir })],
    });
    model.dispose();
    const files = readdirSync(logDir);
    expect(files).toHaveLength(1);
    const scalars = readEvents(join(logDir, files[0] as string)).flatMap((event) =>
      event.scalars.map(([tag, value]) => ({ tag, value, step: event.step })),
    );
    const testLoss = scalars.filter((s) => s.tag === 'epoch/test_loss');
    expect(testLoss.map((s) => s.step)).toEqual([1, 2]);
    expect(testLoss.map((s) => s.value)).toEqual(history.history.test_loss?.map((loss) => Math.fround(loss)));
    // 5 steps an epoch, read back every 5th: the step losses at global steps 5 and 10
    expect(scalars.filter((s) => s.tag === 'step/loss').map((s) => s.step)).toEqual([5, 10]);
    expect(new Set(scalars.map((s) => s.tag))).toContain('epoch/train_loss');
  });
});
