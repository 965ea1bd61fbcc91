// The fault-injection suite, round two (issue 21): what an adversarial pass still broke, done again on every CI run.
// Kills at exact system calls (strace -e inject), readers racing a writer that rotates its checkpoints, tampered
// checkpoints and code maps, and small bad inputs. The built CLI runs in child processes on tiny data (cpu backend).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { encodeIdx } from '@vaejs/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTally, epochsOf, finished, run, sleep, start, tiny } from './cli-process';
import { requireStrace, temporaryDir, writeTinyIdxDataset } from './fixtures';
import { runCli } from './run-cli';

const tally = createTally();
let data: string;
/** A tiny VQ-VAE run (2×2 code maps of K = 8), for encode and prior train. */
let vqvae: string;
const tinyVqVae = [
  '--model',
  'vqvae',
  '--channels',
  '4',
  '--code-dim',
  '2',
  '--codebook-size',
  '8',
  '--batch-size',
  '16',
];
const cpu = ['--backend', 'cpu'];
const tinyPrior = ['--channels', '4', '--layers', '1', '--batch-size', '16', '--epochs', '1', ...cpu];

beforeAll(async () => {
  data = writeTinyIdxDataset(join(temporaryDir(), 'tiny'), 256);
  vqvae = join(temporaryDir(), 'vqvae');
  const trained = await run(['train', ...tinyVqVae, ...cpu, '--dataset', data, '--epochs', '1', '--out', vqvae]);
  expect(trained.code, trained.stderr).toBe(0);
}, 120_000);

/** The files of a codes folder, and what lies beside it (leftovers of killed writers), as one listing. */
function codesListing(codes: string): string {
  const parent = join(codes, '..');
  const beside = readdirSync(parent).filter((name) => name.startsWith('.'));
  return `${existsSync(codes) ? readdirSync(codes).sort().join() : 'none'} | ${beside.join()}`;
}

afterAll(() => {
  console.log(`fault-injection suite, round two: what held\n${tally.table()}`);
});

/** strace killing the process (SIGKILL) at the `when`-th `syscalls` call, on `path` only when given. */
function killAt(syscalls: string, options: { path?: string; when?: number } = {}): string[] {
  const paths = options.path ? ['-P', options.path] : [];
  const when = options.when ? `:when=${options.when}` : '';
  const trace = ['-e', `trace=${syscalls}`, '-e', `inject=${syscalls}:signal=SIGKILL${when}`];
  return [requireStrace(), '-f', '-o', '/dev/null', ...paths, ...trace];
}

/** The checkpoint folders (`epoch-…`, `step-…`) of a run that lack their checkpoint.json. */
function brokenCheckpoints(dir: string): string[] {
  const root = join(dir, 'checkpoints');
  if (!existsSync(root)) return [];
  return readdirSync(root).filter(
    (name) => /^(epoch|step)-\d+$/.test(name) && !existsSync(join(root, name, 'checkpoint.json')),
  );
}

