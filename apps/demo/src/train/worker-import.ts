/** A run, checkpoint or model folder (or zip) dropped on the page, checked in the training worker and kept. */
import {
  filesRunSource,
  indexedDbRuns,
  type LocatedCheckpoint,
  type RunFiles,
  type RunReader,
  runFilesOf,
  runFormat,
} from '@vaejs/training';
import type { FromWorker, ToWorker } from './protocol';

/** What `importRun` needs of the worker: its run reader and backend, its messages, and the run it trains (if any). */
export interface ImportContext {
  reader: RunReader;
  ensureBackend(): Promise<unknown>;
  post(message: FromWorker): void;
  training(): string | null;
}

/** Checks a dropped folder or zip as the run reader does, then keeps it in IndexedDB under its model's name. */
export async function importRun(message: Extract<ToWorker, { type: 'import' }>, context: ImportContext): Promise<void> {
  try {
    const files = runFilesOf(message.entries, message.name);
    await context.ensureBackend();
    const located = await context.reader.locate(filesRunSource(files, message.name), { fn: message.name });
    const model = await context.reader.load(located, { fn: message.name });
    const config = (model as unknown as { config: { arch?: string } }).config;
    model.dispose();
    const name = located.kind === 'vqvae' ? 'vqvae' : located.kind === 'pixelcnn' ? 'prior' : `vae-${config.arch}`;
    if (context.training() === name) throw new Error(`${message.name}: a ${name} run is training: stop it first`);
    await indexedDbRuns().write(name, asRun(files, located));
    context.post({
      type: 'imported',
      name,
      kind: located.kind,
      location: located.location,
      epoch: located.info?.epoch ?? null,
    });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    context.post({ type: 'error', message: text.split('\n')[0] ?? text, during: 'import' });
  }
}

/** A checkpoint folder on its own becomes a run of that one checkpoint; runs and bare models stay as they are. */
function asRun(files: RunFiles, located: LocatedCheckpoint): RunFiles {
  if (
    !located.info ||
    files.has(`${runFormat.CHECKPOINTS_DIR}/${runFormat.LATEST_FILE}`) ||
    files.has(runFormat.RUN_CONFIG_FILE)
  ) {
    return files;
  }
  const name = located.info.batch
    ? runFormat.stepCheckpointName(located.info.step)
    : runFormat.epochCheckpointName(located.info.epoch);
  const run: RunFiles = new Map(
    [...files].map(([path, bytes]) => [`${runFormat.CHECKPOINTS_DIR}/${name}/${path}`, bytes]),
  );
  run.set(
    `${runFormat.CHECKPOINTS_DIR}/${runFormat.LATEST_FILE}`,
    new TextEncoder().encode(JSON.stringify({ checkpoint: name })),
  );
  return run;
}
