#!/usr/bin/env node
// Issue-21 kill campaign: N SIGKILLs at random moments of `vaejs train`, `train --resume`, `encode` and `prior train`
// (tiny runs on MNIST), each followed by what a user does next (`--resume`, or the command again), and a verdict:
//   resumed  the next command finished the run, and what it left is what an uninterrupted run leaves: the same
//            epochs in metrics.jsonl with the same losses, the same weights and optimizer state bit for bit (train,
//            resume, prior train), the same code maps (encode), no leftovers of the killed writer;
//   refused  the next command was refused in one line with exit 2, and nothing was lost: the killed run had no
//            checkpoint yet (it starts again), or a codes folder the kill left half-swapped says where its new maps
//            are (encode again); the command a user then runs finishes as above;
//   lost     anything else: a run that neither resumes nor is refused in one line, a checkpoint accepted that ends
//            elsewhere than an uninterrupted run, a codes folder mixing two encodings accepted, leftovers.
// Prints the tally per command and the wall time; exits 1 when anything was lost. Needs `pnpm build` first.
//   node benchmarks/trainer/kill-campaign.bench.mjs [--n=100] [--seed=1] [--threads=1] [--keep] [--verbose]
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCodeMaps } from '@vaejs/datasets';
import { findLatestCheckpoint, runFormat } from '@vaejs/training';
import { args, cli, jsonLines } from './lib.mjs';

const kills = Number(args.n ?? 100);
const seed = Number(args.seed ?? 1);
const threads = String(args.threads ?? 1);
const verbose = 'verbose' in args;
const work = mkdtempSync(join(tmpdir(), 'vaejs-kill-campaign-'));

// the issue's tiny runs: 40 steps an epoch, a checkpoint every 5 (two kept), so kills land in writes and deletions
const data = ['--limit', '1280', '--test-limit', '128', '--threads', threads];
const vae = ['--model', 'vae', '--hidden', '64', '--latent-dim', '4', '--batch-size', '32', ...data];
const vqvae = ['--model', 'vqvae', '--channels', '4', '--code-dim', '2', '--codebook-size', '8', '--batch-size', '32'];
const prior = ['--channels', '4', '--layers', '1', '--batch-size', '32', '--threads', threads];
const every = ['--checkpoint-every', '5'];
const encodeLimits = ['--limit', '1280', '--test-limit', '128', '--threads', threads];

// helpers: processes