describe('fault injection, round two: kills at exact system calls', () => {
  it('a kill at the write or the rename of config.json during --resume leaves a run that resumes', async () => {
    const dir = join(temporaryDir(), 'config-kill');
    expect((await run(['train', ...tiny, '--dataset', data, '--epochs', '1', '--out', dir])).code).toBe(0);
    const config = join(dir, 'config.json');
    for (const [epochs, syscall] of [
      ['2', 'write'],
      ['3', 'rename'],
    ] as const) {
      const killed = await finished(
        start(['train', '--resume', '--epochs', epochs, '--out', dir], { prefix: killAt(syscall, { path: config }) }),
      );
      let parses = true;
      try {
        JSON.parse(readFileSync(config, 'utf8'));
      } catch {
        parses = false;
      }
      tally.count(`a kill at the ${syscall} of config.json on --resume: config.json whole`, parses);
      expect(parses, killed.stderr).toBe(true);
    }
    const resumed = await run(['train', '--resume', '--epochs', '3', '--out', dir]);
    const held = resumed.code === 0 && epochsOf(dir).join() === '1,2,3';
    tally.count('after kills at config.json: --resume finishes with every epoch once', held);
    expect(held, resumed.stderr).toBe(true);
  }, 120_000);

  it('a kill while old checkpoints are deleted leaves every checkpoint folder whole; the next run sweeps the rest', async () => {
    // 16 steps an epoch, a checkpoint every step, two kept: most unlinks are of checkpoints being deleted
    const args = ['train', ...tiny, '--dataset', data, '--epochs', '2', '--checkpoint-every', '1'];
    for (const when of [5, 8]) {
      const dir = join(temporaryDir(), `delete-kill-${when}`);
      const killed = await finished(start([...args, '--out', dir], { prefix: killAt('unlink', { when }) }));
      expect(killed.code, 'killed by strace').not.toBe(0);
      const broken = brokenCheckpoints(dir);
      tally.count(
        `a kill at unlink ${when} (deleting an old checkpoint): no checkpoint folder without its info`,
        broken.length === 0,
      );
      expect(broken, killed.stderr).toEqual([]);
      const resumed = await run(['train', '--resume', '--epochs', '2', '--checkpoint-every', '1', '--out', dir]);
      const left = readdirSync(join(dir, 'checkpoints')).filter((name) => name.startsWith('.'));
      const held = resumed.code === 0 && left.length === 0 && epochsOf(dir).join() === '1,2';
      tally.count(`after a kill at unlink ${when}: --resume finishes and sweeps what the kill left`, held);
      expect(held, `${resumed.stderr} (left: ${left})`).toBe(true);
    }
  }, 180_000);
});

