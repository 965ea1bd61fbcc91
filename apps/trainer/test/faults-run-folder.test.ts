// The fault-injection suite, round two (issue 21): what an adversarial pass still broke, done again on every CI run.
// Kills at exact system calls (strace -e inject), readers racing a writer that rotates its checkpoints, tampered
// checkpoints and code maps, and small bad inputs. The built CLI runs in child processes on tiny data (cpu backend).
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTally, epochsOf, finished, run, start, tiny } from './cli-process';
import { requireStrace, temporaryDir, writeTinyIdxDataset } from './fixtures';

const tally = createTally();
let data: string;

beforeAll(() => {
  data = writeTinyIdxDataset(join(temporaryDir(), 'tiny'), 256);
});

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
});
