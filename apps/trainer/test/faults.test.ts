// The fault-injection suite: what an adversarial run did to the CLI (2026-12-01), done again on every CI run, with
// counts of what held printed at the end. The built CLI runs in child processes on tiny data (cpu backend), so that
// kills, signals and a full disk hit a real process. Each case checks the same promise: one line naming the problem,
// a non-zero exit, and nothing lost (the last good checkpoint loads, and --resume finishes the run).
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { createRng } from '@vaejs/core';
import { encodeIdx } from '@vaejs/datasets';
import { findLatestCheckpoint } from '@vaejs/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTally, finished, listing, loadsCleanly, run, sleep, start, tiny, weightsOf } from './cli-process';
import { temporaryDir, writeTinyIdxDataset } from './fixtures';

const tally = createTally();
const count = tally.count;
let data: string;

// the built CLI: test/global-setup.ts builds it once for the project
beforeAll(() => {
  data = writeTinyIdxDataset(join(temporaryDir(), 'tiny'), 256);
});

afterAll(() => {
  console.log(`fault-injection suite: what held\n${tally.table()}`);
});

describe('fault injection: the run folder survives', () => {
  it('SIGKILL at random moments and during checkpoint writes leaves a loadable checkpoint; --resume finishes', async () => {
    const dir = join(temporaryDir(), 'killed');
    const epochs = 8;
    const rng = createRng(2026);
    const first = [
      'train',
      ...tiny,
      '--dataset',
      data,
      '--epochs',
      String(epochs),
      '--checkpoint-every',
      '5',
      '--out',
      dir,
    ];
    const resume = ['train', '--resume', '--out', dir, '--epochs', String(epochs)];
    for (let round = 0; round < 10; round++) {
      const duringWrite = round % 2 === 1;
      const child = start(round === 0 ? first : resume);
      const exit = finished(child);
      const deadline = Date.now() + 60_000;
      const checkpoints = join(dir, 'checkpoints');
      if (duringWrite) {
        // kill while a checkpoint is being written: its temporary folder exists
        while (Date.now() < deadline && child.exitCode === null) {
          if (existsSync(checkpoints) && readdirSync(checkpoints).some((name) => name.startsWith('.tmp-'))) break;
          await sleep(1);
        }
      } else {
        const before = findLatestCheckpoint(dir)?.info.step ?? -1;
        while ((findLatestCheckpoint(dir)?.info.step ?? -1) <= before && Date.now() < deadline) await sleep(5);
        await sleep(Math.floor(rng.uniform() * 300));
      }
      child.kill('SIGKILL');
      await exit;
      count(
        duringWrite
          ? 'SIGKILL during a checkpoint write: last checkpoint loads'
          : 'SIGKILL at a random moment: last checkpoint loads',
        await loadsCleanly(dir),
      );
    }
    const last = await run(resume);
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const completed = last.code === 0 && lines.map((line) => line.epoch).join() === '1,2,3,4,5,6,7,8';
    count('--resume after the kills finishes with every epoch once', completed);
    expect(completed, last.stderr).toBe(true);
    expect(tally.get('SIGKILL at a random moment: last checkpoint loads')?.held).toBe(5);
    expect(tally.get('SIGKILL during a checkpoint write: last checkpoint loads')?.held).toBe(5);
  }, 300_000);

  it('SIGTERM and SIGINT mid-epoch write a checkpoint of the step reached; resume ends bit-identical', async () => {
    // 2,560 images, batches of 16: 160 steps an epoch; a step checkpoint every 10 steps marks where the run is
    const many = writeTinyIdxDataset(join(temporaryDir(), 'many'), 2560);
    const args = ['train', ...tiny, '--dataset', many, '--epochs', '2', '--checkpoint-every', '10'];
    const straight = join(temporaryDir(), 'straight');
    expect((await run([...args, '--out', straight])).code).toBe(0);
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      const dir = join(temporaryDir(), signal);
      const child = start([...args, '--out', dir]);
      const exit = finished(child);
      const deadline = Date.now() + 60_000;
      // a step checkpoint of epoch 2 exists: the run is mid-epoch 2
      const midEpoch2 = () => {
        try {
          const info = findLatestCheckpoint(dir)?.info;
          return info?.epoch === 2 && (info.batch ?? 0) > 0;
        } catch {
          return false; // caught between two renames
        }
      };
      while (!midEpoch2() && Date.now() < deadline) await sleep(2);
      child.kill(signal);
      const stopped = await exit;
      const info = findLatestCheckpoint(dir)?.info;
      const midEpoch = stopped.code === code && info?.epoch === 2 && (info.batch ?? 0) > 0;
      const oneLine =
        stopped.problems.length === 1 &&
        new RegExp(`^${signal}: stopped at epoch 2, step \\d+`).test(stopped.problems[0] ?? '');
      count(`${signal} mid-epoch: exit ${code}, one line, a checkpoint of the step reached`, midEpoch && oneLine);
      expect(midEpoch && oneLine, stopped.stderr).toBe(true);
      const resumed = await run(['train', '--resume', '--out', dir]);
      const same = resumed.code === 0 && weightsOf(dir).every((bytes, i) => bytes.equals(weightsOf(straight)[i]!));
      count(`${signal} mid-epoch: --resume ends bit-identical to an uninterrupted run`, same);
      expect(same, resumed.stderr).toBe(true);
    }
  }, 300_000);

  it('two writers on one run folder: the second gets one line and exit 2, the first finishes', async () => {
    for (const mode of ['new', 'resume'] as const) {
      const dir = join(temporaryDir(), `two-${mode}`);
      if (mode === 'resume')
        expect((await run(['train', ...tiny, '--dataset', data, '--epochs', '1', '--out', dir])).code).toBe(0);
      // runs long enough (4 epochs) that the two overlap whichever starts first
      const args =
        mode === 'new'
          ? ['train', ...tiny, '--dataset', data, '--epochs', '4', '--out', dir]
          : ['train', '--resume', '--epochs', '5', '--out', dir];
      const [a, b] = await Promise.all([run(args), run(args)]);
      const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
      const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).epoch);
      const held =
        winner.code === 0 &&
        loser.code === 2 &&
        loser.problems.length === 1 &&
        /expected options\.runDir a run no other process writes, got '.*', which process \d+ on .* is writing/.test(
          loser.problems[0] ?? '',
        ) &&
        lines.join() === (mode === 'new' ? '1,2,3,4' : '1,2,3,4,5');
      count(`two writers (${mode === 'new' ? 'train' : '--resume'}): the second refused, one clean run`, held);
      expect(held, `${a.stderr}\n---\n${b.stderr}`).toBe(true);
    }
    // a lock left by a process that no longer runs is taken over, with a line saying so
    const dir = join(temporaryDir(), 'stale');
    mkdirSync(dir);
    writeFileSync(
      join(dir, '.lock'),
      JSON.stringify({ pid: 999_999_999, host: (await import('node:os')).hostname(), startedAt: 'then' }),
    );
    const taken = await run(['train', ...tiny, '--dataset', data, '--epochs', '1', '--out', dir]);
    const held =
      taken.code === 0 && /taking over the lock of process 999999999, which no longer runs/.test(taken.stderr);
    count('a stale lock of a dead process is taken over, with a line', held);
    expect(held, taken.stderr).toBe(true);
  }, 300_000);

  it('tampered checkpoints are refused in one line naming the problem, and nothing is lost', async () => {
    const base = join(temporaryDir(), 'base');
    expect((await run(['train', ...tiny, '--dataset', data, '--epochs', '1', '--out', base])).code).toBe(0);
    const tampers: [string, (dir: string) => void, RegExp][] = [
      [
        'latest.json naming a folder outside the run',
        (dir) => writeFileSync(join(dir, 'checkpoints', 'latest.json'), '{"checkpoint": "../../etc"}'),
        /latest\.json to name a checkpoint folder of this run/,
      ],
      [
        'a weight path leading out of the part',
        (dir) => {
          const path = join(dir, 'checkpoints', 'epoch-0001', 'decoder', 'model.json');
          const json = JSON.parse(readFileSync(path, 'utf8'));
          json.weightsManifest[0].paths = ['../../../../etc/passwd'];
          writeFileSync(path, JSON.stringify(json));
        },
        /part 'decoder' weight path a plain file name inside the part folder, got '\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd'/,
      ],
      [
        'weights.bin with 5,000 bytes appended',
        (dir) => appendFileSync(join(dir, 'checkpoints', 'epoch-0001', 'encoder', 'weights.bin'), Buffer.alloc(5000)),
        /part 'encoder' weights exactly \d+ bytes, got \d+ bytes/,
      ],
      [
        'NaN weights',
        (dir) => {
          const path = join(dir, 'checkpoints', 'epoch-0001', 'decoder', 'weights.bin');
          const bytes = readFileSync(path);
          bytes.writeFloatLE(Number.NaN, 8);
          writeFileSync(path, bytes);
        },
        /part 'decoder' weight '.*' finite values, got NaN/,
      ],
      [
        'checkpoint.json batch 1e9',
        (dir) => {
          const path = join(dir, 'checkpoints', 'epoch-0001', 'checkpoint.json');
          writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), batch: 1e9 }));
        },
        /checkpoint\.json batch an integer in \[0, \d+\] \(at most the steps trained, step \d+\), got 1000000000\.$/,
      ],
      [
        'checkpoint.json state.history "zzz"',
        (dir) => {
          const path = join(dir, 'checkpoints', 'epoch-0001', 'checkpoint.json');
          const info = JSON.parse(readFileSync(path, 'utf8'));
          writeFileSync(path, JSON.stringify({ ...info, state: { ...info.state, history: 'zzz' } }));
        },
        /checkpoint\.json state\.history an array of epoch records, got 'zzz'\.$/,
      ],
      [
        'a truncated optimizer.bin',
        (dir) => {
          const path = join(dir, 'checkpoints', 'epoch-0001', 'optimizer.bin');
          writeFileSync(path, readFileSync(path).subarray(0, 24));
        },
        /optimizer\.bin exactly \d+ bytes \(optimizer\.json\), got 24 bytes/,
      ],
    ];
    for (const [name, tamper, message] of tampers) {
      const dir = join(temporaryDir(), 'tampered');
      cpSync(base, dir, { recursive: true });
      tamper(dir);
      const snapshot = readdirSync(join(dir, 'checkpoints', 'epoch-0001'))
        .map((file) => file)
        .join();
      const files = () => ['config.json', 'metrics.jsonl'].map((file) => readFileSync(join(dir, file), 'utf8')).join();
      const before = files();
      const results = await Promise.all([
        run(['train', '--resume', '--epochs', '2', '--out', dir]),
        run(['sample', '--run', dir, '--out', join(dir, 'x.png'), '--backend', 'cpu']),
      ]);
      const optimizerOnly = name === 'a truncated optimizer.bin';
      const refused = results.filter((_, i) => !(optimizerOnly && i === 1));
      const held =
        refused.every(
          (result) => result.code === 2 && result.problems.length === 1 && message.test(result.problems[0] ?? ''),
        ) &&
        readdirSync(join(dir, 'checkpoints', 'epoch-0001')).join() === snapshot &&
        files() === before &&
        !existsSync(join(dir, 'checkpoints', 'epoch-0002'));
      count(`tampered checkpoint refused in one line: ${name}`, held);
      expect(held, results.map((result) => result.stderr).join('\n---\n')).toBe(true);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('bad input gets one line and exit 2 before anything is written', async () => {
    const empty = join(temporaryDir(), 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'train-images-idx3-ubyte'), encodeIdx('uint8', [0, 8, 8], new Uint8Array(0)));
    writeFileSync(join(empty, 'train-labels-idx1-ubyte'), encodeIdx('uint8', [0], new Uint8Array(0)));
    cpSync(join(data, 't10k-images-idx3-ubyte'), join(empty, 't10k-images-idx3-ubyte'));
    cpSync(join(data, 't10k-labels-idx1-ubyte'), join(empty, 't10k-labels-idx1-ubyte'));
    const oneImage = join(temporaryDir(), 'one-image');
    mkdirSync(oneImage);
    const { PNG } = await import('pngjs');
    const png = new PNG({ width: 4, height: 4 });
    writeFileSync(join(oneImage, 'a.png'), PNG.sync.write(png));
    const resumable = join(temporaryDir(), 'resumable');
    expect((await run(['train', ...tiny, '--dataset', data, '--epochs', '1', '--out', resumable])).code).toBe(0);
    const config = JSON.parse(readFileSync(join(resumable, 'config.json'), 'utf8'));
    const badLr = join(temporaryDir(), 'bad-lr');
    cpSync(resumable, badLr, { recursive: true });
    writeFileSync(
      join(badLr, 'config.json'),
      JSON.stringify({ ...config, app: { ...config.app, flags: { ...config.app.flags, lr: -1 } } }),
    );
    const badModel = join(temporaryDir(), 'bad-model');
    cpSync(resumable, badModel, { recursive: true });
    writeFileSync(
      join(badModel, 'config.json'),
      JSON.stringify({ ...config, app: { ...config.app, flags: { ...config.app.flags, model: 'gan' } } }),
    );
    const file = join(temporaryDir(), 'a-file');
    writeFileSync(file, 'x');
    const out = () => join(temporaryDir(), 'never-written');
    const cases: [string, string[], RegExp, string | null][] = [
      [
        'an empty training set (IDX with 0 images)',
        ['train', ...tiny, '--dataset', empty],
        /^fit: expected data\.train at least one item, got '.*' with none\.$/,
        null,
      ],
      [
        'an image folder whose hold-out leaves no training image',
        ['train', ...tiny, '--dataset', oneImage],
        /^fit: expected data\.train at least one item/,
        null,
      ],
      [
        '--seed beyond ±2^53',
        ['train', ...tiny, '--dataset', data, '--seed', '1e30'],
        /^vaejs train: expected --seed an integer in \[0, 9007199254740991\], got '1e30'\.$/,
        null,
      ],
      [
        '--hidden too large for memory',
        ['train', ...tiny, '--dataset', data, '--epochs', '1', '--hidden', '60000', '--max-memory', '64'],
        /^vaejs train: expected a model and training step within --max-memory 64 MB, got about [\d,]+ MB \([\d,]+ parameters\), mostly from --hidden 60000/,
        null,
      ],
      [
        '--codebook-size too large for memory',
        [
          'train',
          '--model',
          'vqvae',
          '--batch-size',
          '16',
          '--backend',
          'cpu',
          '--dataset',
          data,
          '--codebook-size',
          '65536',
          '--code-dim',
          '4096',
        ],
        /mostly from --(codebook-size|code-dim)/,
        null,
      ],
      [
        'config.json with lr -1, on --resume',
        ['train', '--resume', '--epochs', '2'],
        /^vaejs train: expected --lr in .*config\.json a number > 0, got '-1'\.$/,
        badLr,
      ],
      [
        "config.json with model 'gan', on --resume",
        ['train', '--resume', '--epochs', '2'],
        /^vaejs train: expected --model in .*config\.json one of ae, dae, vae, beta-vae, cvae, vqvae, got 'gan'\.$/,
        badModel,
      ],
      [
        '--out naming a file',
        ['train', ...tiny, '--dataset', data],
        /^fit: expected options\.runDir a folder, got '.*', which is a file\.$/,
        file,
      ],
      [
        '--out under a file (ENOTDIR)',
        ['train', ...tiny, '--dataset', data],
        /^vaejs train: could not mkdir '.*a-file\/sub' \(ENOTDIR\): a part of the path is a file, not a folder/,
        join(file, 'sub'),
      ],
    ];
    for (const [name, args, message, dir] of cases) {
      const target = dir ?? out();
      const before = listing(target);
      const result = await run([...args, '--out', target]);
      const nothingWritten = listing(target) === before;
      const held =
        result.code === 2 && result.problems.length === 1 && message.test(result.problems[0] ?? '') && nothingWritten;
      count(`bad input, one line, nothing written: ${name}`, held);
      expect(held, `${name}: ${result.stderr} (before ${before}, after ${listing(target)})`).toBe(true);
    }
  }, 300_000);

  it('a folder the user may not write (EACCES) gets one line naming it, exit 2, nothing written', async () => {
    // root may write anywhere: then the CLI runs as nobody; otherwise as the user, on a folder without write permission
    const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const shared = join(temporaryDir(), 'shared');
    mkdirSync(shared);
    cpSync(data, join(shared, 'data'), { recursive: true });
    const locked = join(shared, 'locked');
    mkdirSync(locked);
    chmodSync(dirname(shared), 0o755);
    chmodSync(shared, 0o755);
    chmodSync(locked, 0o555);
    const result = await finished(
      start(
        ['train', ...tiny, '--dataset', join(shared, 'data'), '--epochs', '1', '--out', join(locked, 'run')],
        asOther,
      ),
    );
    const held =
      result.code === 2 &&
      result.problems.length === 1 &&
      /^vaejs train: could not mkdir '.*locked\/run' \(EACCES\): permission denied: choose a folder you may write/.test(
        result.problems[0] ?? '',
      ) &&
      readdirSync(locked).length === 0;
    count('bad input, one line, nothing written: a folder the user may not write (EACCES)', held);
    expect(held, result.stderr).toBe(true);
  }, 120_000);

  it('a NaN loss in a fresh run names no checkpoint; a run killed before its first checkpoint starts again', async () => {
    const dir = join(temporaryDir(), 'nan-fresh');
    const nan = await run(['train', ...tiny, '--dataset', data, '--epochs', '1', '--lr', '1e30', '--out', dir]);
    const held =
      nan.code === 2 &&
      /no checkpoint was written yet/.test(nan.problems.at(-1) ?? '') &&
      findLatestCheckpoint(dir) === null;
    count('a NaN in the first epoch: the message names no checkpoint', held);
    expect(held, nan.stderr).toBe(true);
    const again = await run(['train', ...tiny, '--dataset', data, '--epochs', '1', '--out', dir]);
    count('a folder without a checkpoint (dead or refused run) starts again', again.code === 0);
    expect(again.code, again.stderr).toBe(0);
  }, 300_000);

  it('a full disk (a tiny tmpfs) stops the run with one line naming the path, and keeps the last checkpoint', async () => {
    const mount = join(temporaryDir(), 'tiny-disk');
    mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160k', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      count('a full disk: not run (mounting a tmpfs needs root)', false);
      console.warn('full-disk case not run: mounting a tmpfs needs root');
      return;
    }
    try {
      const dir = join(mount, 'run');
      const result = await run(['train', ...tiny, '--dataset', data, '--epochs', '30', '--out', dir]);
      const line = result.problems.at(-1) ?? '';
      const held =
        result.code === 2 &&
        result.problems.length === 1 &&
        /^vaejs train: could not (write|open|mkdir|fsync|rename) '.*tiny-disk\/run\/.*' \(ENOSPC\): the disk is full/.test(
          line,
        ) &&
        (findLatestCheckpoint(dir) === null || (await loadsCleanly(dir)));
      count('a full disk: one line naming the path, last checkpoint intact', held);
      expect(held, result.stderr).toBe(true);
    } finally {
      execFileSync('umount', [mount], { stdio: 'ignore' });
    }
  }, 300_000);
});
