import { ConfigError } from '@vaejs/core';
import { describeRun } from './about-panel';
import { type BackendReport, chooseBackend, useLocalWasm } from './backend';
import { type Fetcher, fetchOk, onceFetcher } from './fetching';
import { type DemoModels, loadModels, prefetchModels } from './models';
import { createErrorList } from './notices';
import { type ModelRole, readBackendChoice, readSettings } from './settings';
import { mountTabs } from './tabs';
import { parseTestSet, type TestSet } from './test-set';
import { el } from './ui';
import { modelViews } from './views/catalogue';
import './style.css';

const byId = (id: string) => document.getElementById(id) as HTMLElement;
const views = byId('views');
const nav = byId('nav');
const backendBadge = byId('backend');

/** Shows an error on the page (never a blank page): one element per failure, in the error list under the tabs. */
const showError = createErrorList(byId('errors'));
window.addEventListener('error', (event) => showError(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showError(event.reason));

async function loadTestSet(url: string): Promise<TestSet | string> {
  try {
    const response = await fetchOk(fetch, url, 'the test images');
    return parseTestSet(await response.arrayBuffer(), url);
  } catch (error) {
    showError(error);
    return (error as Error).message;
  }
}

/**
 * The training view (`?view=train`): no model is loaded on the main thread, the worker does the work. Loaded on
 * demand, so that the model views do not download it.
 */
async function startTraining(): Promise<void> {
  const { mountTrainView } = await import('./train/train-view');
  const page = (path: string) => new URL(path, document.baseURI).href;
  byId('loading').remove();
  byId('about').hidden = true; // the training view shows its own backend line
  nav.append(
    el('a', { href: './', id: 'nav-models', text: 'Model views' }),
    el('a', { href: '?view=train', id: 'nav-train', text: 'Train', 'aria-current': 'page' }),
  );
  mountTrainView(views, {
    report: showError,
    served: { wasm: page('wasm/'), dataIndex: page('data/index.json'), vqvae: page('models/vqvae/') },
  });
}

async function startBackend(wanted: Parameters<typeof chooseBackend>[0]): Promise<BackendReport> {
  useLocalWasm(new URL('wasm/', document.baseURI).href);
  const backend = await chooseBackend(wanted);
  backendBadge.textContent = `backend: ${backend.name}`;
  backendBadge.title = backend.detail;
  document.body.dataset.backend = backend.name;
  return backend;
}

async function start(): Promise<void> {
  const view = new URLSearchParams(location.search).get('view');
  if (view === 'train') return startTraining();
  if (view !== null) throw new ConfigError(`page: expected ?view= train (or none: the model views), got '${view}'.`);
  // the backend starts while the settings, the test images and the models' files are fetched
  const fetcher = onceFetcher(fetch);
  const backendStarting = startBackend(readBackendChoice(location.href));
  backendStarting.catch(() => undefined); // its failure is reported where it is awaited, not as an unhandled rejection
  const settings = await readSettings(location.href, new URL('models/', document.baseURI).href, fetcher);
  const testSetLoading = loadTestSet(settings.testImages);
  const [backend] = await Promise.all([backendStarting, prefetchModels(fetcher, settings.models)]);
  const { models, prior } = await loadInTwoSteps(fetcher, settings.models);
  const testSet = await testSetLoading;
  for (const role of ['vae', 'vqvae'] as const) if (models.errors[role]) showError(models.errors[role]);
  byId('loading').remove();
  const context = {
    models,
    modelsLoaded: prior,
    testSet: typeof testSet === 'string' ? null : testSet,
    testSetError: typeof testSet === 'string' ? testSet : null,
    backend: backend.name,
    report: showError,
  };
  mountTabs(nav, views, modelViews(context), showError);
  nav.append(el('a', { href: '?view=train', class: 'train-link', text: 'Train your own' }));
  await prior;
  fetcher.clear();
  if (models.errors.pixelcnn) showError(models.errors.pixelcnn);
  describeRun(byId('status'), backend, models, settings.modelsBase);
}

/**
 * The models in two steps: the VAE and the VQ-VAE that the first views need, then the PixelCNN prior (the largest,
 * needed by two views only) while those views draw. `prior` resolves when it has loaded or failed, into `models`.
 */
async function loadInTwoSteps(
  fetcher: Fetcher,
  folders: Record<ModelRole, string | null>,
): Promise<{ models: DemoModels; prior: Promise<void> }> {
  const models = await loadModels(fetcher, { ...folders, pixelcnn: null });
  const prior = loadModels(fetcher, { vae: null, vqvae: null, pixelcnn: folders.pixelcnn }).then((loaded) => {
    models.pixelcnn = loaded.pixelcnn;
    Object.assign(models.sources, loaded.sources);
    Object.assign(models.errors, loaded.errors);
  });
  return { models, prior };
}

start()
  .catch((error) => {
    document.getElementById('loading')?.remove();
    backendBadge.textContent =
      backendBadge.textContent === 'backend: starting…' ? 'backend: none' : backendBadge.textContent;
    showError(error);
  })
  .finally(() => {
    document.body.dataset.ready = 'true';
  });
