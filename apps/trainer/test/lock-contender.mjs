// One contender for a run's lock, run in its own process by lock-race.test.ts: `rounds` times it takes the lock of
// `dir` (the built @vaejs/training), proves it alone holds it (a sentinel file created with O_EXCL while it holds the
// lock), holds it `holdMs`, then either releases it or dies as a killed writer would, leaving a stale lock (the pid of
// a process that never ran). Prints one JSON line: how often it held the lock, was refused, found another holder
// inside (`doubles`), and any other error (`errors`, the first few messages).
import { closeSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const [entry, dir, rounds, holdMs, mode] = process.argv.slice(2);
const { acquireRunLock } = await import(entry);
/** Above the largest pid Linux hands out (2^22): never a running process. */
const DEAD_PID = 2 ** 22 + 7;
const counts = { held: 0, refused: 0, doubles: 0, errors: 0, messages: [] };

const busy = (ms) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
};

for (let round = 0; round < Number(rounds); round++) {
  let release;
  try {
    release = acquireRunLock(dir);
  } catch (error) {
    if (/a run no other process writes/.test(error.message)) {
      counts.refused++;
      busy(Math.random() * Number(holdMs)); // try again a while later, as a user would
    } else {
      counts.errors++;
      if (counts.messages.length < 3) counts.messages.push(String(error.message ?? error));
    }
    continue;
  }
  counts.held++;
  const sentinel = join(dir, 'inside');
  let alone = true;
  try {
    closeSync(openSync(sentinel, 'wx'));
  } catch {
    alone = false;
    counts.doubles++;
  }
  busy(Number(holdMs));
  if (alone) rmSync(sentinel, { force: true });
  if (mode === 'release') {
    release();
  } else {
    // die holding it: the lock stays, naming a process that no longer runs
    const temporary = join(dir, `stale-${process.pid}`);
    writeFileSync(temporary, JSON.stringify({ pid: DEAD_PID, host: hostname(), startedAt: `round ${round}` }));
    renameSync(temporary, join(dir, '.lock'));
  }
  busy(Math.random() * Number(holdMs)); // the next writer starts a while later
}
console.log(JSON.stringify(counts));
