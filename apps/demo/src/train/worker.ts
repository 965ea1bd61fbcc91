/// <reference lib="webworker" />
/**
 * The training view's Web Worker: everything that touches tfjs runs here, off the page's main thread, which only draws
 * what this posts. It wires the packages together — @vaejs/backend picks the backend, @vaejs/datasets fetches the data
 * the page serves, the model packages build the model, @vaejs/training's `fit` trains it into a run kept in IndexedDB —
 * and turns their callbacks into messages (protocol.ts). No training logic lives here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BrowserBackendSetup, setupBackend, watchBackendLoss } from '@vaejs/backend';
import { DataError, type TrainableModel } from '@vaejs/core';
import {
  type CodeMapDataset,
  datasetPixelMean,
  datasetPixelVariance,
  encodeCodeMaps,
  type ImageDataset,
} from '@vaejs/datasets';
import {
  createPixelCnn,
  createTwoStageSampler,
  type PixelCnn,
  pixelCnnLoader,
  samplePreviews,
} from '@vaejs/pixelcnn-prior';
import {
  type Callback,
  createPauseSwitch,
  createRunReader,
  fit,
  httpRunSource,
  indexedDbRunSource,
  type LocatedCheckpoint,
  openIndexedDbRun,
  type PauseSwitch,
  type PreviewPicture,
} from '@vaejs/training';
import { createVae, vaeLoader } from '@vaejs/vae';
import { createVqVae, type VqVae, vqVaeLoader } from '@vaejs/vqvae';
import type { FromWorker, ServedFiles, ToWorker } from './protocol';
import { cliRunInfo, priorConfig, runName, vaeConfig, vqVaeConfig } from './recipes';
import type { TrainSettings } from './train-settings';
import { loadData } from './worker-data';
import { importRun } from './worker-import';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const reader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

/** The run in progress: its controls, and what went wrong with its backend, if anything. */
let current: { name: string; pause: PauseSwitch; stop: AbortController; lost: string | null } | null = null;
let backend: { key: string; setup: Promise<BrowserBackendSetup> } | null = null;

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'start') void train(message.settings, message.resume, message.served);
  else if (message.type === 'import') {
    const context = {
      reader,
      ensureBackend: () => ensureBackend(message.backend, message.served),
      post,
      training: () => current?.name ?? null,
    };
    void importRun(message, context);
  } else if (message.type === 'pause' || message.type === 'resume') {
    if (message.type === 'pause') current?.pause.pause();
    else current?.pause.resume();
    post({ type: 'paused', paused: current?.pause.paused ?? false });
  } else if (message.type === 'stop') current?.stop.abort();
  else if (message.type === 'simulate') simulate(message.fault);
};

/** Trains a run of `settings` into IndexedDB (a new one, or the kept one continued), posting what happens. */
async function train(settings: TrainSettings, resume: boolean | 'auto', served: ServedFiles): Promise<void> {
  const name = runName(settings.model);
  const run = { name, pause: createPauseSwitch(), stop: new AbortController(), lost: null as string | null };
  current = run;
  const owned: { dispose(): void }[] = [];
  let unwatch = () => {};
  try {
    const setup = await ensureBackend(settings.backend, served);
    post({ type: 'phase', message: `loading ${settings.dataset}…` });
    const { train: images, test: testImages } = await loadData(settings, served);
    const kept = resume === false ? null : await reader.find(indexedDbRunSource(name)).catch(() => null);
    const { model, data, previews } = await buildModel(
      settings,
      kept,
      { train: images, test: testImages },
      served,
      owned,
    );
    owned.push(model);
    const store = await openIndexedDbRun(name, { resume, guard: () => checkBackend(run) });
    unwatch = watchBackendLoss((reason) => backendDied(run, `${setup.name}: ${reason}`));
    post({ type: 'phase', message: kept ? `continuing the kept run at epoch ${kept.info?.epoch}` : 'training' });
    const history = await fit(model, data, {
      epochs: settings.epochs,
      batchSize: settings.batch,
      learningRate: settings.lr,
      seed: settings.seed,
      store,
      signal: run.stop.signal,
      pause: run.pause,
      logEvery: setup.name === 'wasm' || setup.name === 'cpu' ? 1 : 5,
      keepCheckpoints: 1,
      verbose: 0,
      runInfo: cliRunInfo(settings),
      backendLabel: setup.name,
      previews,
      callbacks: [reporter({ train: data.train.size, test: data.test.size })],
    });
    checkBackend(run);
    post({ type: 'done', stopReason: history.stopReason, epochs: history.epochs, tensors: tf.memory().numTensors });
  } catch (error) {
    if (!run.lost) post({ type: 'error', message: messageOf(error), during: 'training' });
  } finally {
    unwatch();
    for (const each of owned.reverse()) each.dispose();
    if (current === run) current = null;
  }
}

