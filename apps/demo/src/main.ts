import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@vaejs/core';
import { type BackendReport, chooseBackend, useLocalWasm } from './backend';
import { fetchOk } from './fetching';
import { type DemoModels, loadModels } from './models';
import { MODEL_ROLES, readSettings } from './settings';
import { parseTestSet, type TestSet } from './test-set';
import { mountTrainView } from './train/train-view';
import { el, section } from './ui';
import { mountBench } from './views/bench';
import { mountCodeMap } from './views/code-map';
import type { ViewContext } from './views/context';
import { mountInterpolation } from './views/interpolation';
import { mountManifold } from './views/manifold';
import { mountPixelCnn } from './views/pixelcnn';
import { mountReconstruction } from './views/reconstruction';
import { mountSamples } from './views/samples';
import './style.css';

const errors = document.getElementById('errors') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
const views = document.getElementById('views') as HTMLElement;
const backendBadge = document.getElementById('backend') as HTMLElement;

/** Shows an error on the page (never a blank page): the message, and the error's name when it is one of ours. */
function showError(error: unknown): void {
  const text = error instanceof Error ? error.message : String(error);
  errors.append(el('li', { class: 'error', text }));
  errors.hidden = false;
  document.body.dataset.errors = String(errors.children.length);
  console.error(error);
}
window.addEventListener('error', (event) => showError(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showError(event.reason));

function describeModels(models: DemoModels): void {
  const list = el('ul', { id: 'model-list' });
  for (const role of MODEL_ROLES) {
    const model = models[role];
    const source = models.sources[role];
    const failure = models.errors[role];
    let text: string;
    if (model && source) {
      const epoch = source.info?.epoch === undefined ? '' : `, epoch ${source.info.epoch}`;
      const config = model.config as unknown as Record<string, unknown>;
      const details =
        role === 'vae'
          ? `${config.kind} ${config.arch}, latentDim ${config.latentDim}`
          : role === 'vqvae'
            ? `K = ${config.codebookSize} codes of D = ${config.dim}`
            : `${config.architecture}, ${config.height}×${config.width} maps of ${config.numCategories} codes`;
      text = `${role}: ${details}${epoch} (${source.location})`;
    } else text = failure ?? `${role}: not configured`;
    list.append(el('li', { 'data-role': role, class: failure ? 'error' : '', text }));
    if (failure) showError(failure);
  }
  status.append(list);
}

async function loadTestSet(url: string): Promise<TestSet> {
  const response = await fetchOk(fetch, url, 'the test images');
  return parseTestSet(await response.arrayBuffer(), url);
}

/** The training view (`?view=train`): no model is loaded on the main thread, the worker does the work. */
function startTraining(): void {
  const page = (path: string) => new URL(path, document.baseURI).href;
  backendBadge.textContent = 'training view';
  mountTrainView(views, {
    report: showError,
    served: { wasm: page('wasm/'), dataIndex: page('data/index.json'), vqvae: page('models/vqvae/') },
  });
}

async function start(): Promise<void> {
  const view = new URLSearchParams(location.search).get('view');
  const nav = document.getElementById('nav') as HTMLElement;
  nav.append(
    el('a', { href: './', id: 'nav-models', text: 'Models' }),
    el('a', { href: '?view=train', id: 'nav-train', text: 'Train' }),
  );
  if (view === 'train') return startTraining();
  if (view !== null) throw new ConfigError(`page: expected ?view= train (or none: the model views), got '${view}'.`);
  const builtIn = new URL('models/', document.baseURI).href;
  const settings = await readSettings(location.href, builtIn, fetch);
  useLocalWasm(new URL('wasm/', document.baseURI).href);
  let backend: BackendReport;
  try {
    backend = await chooseBackend(settings.backend);
  } finally {
    backendBadge.textContent = `backend: ${tf.getBackend() ?? 'none'}`;
  }
  backendBadge.textContent = `backend: ${backend.name}`;
  backendBadge.title = backend.detail;
  document.body.dataset.backend = backend.name;
  status.append(
    el('p', {
      id: 'backend-detail',
      class: 'note',
      text: `tfjs ${tf.version_core}, ${backend.name}: ${backend.detail}${backend.skipped.length ? ` (skipped ${backend.skipped.join('; ')})` : ''}`,
    }),
  );
  status.append(el('p', { class: 'note', text: `models from ${settings.modelsBase}` }));

  let testSet: TestSet | null = null;
  let testSetError: string | null = null;
  try {
    testSet = await loadTestSet(settings.testImages);
  } catch (error) {
    testSetError = (error as Error).message;
    showError(error);
  }
  const models = await loadModels(fetch, settings.models);
  describeModels(models);
  const context: ViewContext = { models, testSet, testSetError, report: showError };
  const mounts: [string, string, string, (body: HTMLElement) => void][] = [
    [
      'view-reconstruction',
      'Reconstructions',
      'Pick a test image: it is encoded and decoded.',
      (b) => mountReconstruction(b, context),
    ],
    [
      'view-samples',
      'Samples from the prior',
      'z ~ N(0, I) with a seed, decoded by the VAE.',
      (b) => mountSamples(b, context),
    ],
    [
      'view-interpolation',
      'Interpolation',
      'Slide between the codes of two images.',
      (b) => mountInterpolation(b, context),
    ],
    [
      'view-manifold',
      'Latent manifold',
      'The decoded 2-D latent space and where the test images land.',
      (b) => mountManifold(b, context),
    ],
    [
      'view-codemap',
      'VQ-VAE code map',
      'Edit the discrete code map of an image and see it decoded.',
      (b) => mountCodeMap(b, context),
    ],
    [
      'view-pixelcnn',
      'PixelCNN samples',
      'The prior draws codes one position at a time; the VQ-VAE decodes them.',
      (b) => mountPixelCnn(b, context),
    ],
    [
      'view-bench',
      'Benchmark',
      'Time to decode the 20×20 grid and to sample 16 PixelCNN maps, per backend.',
      (b) => mountBench(b, context, backend.name),
    ],
  ];
  for (const [id, title, blurb, mount] of mounts) {
    nav.append(el('a', { href: `#${id}`, text: title }));
    try {
      mount(section(views, id, title, blurb));
    } catch (error) {
      showError(error);
    }
  }
}

start()
  .catch(showError)
  .finally(() => {
    document.body.dataset.ready = 'true';
  });
