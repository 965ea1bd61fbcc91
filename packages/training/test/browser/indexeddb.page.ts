// Runs in headless Chromium (indexeddb.test.ts): fit writes a run into IndexedDB through `store`, the reader reads it
// back, a reload (a new store on the same record) resumes it bit for bit, and a damaged record is refused in one line.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { createTinyModel, tinyDataset, tinyLoader } from '../../src/__fixtures__/tiny-model';
import {
  createRunReader,
  fit,
  indexedDbRunSource,
  indexedDbRuns,
  openIndexedDbRun,
  RUNS_DATABASE,
  writeZip,
} from '../../src/index';

const data = { train: tinyDataset(40, 1, 'tiny-train'), test: tinyDataset(12, 2, 'tiny-test') };
const quiet = { verbose: 0 as const, batchSize: 8, seed: 3 };

export default async function run() {
  await tf.setBackend('cpu');
  const runs = indexedDbRuns();
  const straight = createTinyModel();
  await fit(straight, data, { ...quiet, epochs: 3 });

  const first = createTinyModel();
  await fit(first, data, { ...quiet, epochs: 2, store: await openIndexedDbRun('tiny', { resume: false }) });
  const names = await runs.names();
  const reader = createRunReader([tinyLoader]);
  const located = await reader.locate(indexedDbRunSource('tiny'), { kinds: ['tiny'] });
  const loaded = (await reader.load(located)) as ReturnType<typeof createTinyModel>;
  const loadedSame = Array.from(loaded.weights()).join() === Array.from(first.weights()).join();

  // a reload: a new model, a new store over the same record
  const again = createTinyModel({ seed: 9 });
  const history = await fit(again, data, {
    ...quiet,
    epochs: 3,
    store: await openIndexedDbRun('tiny', { resume: 'auto' }),
  });
  const resumedSame = Array.from(again.weights()).join() === Array.from(straight.weights()).join();
  const files = await runs.read('tiny');
  const zipBytes = files ? writeZip(files).byteLength : 0;

  // a damaged record: bytes that are not the run folder's
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(RUNS_DATABASE, 1);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const put = (value: unknown, key: string) =>
    new Promise<void>((resolve, reject) => {
      const transaction = db.transaction('runs', 'readwrite');
      transaction.objectStore('runs').put(value, key);
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    });
  await put({ format: 'something else', files: 3 }, 'damaged');
  const truncated = new Map(files ?? []);
  truncated.set('checkpoints/epoch-0003/weights/weights.bin', new Uint8Array(7));
  await put({ format: 'vaejs-run-files', version: 1, files: [...truncated] }, 'truncated');
  db.close();
  const message = async (work: () => Promise<unknown>) => {
    try {
      await work();
      return 'no error';
    } catch (error) {
      return (error as Error).message;
    }
  };
  const damaged = await message(() => openIndexedDbRun('damaged', { resume: 'auto' }));
  const damagedRead = await message(() => reader.locate(indexedDbRunSource('damaged')));
  const truncatedLoad = await message(async () => reader.load(await reader.locate(indexedDbRunSource('truncated'))));
  const none = await message(() => reader.locate(indexedDbRunSource('none')));
  await runs.remove('damaged');
  const after = await runs.names();
  tf.dispose([straight, first, loaded, again].flatMap((model) => model.variables));
  return {
    names,
    location: located.location,
    epoch: located.info?.epoch,
    loadedSame,
    epochs: history.epochs,
    resumedSame,
    zipBytes,
    damaged,
    damagedRead,
    truncatedLoad,
    none,
    after,
  };
}