describe('fault injection, round two: readers and tampered sizes', () => {
  it('eval and sample while training rotates its checkpoints every step: every read gets a whole checkpoint', async () => {
    const dir = join(temporaryDir(), 'rotating');
    const args = ['train', ...tiny, '--dataset', data, '--epochs', '6', '--checkpoint-every', '1', '--out', dir];
    const writer = start(args);
    const written = finished(writer);
    let writing = true;
    written.then(() => {
      writing = false;
    });
    while (writing && !existsSync(join(dir, 'checkpoints', 'latest.json'))) await sleep(20);
    const reads = { eval: { ok: 0, failed: [] as string[] }, sample: { ok: 0, failed: [] as string[] } };
    const reader = async (kind: 'eval' | 'sample') => {
      while (writing) {
        const command =
          kind === 'eval'
            ? ['eval', '--run', dir, '--limit', '16', '--backend', 'cpu']
            : ['sample', '--run', dir, '-n', '4', '--out', join(temporaryDir(), 'x.png'), '--backend', 'cpu'];
        const result = await run(command);
        if (result.code === 0) reads[kind].ok++;
        else reads[kind].failed.push(result.problems.join(' / '));
      }
    };
    await Promise.all([reader('eval'), reader('sample')]);
    expect((await written).code).toBe(0);
    for (const kind of ['eval', 'sample'] as const) {
      const held = reads[kind].failed.length === 0 && reads[kind].ok >= 2;
      tally.count(`${kind} while training rotates checkpoints every step: every read whole`, held);
      expect(reads[kind], kind).toMatchObject({ failed: [] });
      expect(reads[kind].ok, kind).toBeGreaterThanOrEqual(2);
    }
  }, 180_000);

  it('a tampered vae.json hidden [400000]: --resume, eval and sample refuse it in one line before building it', async () => {
    const dir = join(temporaryDir(), 'grown-config');
    expect((await run(['train', ...tiny, '--dataset', data, '--epochs', '1', '--out', dir])).code).toBe(0);
    const manifestPath = join(dir, 'checkpoints', 'epoch-0001', 'vae.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, config: { ...manifest.config, hidden: [400000] } }));
    const memory = ['--max-memory', '64'];
    for (const [name, args] of [
      ['train --resume', ['train', '--resume', '--epochs', '2', ...memory, '--out', dir]],
      ['eval', ['eval', '--run', dir, '--backend', 'cpu', ...memory]],
      ['sample', ['sample', '--run', dir, '--out', join(dir, 'x.png'), '--backend', 'cpu', ...memory]],
    ] as const) {
      const started = performance.now();
      const result = await run([...args]);
      const seconds = (performance.now() - started) / 1000;
      const held =
        result.code === 2 &&
        result.problems.length === 1 &&
        /: expected .*epoch-0001\/vae\.json config a model and step within --max-memory 64 MB, got about [\d,]+ MB \([\d,]+ parameters\)\.$/.test(
          result.problems[0] ?? '',
        ) &&
        seconds < 6 &&
        !existsSync(join(dir, 'checkpoints', 'epoch-0002'));
      tally.count(`a checkpoint config grown to hidden [400000]: ${name} refused in one line, in seconds`, held);
      expect(held, `${name} (${seconds.toFixed(1)} s): ${result.stderr}`).toBe(true);
    }
  }, 120_000);

  it('a tampered encoder/model.json units 1e6: eval and sample refuse it in one line naming the layer', async () => {
    const dir = join(temporaryDir(), 'grown-topology');
    expect((await run(['train', ...tiny, '--dataset', data, '--epochs', '1', '--out', dir])).code).toBe(0);
    const modelPath = join(dir, 'checkpoints', 'epoch-0001', 'encoder', 'model.json');
    const model = JSON.parse(readFileSync(modelPath, 'utf8'));
    const dense = model.modelTopology.config.layers.find((layer: { name: string }) => layer.name === 'enc_dense_0');
    dense.config.units = 1e6;
    writeFileSync(modelPath, JSON.stringify(model));
    for (const [name, args] of [
      ['eval', ['eval', '--run', dir, '--backend', 'cpu']],
      ['sample', ['sample', '--run', dir, '--out', join(dir, 'x.png'), '--backend', 'cpu']],
    ] as const) {
      const started = performance.now();
      const result = await run([...args]);
      const seconds = (performance.now() - started) / 1000;
      const held =
        result.code === 2 &&
        result.problems.length === 1 &&
        /^loadVae: expected part 'encoder' topology layer 2 \(enc_dense_0\) units 16 \(the model's\), got 1000000\.$/.test(
          result.problems[0] ?? '',
        ) &&
        seconds < 6;
      tally.count(`a part topology grown to units 1e6: ${name} refused in one line naming the layer`, held);
      expect(held, `${name} (${seconds.toFixed(1)} s): ${result.stderr}`).toBe(true);
    }
  }, 120_000);
});

describe('fault injection, round two: codes folders written whole', () => {
  it('a folder mixing two encodings is refused by prior train in one line; nothing is written', async () => {
    const mixed = join(temporaryDir(), 'mixed');
    const other = join(temporaryDir(), 'other');
    // a second VQ-VAE (another seed): the same number of maps of the same size, other codes
    const second = join(temporaryDir(), 'vqvae-2');
    const args = ['train', ...tinyVqVae, ...cpu, '--dataset', data, '--epochs', '1', '--seed', '1', '--out', second];
    expect((await run(args)).code).toBe(0);
    expect((await run(['encode', '--run', vqvae, '--out', mixed, '--limit', '128', ...cpu])).code).toBe(0);
    expect((await run(['encode', '--run', second, '--out', other, '--limit', '128', ...cpu])).code).toBe(0);
    expect(readFileSync(join(other, 'train-codes.idx')).equals(readFileSync(join(mixed, 'train-codes.idx')))).toBe(
      false,
    );
    // train codes of one VQ-VAE beside codes.json of another: what a kill of the last release's encode left
    copyFileSync(join(other, 'train-codes.idx'), join(mixed, 'train-codes.idx'));
    const out = join(temporaryDir(), 'prior');
    const result = await run(['prior', 'train', '--codes', mixed, '--out', out, ...tinyPrior]);
    const held =
      result.code === 2 &&
      result.problems.length === 1 &&
      /^loadCodeMaps: expected '.*mixed\/train-codes\.idx' the file codes\.json names \([\d,]+ bytes, sha256 [\da-f]{12}…\), got another \([\d,]+ bytes, sha256 [\da-f]{12}…\): the folder mixes two encodings; encode it again\.$/.test(
        result.problems[0] ?? '',
      ) &&
      !existsSync(join(out, 'checkpoints'));
    tally.count('a codes folder mixing two encodings: prior train refuses it in one line', held);
    expect(held, result.stderr).toBe(true);
  }, 120_000);

  it('encode killed at each rename of its swap leaves the old folder or the new one; the next encode sweeps', async () => {
    const codes = join(temporaryDir(), 'codes');
    expect((await run(['encode', '--run', vqvae, '--out', codes, '--limit', '128', ...cpu])).code).toBe(0);
    const before = readFileSync(join(codes, 'codes.json'), 'utf8');
    const prior = (name: string) =>
      run(['prior', 'train', '--codes', codes, '--out', join(temporaryDir(), name), ...tinyPrior]);
    // rename 1 moves the old folder aside; after that kill, the stale lock it left is taken over by a rename first,
    // so rename 3 of the next encode puts the new folder in place
    for (const [when, step] of [
      [1, 1],
      [3, 2],
    ] as const) {
      const args = ['encode', '--run', vqvae, '--out', codes, '--limit', '64', ...cpu];
      const killed = await finished(start(args, { prefix: killAt('rename', { when }) }));
      expect(killed.code, 'killed by strace').not.toBe(0);
      const trained = await prior(`prior-${step}`);
      const held =
        step === 1
          ? trained.code === 0 && readFileSync(join(codes, 'codes.json'), 'utf8') === before
          : trained.code === 2 &&
            trained.problems.length === 1 &&
            /^vaejs prior train: expected --codes '.*codes' to exist, got none \(a writer killed while replacing it left its new code maps in '.*\.codes\.tmp-\d+-[\da-f]+': rename that to '.*codes', or encode again\)\.$/.test(
              trained.problems[0] ?? '',
            );
      const outcome = step === 1 ? 'the old codes train' : 'refused in one line, saying where the new codes are';
      tally.count(`encode killed at step ${step} of its swap: ${outcome}`, held);
      expect(held, `${codesListing(codes)}: ${trained.stderr}`).toBe(true);
    }
    const again = await run(['encode', '--run', vqvae, '--out', codes, '--limit', '64', ...cpu]);
    const listing = codesListing(codes);
    const held =
      again.code === 0 &&
      listing === 'codes.json,test-codes.idx,test-labels.idx,train-codes.idx,train-labels.idx | ' &&
      (await prior('prior-after')).code === 0;
    tally.count('after killed encodes: the next encode writes a whole folder and sweeps what they left', held);
    expect(held, `${listing}: ${again.stderr}`).toBe(true);
  }, 180_000);

  it('two encodes into one folder: one at a time (the second waits its turn or is refused in one line)', async () => {
    const codes = join(temporaryDir(), 'codes-two');
    const args = (limit: string) => ['encode', '--run', vqvae, '--out', codes, '--limit', limit, ...cpu];
    const results = await Promise.all([run(args('128')), run(args('64'))]);
    const refusals = results.filter((result) => result.code !== 0);
    const manifest = JSON.parse(readFileSync(join(codes, 'codes.json'), 'utf8'));
    const held =
      refusals.length <= 1 &&
      refusals.every(
        (result) =>
          result.code === 2 &&
          result.problems.length === 1 &&
          /^vaejs encode: expected --out a folder no other process writes, got '.*codes-two', which process \d+ on .* is writing/.test(
            result.problems[0] ?? '',
          ),
      ) &&
      [128, 64].includes((manifest.files['train-codes.idx'].bytes - 16) / (2 * 2 * 4)) &&
      (await run(['prior', 'train', '--codes', codes, '--out', join(temporaryDir(), 'p'), ...tinyPrior])).code === 0;
    tally.count('two encodes into one folder: one writer at a time, the folder whole', held);
    expect(held, results.map((result) => result.stderr).join('\n---\n')).toBe(true);
  }, 120_000);
});

describe('fault injection, round two: decompression limits', () => {
  it('a gzip IDX bomb, an IDX header past --max-memory, a PNG declaring 30000 × 30000: one line, exit 2, quickly', async () => {
    const folder = (name: string, files: Record<string, Uint8Array>) => {
      const dir = join(temporaryDir(), name);
      mkdirSync(dir);
      for (const [file, bytes] of Object.entries(files)) writeFileSync(join(dir, file), bytes);
      return dir;
    };
    const labels = encodeIdx('uint8', [10], new Uint8Array(10));
    const header = (count: number) => {
      const bytes = encodeIdx('uint8', [1, 28, 28], new Uint8Array(784)).subarray(0, 16);
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, count, false);
      return Buffer.from(bytes);
    };
    // 10 images promised, 64 MB behind them; a million promised (748 MB) to a --max-memory of 64
    const bomb = gzipSync(Buffer.concat([header(10), Buffer.alloc(2 ** 26)]), { level: 9 });
    const bombs = folder('idx-bomb', { 'train-images-idx3-ubyte.gz': bomb, 'train-labels-idx1-ubyte': labels });
    const huge = folder('idx-huge', {
      'train-images-idx3-ubyte.gz': gzipSync(Buffer.concat([header(1_000_000), Buffer.alloc(1000)])),
      'train-labels-idx1-ubyte': labels,
    });
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(30000, 0);
    ihdr.writeUInt32BE(30000, 4);
    ihdr.set([8, 0, 0, 0, 0], 8);
    const chunk = (type: string, data: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
    };
    const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const png = Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1000)))]);
    const pictures = folder('png-huge', Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`${i}.png`, png])));
    const cases: [string, string, RegExp][] = [
      [
        'a gzip IDX that inflates past its header',
        bombs,
        /^readIdxFile: expected IDX file '.*train-images-idx3-ubyte\.gz' to inflate to the 7,856 bytes its header promises \(16 header \+ 10×28×28 uint8 values\), got more \(trailing bytes\)\.$/,
      ],
      [
        'an IDX header past --max-memory',
        huge,
        /^readIdxFile: expected IDX file '.*train-images-idx3-ubyte\.gz' at most 64 MB \(the memory allowed\), got a header of 1000000 × 28 × 28 uint8 values \(748 MB\)\.$/,
      ],
      [
        'a PNG declaring 30000 × 30000',
        pictures,
        /^loadImageFolder: expected file '.*0\.png' an image of at most 67,108,864 pixels \(8192 × 8192\) and 64 MB decoded \(the memory allowed\), got 30000 × 30000 \(3,433 MB decoded\)\.$/,
      ],
    ];
    for (const [name, dataset, message] of cases) {
      const out = join(temporaryDir(), 'never-written');
      const started = performance.now();
      const result = await run(['train', ...tiny, '--dataset', dataset, '--max-memory', '64', '--out', out]);
      const seconds = (performance.now() - started) / 1000;
      const held =
        result.code === 2 &&
        result.problems.length === 1 &&
        message.test(result.problems[0] ?? '') &&
        seconds < 6 &&
        !existsSync(join(out, 'checkpoints'));
      tally.count(`decompression limits, one line, exit 2: ${name}`, held);
      expect(held, `${name} (${seconds.toFixed(1)} s): ${result.stderr}`).toBe(true);
    }
  }, 120_000);
});