/** A seeded stream of numbers in [0, 1) (mulberry32): the campaign's choices repeat for a seed. */
function createRandom(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Lines on stderr that report progress or a recovery, not a problem. */
const PROGRESS =
  /^(backend:|data:|epoch \d|run folder:|train: |test: |codes: |wrote |nothing to train:|[\w ]+: taking over |fit: removing )/;

/** Runs `vaejs <argv>`; with `killAfter` (ms), SIGKILLs it then unless it ended first. */
function vaejs(argv, killAfter) {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  let killed = false;
  const timer =
    killAfter === undefined
      ? null
      : setTimeout(() => {
          killed = child.kill('SIGKILL');
        }, killAfter);
  // a command still running after 5 minutes hangs: it is killed, and reported as such
  let hung = false;
  const hang = setTimeout(() => {
    hung = child.kill('SIGKILL');
  }, 300_000);
  return new Promise((done) =>
    child.on('close', (code, signal) => {
      clearTimeout(hang);
      if (timer) clearTimeout(timer);
      const problems = stderr.split('\n').filter((line) => line && !PROGRESS.test(line));
      if (hung) problems.push('hung: killed after 5 minutes');
      const ms = performance.now() - started;
      done({ code, signal, killed: killed && !hung && signal === 'SIGKILL', stderr, problems, ms });
    }),
  );
}

/** Runs `vaejs <argv>` to its end; anything but exit 0 stops the campaign (its setup must work). */
async function mustRun(argv) {
  const result = await vaejs(argv);
  if (result.code !== 0)
    throw new Error(`kill campaign: expected vaejs ${argv.join(' ')} to exit 0, got ${result.code}: ${result.stderr}`);
  return result;
}

const refusedInOneLine = (result) =>
  result.code === 2 && result.problems.length === 1 && / expected .*, got /.test(result.problems[0]);

// helpers: what a run or a codes folder holds

/** What an uninterrupted run leaves, to compare with: epochs and losses, and the newest checkpoint's tensors. */
function runState(dir) {
  const records = jsonLines(join(dir, runFormat.METRICS_FILE));
  const checkpoint = findLatestCheckpoint(dir);
  if (!checkpoint) return { records, tensors: null };
  const files = [`${runFormat.OPTIMIZER_STATE}.bin`];
  for (const entry of readdirSync(checkpoint.location, { withFileTypes: true })) {
    if (entry.isDirectory()) files.push(join(entry.name, runFormat.PART_WEIGHTS_FILE));
  }
  const tensors = Object.fromEntries(files.sort().map((file) => [file, readFileSync(join(checkpoint.location, file))]));
  return { records, epoch: checkpoint.info?.epoch, batch: checkpoint.info?.batch ?? 0, tensors };
}

/** Why the run in `dir` differs from the uninterrupted `reference`, or null when it does not. */
function runDiffers(dir, reference) {
  let state;
  try {
    state = runState(dir);
  } catch (error) {
    return `unreadable after the next command: ${error.message}`;
  }
  const losses = (records) => records.map((record) => [record.epoch, record.train_loss, record.test_loss].join(' '));
  if (losses(state.records).join() !== losses(reference.records).join()) {
    return `metrics.jsonl epochs and losses [${losses(state.records)}], uninterrupted [${losses(reference.records)}]`;
  }
  if (!state.tensors) return 'no checkpoint after the next command';
  if (state.epoch !== reference.epoch || state.batch !== 0)
    return `its newest checkpoint is epoch ${state.epoch} batch ${state.batch}`;
  const files = Object.keys(reference.tensors);
  if (Object.keys(state.tensors).join() !== files.join()) return `checkpoint files [${Object.keys(state.tensors)}]`;
  const different = files.filter((file) => !state.tensors[file].equals(reference.tensors[file]));
  return different.length ? `not bit-identical to an uninterrupted run: ${different.join(', ')}` : null;
}

/** True when `dir` holds a checkpoint, or anything a reader takes for one (one it refuses too). */
function hasCheckpoint(dir) {
  try {
    return existsSync(dir) && findLatestCheckpoint(dir) !== null;
  } catch {
    return true;
  }
}

/** Leftovers of a killed writer in a run folder after the next command finished (temporary files, markers). */
function leftovers(dir) {
  const found = [];
  const look = (folder) => {
    if (!existsSync(folder)) return;
    for (const name of readdirSync(folder)) {
      const broken = /^(epoch|step)-\d+$/.test(name) && !existsSync(join(folder, name, runFormat.CHECKPOINT_INFO_FILE));
      if (name.startsWith('.') || broken) found.push(join(folder, name));
    }
  };
  look(dir);
  look(join(dir, runFormat.CHECKPOINTS_DIR));
  look(join(dir, runFormat.PICTURES_DIR));
  return found;
}

const CODE_FILES = ['train-codes.idx', 'test-codes.idx', 'train-labels.idx', 'test-labels.idx'];

/** The code files of a codes folder, as one string per file (null when missing). */
const codeFiles = (dir) =>
  CODE_FILES.map((file) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file)).toString('base64') : null));

/** 'a' or 'b' when the folder loads and is that encoding whole, 'mixed' when it loads mixing them, or the refusal. */
function codesFolderState(dir, encodings) {
  try {
    loadCodeMaps(dir, { split: 'train' });
    loadCodeMaps(dir, { split: 'test' });
  } catch (error) {
    return { refused: error.message };
  }
  const files = codeFiles(dir).join();
  for (const [name, reference] of Object.entries(encodings)) if (files === reference) return { whole: name };
  return { whole: 'mixed' };
}

// the scenarios: what is killed, what a user runs next, what is checked

