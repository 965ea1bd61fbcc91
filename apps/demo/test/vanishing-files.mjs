// Preloaded (`node --import`) into a served process by server-faults.test.ts: a file whose name contains `vanishing`
// is removed just before the server opens it for reading, as a run rotating its checkpoints removes one between the
// server finding a file and reading it. Patches fs and fs/promises, then syncs the ESM named exports.
import fs from 'node:fs';
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

const vanish = (path) => {
  if (String(path).includes('vanishing')) fs.rmSync(path, { force: true });
};
const open = fs.open;
fs.open = (path, ...rest) => {
  vanish(path);
  return open(path, ...rest);
};
const openPromise = fsPromises.open;
fsPromises.open = async (path, ...rest) => {
  vanish(path);
  return openPromise(path, ...rest);
};
syncBuiltinESMExports();