describe('fault injection, round two: small ones, each one line and exit 2 (or 0 with nothing to do)', () => {
  it('resuming a mid-epoch-3 checkpoint with --epochs 1 or 2 says "nothing to train" and leaves the run as it is', async () => {
    const dir = join(temporaryDir(), 'mid-epoch');
    const args = ['train', ...tiny, '--dataset', data, '--epochs', '3', '--checkpoint-every', '5', '--out', dir];
    expect((await run(args)).code).toBe(0);
    // the two kept: step-00000045 (epoch 3, batch 13 of 16) and epoch-0003; without the latter, the run is mid-epoch 3
    rmSync(join(dir, 'checkpoints', 'epoch-0003'), { recursive: true });
    writeFileSync(join(dir, 'checkpoints', 'latest.json'), '{"checkpoint": "step-00000045"}');
    const files = () => ['config.json', 'metrics.jsonl'].map((file) => readFileSync(join(dir, file), 'utf8')).join();
    const before = files();
    for (const epochs of ['1', '2']) {
      const result = await run(['train', '--resume', '--epochs', epochs, '--out', dir]);
      const held =
        result.code === 0 &&
        result.problems.length === 1 &&
        new RegExp(
          `^nothing to train: .*mid-epoch is in epoch 3 \\(step 45\\) and --epochs is ${epochs} \\(the total to reach\\); left as it is\\.$`,
        ).test(result.problems[0] ?? '') &&
        files() === before;
      tally.count(`a mid-epoch-3 checkpoint resumed with --epochs ${epochs}: "nothing to train", left as it is`, held);
      expect(held, result.stderr).toBe(true);
    }
  }, 120_000);

  it('encode --out naming a file, and a NUL in --out (command line or config file): one line, exit 2', async () => {
    const file = join(temporaryDir(), 'a-file');
    writeFileSync(file, 'x');
    const onFile = await run(['encode', '--run', vqvae, '--out', file, ...cpu]);
    const config = join(temporaryDir(), 'nul.json');
    writeFileSync(config, JSON.stringify({ out: 'samples\u0000.png', backend: 'cpu' }));
    const fromConfig = await run(['sample', '--run', vqvae, '--config', config]);
    const datasetConfig = join(temporaryDir(), 'nul-dataset.json');
    writeFileSync(datasetConfig, JSON.stringify({ dataset: 'da\u0000ta' }));
    const trainConfig = await run(['train', ...tiny, '--config', datasetConfig, '--out', join(temporaryDir(), 'x')]);
    const onLine = await runCli(['encode', '--run', vqvae, '--out', 'co\u0000des', ...cpu]);
    const cases: [string, { code: number | null; problems?: string[]; stderr: string }, RegExp][] = [
      [
        'encode --out a file',
        onFile,
        /^vaejs encode: expected --out a folder for the code maps, got '.*a-file', which is a file\.$/,
      ],
      [
        'sample --out with a NUL from a config file',
        fromConfig,
        /^vaejs sample: expected --out in .*nul\.json a path without a NUL character, got "samples\\u0000\.png"\.$/,
      ],
      [
        'train --dataset with a NUL from a config file',
        trainConfig,
        /^vaejs train: expected --dataset in .*nul-dataset\.json a path without a NUL character, got "da\\u0000ta"\.$/,
      ],
      [
        'encode --out with a NUL on the command line',
        onLine,
        /^vaejs encode: expected --out a path without a NUL character, got "co\\u0000des"\.$/,
      ],
    ];
    for (const [name, result, message] of cases) {
      const lines = result.problems ?? result.stderr.trim().split('\n');
      const held = result.code === 2 && lines.length === 1 && message.test(lines[0] ?? '');
      tally.count(`bad input, one line, exit 2: ${name}`, held);
      expect(held, `${name}: ${result.stderr}`).toBe(true);
    }
    expect(readFileSync(file, 'utf8')).toBe('x');
  }, 120_000);
});