async function setUp() {
  const started = performance.now();
  console.log(`kill campaign: setting up tiny runs in ${work}`);
  const timed = async (argv) => (await mustRun(argv)).ms;
  const durations = {};
  // train: a new run of 2 epochs; resume: the same run continued from its first epoch
  const train = [...vae, '--epochs', '2', ...every];
  durations.train = await timed(['train', ...train, '--out', join(work, 'ref-train')]);
  await mustRun(['train', ...vae, '--epochs', '1', ...every, '--out', join(work, 'base-resume')]);
  cpSync(join(work, 'base-resume'), join(work, 'ref-resume'), { recursive: true });
  const resume = ['--resume', '--epochs', '2', ...every, '--threads', threads];
  durations.resume = await timed(['train', ...resume, '--out', join(work, 'ref-resume')]);
  // encode: a folder of VQ-VAE a's codes, encoded again with VQ-VAE b (another seed): a mix would show
  for (const name of ['a', 'b']) {
    const seedFlag = ['--seed', name === 'a' ? '0' : '1'];
    await mustRun(['train', ...vqvae, ...data, ...seedFlag, '--epochs', '1', '--out', join(work, `vq-${name}`)]);
  }
  await mustRun(['encode', '--run', join(work, 'vq-a'), '--out', join(work, 'codes-a'), ...encodeLimits]);
  const encodeB = ['encode', '--run', join(work, 'vq-b'), ...encodeLimits];
  durations.encode = await timed([...encodeB, '--out', join(work, 'codes-b')]);
  // prior train: a new prior of 2 epochs on a's codes
  const priorTrain = ['prior', 'train', '--codes', join(work, 'codes-a'), ...prior, '--epochs', '2', ...every];
  durations.prior = await timed([...priorTrain, '--out', join(work, 'ref-prior')]);
  const references = {
    train: runState(join(work, 'ref-train')),
    resume: runState(join(work, 'ref-resume')),
    prior: runState(join(work, 'ref-prior')),
    codes: { a: codeFiles(join(work, 'codes-a')).join(), b: codeFiles(join(work, 'codes-b')).join() },
  };
  const same = runDiffers(join(work, 'ref-resume'), references.train) === null;
  console.log(
    `set up in ${((performance.now() - started) / 1000).toFixed(0)} s; uninterrupted: ${Object.entries(durations)
      .map(([kind, ms]) => `${kind} ${(ms / 1000).toFixed(1)} s`)
      .join(
        ', ',
      )}; a run resumed after its first epoch ${same ? 'ends' : 'does NOT end'} bit-identical to one never stopped`,
  );
  return { durations, references, train, resume, encodeB, priorTrain };
}

/**
 * One kill of `kind` after `delay` ms, in a folder of its own, and its verdict: { outcome, note }. Returns null when
 * the command ended before the kill (the caller draws again).
 */
async function killOnce(kind, delay, index, setup) {
  const dir = join(work, `${String(index).padStart(3, '0')}-${kind}`);
  const { references } = setup;
  if (kind === 'train' || kind === 'resume' || kind === 'prior') {
    const [fresh, next, reference] = {
      train: [['train', ...setup.train], ['train', ...setup.resume], references.train],
      resume: [['train', ...setup.resume], ['train', ...setup.resume], references.resume],
      prior: [
        setup.priorTrain,
        ['prior', 'train', '--codes', join(work, 'codes-a'), ...setup.resume],
        references.prior,
      ],
    }[kind];
    if (kind === 'resume') cpSync(join(work, 'base-resume'), dir, { recursive: true });
    const killed = await vaejs([...fresh, '--out', dir], delay);
    if (!killed.killed) return null;
    const hadCheckpoint = hasCheckpoint(dir);
    const resumed = await vaejs([...next, '--out', dir]);
    let outcome = 'resumed';
    if (resumed.code !== 0) {
      // refused is right only when nothing was there to resume; the user then starts the run again
      if (!refusedInOneLine(resumed) || hadCheckpoint) {
        return { outcome: 'lost', note: `--resume exited ${resumed.code}: ${resumed.problems.join(' / ')}` };
      }
      const again = await vaejs([...(kind === 'resume' ? next : fresh), '--out', dir]);
      if (again.code !== 0) {
        return {
          outcome: 'lost',
          note: `refused (${resumed.problems[0]}), then the run again exited ${again.code}: ${again.problems.join(' / ')}`,
        };
      }
      outcome = 'refused';
    }
    const differs = runDiffers(dir, reference);
    if (differs) return { outcome: 'lost', note: differs };
    const left = leftovers(dir);
    if (left.length) return { outcome: 'lost', note: `left behind: ${left.join(', ')}` };
    return { outcome, note: outcome === 'refused' ? 'no checkpoint yet: refused, started again' : '' };
  }
  // encode: codes-a's folder encoded again with VQ-VAE b, killed
  const codes = join(dir, 'codes');
  cpSync(join(work, 'codes-a'), codes, { recursive: true });
  const killed = await vaejs([...setup.encodeB, '--out', codes], delay);
  if (!killed.killed) return null;
  const state = codesFolderState(codes, references.codes);
  if (state.whole === 'mixed') return { outcome: 'lost', note: 'a folder mixing two encodings loads' };
  let outcome = 'resumed';
  let note = `the folder holds ${state.whole}'s codes whole`;
  if (state.refused) {
    // what a user sees: prior train on the folder, refused in one line
    const out = join(dir, 'prior');
    const refused = await vaejs(['prior', 'train', '--codes', codes, ...prior, '--epochs', '1', '--out', out]);
    if (!refusedInOneLine(refused)) {
      return {
        outcome: 'lost',
        note: `prior train on the killed folder exited ${refused.code}: ${refused.problems.join(' / ')}`,
      };
    }
    outcome = 'refused';
    note = refused.problems[0];
  }
  const again = await vaejs([...setup.encodeB, '--out', codes]);
  if (again.code !== 0)
    return { outcome: 'lost', note: `encode again exited ${again.code}: ${again.problems.join(' / ')}` };
  const after = codesFolderState(codes, references.codes);
  if (after.whole !== 'b') return { outcome: 'lost', note: `encode again left ${JSON.stringify(after)}` };
  const left = readdirSync(dir).filter((name) => name.startsWith('.'));
  if (left.length) return { outcome: 'lost', note: `left beside the codes: ${left.join(', ')}` };
  return { outcome, note };
}