/** The callbacks that turn `fit`'s reports into messages. */
function reporter(sizes: { train: number; test: number }): Callback {
  return {
    onTrainBegin(context) {
      post({
        type: 'begin',
        epochs: context.epochs,
        stepsPerEpoch: context.stepsPerEpoch,
        startEpoch: context.startEpoch,
        step: (context.startEpoch - 1) * context.stepsPerEpoch,
        history: [...context.history],
        trainSize: sizes.train,
        testSize: sizes.test,
      });
    },
    onBatchEnd(logs) {
      if (!logs.losses) return;
      post({
        type: 'step',
        epoch: logs.epoch,
        step: logs.step,
        losses: logs.losses,
        itemsPerSecond: logs.itemsPerSecond ?? 0,
        tensors: tf.memory().numTensors,
      });
    },
    onPreviews(epoch, pictures) {
      const transfer = Object.values(pictures).flatMap((picture) =>
        'images' in picture ? [picture.images.buffer] : [],
      );
      post(
        { type: 'previews', epoch, pictures: pictures as Record<string, PreviewPicture> },
        transfer as ArrayBuffer[],
      );
    },
    onEpochEnd(record) {
      // the epoch's checkpoint is kept by now (fit writes it before onEpochEnd)
      post({ type: 'epoch', record, saved: `epoch ${record.epoch}`, tensors: tf.memory().numTensors });
    },
  };
}

/** The model of a run, its data (images, or a prior's code maps), and how its pictures are drawn. */
async function buildModel(
  settings: TrainSettings,
  kept: LocatedCheckpoint | null,
  images: { train: ImageDataset; test: ImageDataset },
  served: ServedFiles,
  owned: { dispose(): void }[],
): Promise<{
  model: TrainableModel;
  data: { train: ImageDataset | CodeMapDataset; test: ImageDataset | CodeMapDataset };
  previews: true | ReturnType<typeof samplePreviews>;
}> {
  // a kept run continues with its own model config (as `vaejs train --resume`); a new one is built from the settings
  const fromKept = kept ? () => reader.create(kept.kind, kept.manifest.config) : null;
  const shape = images.train.imageShape;
  if (settings.model === 'vae-mlp' || settings.model === 'vae-conv') {
    return { model: fromKept?.() ?? createVae(vaeConfig(settings, shape)), data: images, previews: true };
  }
  if (settings.model === 'vqvae') {
    const model =
      fromKept?.() ??
      createVqVae(vqVaeConfig(settings, shape, datasetPixelVariance(images.train), datasetPixelMean(images.train)));
    return { model, data: images, previews: true };
  }
  post({ type: 'phase', message: 'loading the VQ-VAE whose codes the prior learns…' });
  const vqvae = await currentVqVae(served);
  owned.push(vqvae);
  post({ type: 'phase', message: `encoding ${images.train.size + images.test.size} images as code maps…` });
  const train = await encodeCodeMaps(images.train, vqvae);
  const test = await encodeCodeMaps(images.test, vqvae);
  const [height, width] = vqvae.latentShape;
  const maps = { numCategories: vqvae.config.codebookSize, height, width, numClasses: images.train.numClasses };
  const prior = (fromKept?.() ?? createPixelCnn(priorConfig(settings, maps))) as PixelCnn;
  const sampler = createTwoStageSampler(prior, vqvae);
  if (sampler.mismatch) {
    prior.dispose();
    throw new DataError(`prior: the kept prior does not fit the current VQ-VAE (${sampler.mismatch}); start a new run`);
  }
  // a conditional prior's labels cycle through its classes: as many columns put one class in each
  const classes = prior.config.numClasses;
  const grid = classes > 0 ? { count: 3 * classes, columns: classes } : { count: 32, columns: 8 };
  return { model: prior, data: { train, test }, previews: samplePreviews(sampler, grid) };
}

/** The page's current VQ-VAE: the one trained here (kept in IndexedDB), else the page's own. */
async function currentVqVae(served: ServedFiles): Promise<VqVae> {
  const kept = indexedDbRunSource(runName('vqvae'));
  const source = (await kept.exists()) ? kept : httpRunSource(served.vqvae);
  return (await reader.load(await reader.locate(source, { kinds: ['vqvae'], fn: 'prior: the VQ-VAE' }))) as VqVae;
}

/** The backend, set up once per worker (again only when another one is asked for). */
async function ensureBackend(wanted: TrainSettings['backend'], served: ServedFiles): Promise<BrowserBackendSetup> {
  const key = wanted ?? 'auto';
  if (backend?.key !== key) {
    post({ type: 'phase', message: 'setting up the backend…' });
    const threads = Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1));
    const setup = setupBackend({ backend: key, wasmPaths: served.wasm, threads });
    backend = { key, setup };
    setup.catch(() => {
      backend = null;
    });
  }
  const setup = await backend.setup;
  post({ type: 'backend', name: setup.name, summary: setup.summary });
  return setup;
}

/** Throws when the run's backend died (so that nothing it computed since is kept). */
function checkBackend(run: { lost: string | null; stop: AbortController }): void {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
  if (!run.lost && gl?.isContextLost()) backendDied(run, `${tf.getBackend()}: the ${tf.getBackend()} context was lost`);
  if (run.lost) throw new Error(lostMessage(run.lost));
}

/**
 * The run's backend died: stop it, and say so at once — work in flight on a lost context may never finish (a read-back
 * waits forever), so the page does not wait for `fit` but replaces this worker.
 */
function backendDied(run: { lost: string | null; stop: AbortController }, reason: string): void {
  if (run.lost) return;
  run.lost = reason;
  run.stop.abort();
  post({ type: 'error', message: lostMessage(reason), during: 'training', fatal: true });
}

function lostMessage(lost: string): string {
  return `${lost}; training stopped, the last checkpoint kept is unchanged`;
}

/** Test hook: loses the WebGL context as a driver reset would. */
function simulate(fault: 'lose-context'): void {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
  const extension = gl?.getExtension('WEBGL_lose_context');
  if (fault === 'lose-context' && extension) extension.loseContext();
  else post({ type: 'error', message: `simulate: no WebGL context to lose on ${tf.getBackend()}`, during: 'training' });
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
