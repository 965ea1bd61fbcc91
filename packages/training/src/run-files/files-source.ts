/**
 * A run folder held as files (`run-files.ts`), for `createRunReader`, beside `fileRunSource` (Node) and
 * `httpRunSource`: what IndexedDB keeps, a folder dropped on a page, a zip archive — with the reads and checks of
 * the other two.
 */
import type { RunSource } from '../run-folder/run-source';
import { CHECKPOINT_INFO_FILE, CHECKPOINTS_DIR, isCheckpointName } from '../run-format';
import { latestFilesCheckpoint, readFilesCheckpoint } from './files-checkpoints';
import { filesIO } from './files-io';
import { type RunFiles, readJsonFile } from './run-files';

/**
 * The run, checkpoint or model folder that `files` hold (at `folder` inside them: `''`, or a path ending in `/`).
 * @param location how messages name it (`dropped folder vae/`, `indexeddb:vae-mlp/`, `run.zip/`); a final `/` is added
 * @example
 * const files = await readZip(new Uint8Array(await file.arrayBuffer()), file.name);
 * const checkpoint = await reader.locate(filesRunSource(files, `${file.name}/`), { kinds: ['vae'] });
 */
export function filesRunSource(files: RunFiles, location = 'files/', folder = ''): RunSource {
  const base = location.endsWith('/') ? location : `${location}/`;
  const source: RunSource = {
    location: base,
    exists: async () => folder === '' || [...files.keys()].some((path) => path.startsWith(folder)),
    readJson: async (path) => readJsonFile(files, `${folder}${path}`, `${base}${path}`),
    checkpoint: async () =>
      files.has(`${folder}${CHECKPOINT_INFO_FILE}`) ? readFilesCheckpoint(files, folder, base) : null,
    latestCheckpoint: async () => latestFilesCheckpoint(files, folder, base),
    io: (part) => filesIO(files, folder, part, base),
    parentRun() {
      const folderMatch = /^(.*?)([^/]+)\/([^/]+)\/$/.exec(folder === '' ? '' : folder);
      const locationMatch = /^(.*?)([^/]+)\/([^/]+)\/$/.exec(base);
      if (folderMatch?.[2] !== CHECKPOINTS_DIR || !isCheckpointName(folderMatch[3])) return null;
      return filesRunSource(files, locationMatch?.[1] ?? base, folderMatch[1] as string);
    },
  };
  return source;
}