// the campaign

const started = performance.now();
const setup = await setUp();
const random = createRandom(seed);
const kinds = ['train', 'resume', 'encode', 'prior'];
const names = { train: 'train', resume: 'train --resume', encode: 'encode', prior: 'prior train' };
const tally = Object.fromEntries(kinds.map((kind) => [kind, { kills: 0, resumed: 0, refused: 0, lost: 0 }]));
const lost = [];
const campaignStarted = performance.now();
for (let index = 0; index < kills; index++) {
  // the kinds in turn, each kill at a moment drawn over the command's uninterrupted duration
  const kind = kinds[index % kinds.length];
  let verdict = null;
  let delay = 0;
  for (let draw = 0; verdict === null; draw++) {
    // a command that ended before its kill is drawn again, over a shorter span after a few misses
    delay = Math.floor(random() * setup.durations[kind] * (draw < 3 ? 1 : 0.5 ** (draw - 2)));
    rmSync(join(work, `${String(index).padStart(3, '0')}-${kind}`), { recursive: true, force: true });
    verdict = await killOnce(kind, delay, index, setup);
  }
  tally[kind].kills++;
  tally[kind][verdict.outcome]++;
  if (verdict.outcome === 'lost') lost.push(`#${index} ${names[kind]} killed at ${delay} ms: ${verdict.note}`);
  if (verbose || verdict.outcome === 'lost') {
    console.log(
      `#${index} ${names[kind]} killed at ${delay} ms: ${verdict.outcome}${verdict.note ? ` (${verdict.note})` : ''}`,
    );
  } else if ((index + 1) % 10 === 0) {
    console.log(`${index + 1} of ${kills} kills done`);
  }
}

const seconds = (performance.now() - started) / 1000;
const row = (name, counts) =>
  `${name.padEnd(16)}${String(counts.kills).padStart(6)}${String(counts.resumed).padStart(9)}${String(counts.refused).padStart(9)}${String(counts.lost).padStart(6)}`;
const total = { kills: 0, resumed: 0, refused: 0, lost: 0 };
for (const counts of Object.values(tally)) for (const key of Object.keys(total)) total[key] += counts[key];
console.log(
  `\nkill campaign: ${kills} SIGKILLs at random moments (seed ${seed}), each followed by --resume or the command again`,
);
console.log(
  `${'command killed'.padEnd(16)}${'kills'.padStart(6)}${'resumed'.padStart(9)}${'refused'.padStart(9)}${'lost'.padStart(6)}`,
);
for (const kind of kinds) console.log(row(names[kind], tally[kind]));
console.log(row('total', total));
for (const line of lost) console.log(`lost: ${line}`);
console.log(
  `wall time ${seconds.toFixed(0)} s (kills ${((performance.now() - campaignStarted) / 1000).toFixed(0)} s), ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, node ${process.version}`,
);
if ('keep' in args || lost.length) console.log(`runs kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
process.exitCode = lost.length ? 1 : 0;
