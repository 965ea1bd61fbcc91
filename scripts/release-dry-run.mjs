// The release, rehearsed without publishing (CI runs it: scripts/ci.sh): `changeset status` (every changed package
// has a changeset) and `pnpm publish --dry-run` of every public package, which packs it as npm would publish it
// (workspace:* ranges replaced by versions, publishConfig applied) and stops before the upload. Offline-safe: the
// registry is pointed at a closed port, so a step that would reach it fails here rather than on a maintainer's machine.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const pnpm = ['-y', 'pnpm@10.34.8'];
/** Runs pnpm; returns what it printed (npm's notices go to stderr), or throws with it when it fails. */
function run(args, cwd = root) {
  // no retries against the closed port: npm's default backs off for about 70 s per package before giving up
  const env = { ...process.env, npm_config_fetch_retries: '0' };
  const result = spawnSync('npx', [...pnpm, ...args], { cwd, encoding: 'utf8', timeout: 300_000, env });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0)
    throw new Error(`pnpm ${args.join(' ')} (in ${cwd}) exited with ${result.status}\n${output}`);
  return output;
}

run(['exec', 'changeset', 'status']);
console.log('release dry run: changeset status passed (every changed package has a changeset)');

const folders = ['packages', 'apps'].flatMap((parent) =>
  readdirSync(join(root, parent)).map((name) => join(root, parent, name)),
);
const published = [];
for (const folder of folders) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (manifest.private) continue;
  const output = run(['publish', '--dry-run', '--no-git-checks', '--registry', 'http://127.0.0.1:9/'], folder);
  const files = /total files:\s+(\d+)/.exec(output)?.[1] ?? '?';
  const size = /package size:\s+(.+)/.exec(output)?.[1]?.trim() ?? '?';
  published.push(`${manifest.name}@${manifest.version} (${files} files, ${size})`);
}
if (published.length === 0) throw new Error('release dry run: no public package found');
console.log(`release dry run: pnpm publish --dry-run packs ${published.length} packages: ${published.join(', ')}`);
