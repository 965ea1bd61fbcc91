import { ConfigError } from '@vaejs/core';
import { type Fetcher, fetchJsonIfPresent } from './fetching';

/** The three kinds of model the page shows. */
export type ModelRole = 'vae' | 'vqvae' | 'pixelcnn';
export const MODEL_ROLES: readonly ModelRole[] = ['vae', 'vqvae', 'pixelcnn'];
export type BackendChoice = 'webgl' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['webgl', 'wasm', 'cpu'];

/** Where the page reads its models and test images, and which backend it asks for. All URLs absolute. */
export interface DemoSettings {
  /** The models folder (ends with '/'). `?models=` or the built-in `models/`. */
  modelsBase: string;
  /** A run folder, a checkpoint folder or a bare model folder per role; null when switched off. */
  models: Record<ModelRole, string | null>;
  /** The test-image file. */
  testImages: string;
  /** `?backend=`; null: webgl, then wasm, then cpu. */
  backend: BackendChoice | null;
}

/**
 * `index.json` in a models folder (optional): the folder of each role (relative to the models folder; null switches
 * a view off) and the test-image file. Without it: `vae/`, `vqvae/`, `pixelcnn/` and the built-in test images.
 */
export interface ModelsIndex {
  vae?: string | null;
  vqvae?: string | null;
  pixelcnn?: string | null;
  testImages?: string;
}

/**
 * Reads the page's settings from its URL: `?models=<folder>` (e.g. `/user-models/` that `pnpm serve` mounts from
 * VAEJS_MODELS_DIR), `?vae=`, `?vqvae=`, `?pixelcnn=` (folders relative to the models folder, or `none`),
 * `?testImages=`, `?backend=webgl|wasm|cpu`. A role may name a run the training view keeps in this browser: `?vae=idb:vae-mlp`.
 * @param builtIn the page's own models folder, e.g. `new URL('models/', document.baseURI).href`
 * @throws ConfigError for an unknown backend or an index.json that is not an object
 */
export async function readSettings(pageUrl: string, builtIn: string, fetcher: Fetcher): Promise<DemoSettings> {
  const url = new URL(pageUrl);
  const params = url.searchParams;
  const modelsBase = asFolder(new URL(params.get('models') ?? builtIn, pageUrl).href);
  const index = await fetchJsonIfPresent(fetcher, `${modelsBase}index.json`, 'the models index');
  if (index !== null && (typeof index !== 'object' || Array.isArray(index))) {
    throw new ConfigError(
      `${modelsBase}index.json: expected an object like {"vae": "vae/"}, got ${JSON.stringify(index)}.`,
    );
  }
  const entries = (index ?? {}) as ModelsIndex;
  const models = {} as Record<ModelRole, string | null>;
  for (const role of MODEL_ROLES) {
    const given = params.has(role) ? params.get(role) : entries[role] === undefined ? `${role}/` : entries[role];
    models[role] =
      given === null || given === '' || given === 'none' ? null : asFolder(new URL(given, modelsBase).href);
  }
  const testImagesParam = params.get('testImages');
  const testImages = testImagesParam
    ? new URL(testImagesParam, pageUrl).href
    : entries.testImages
      ? new URL(entries.testImages, modelsBase).href
      : new URL('test-images.bin', asFolder(new URL(builtIn, pageUrl).href)).href;
  return { modelsBase, models, testImages, backend: readBackendChoice(pageUrl) };
}

/**
 * `?backend=` alone, read before the rest of the settings so that the backend starts while they load.
 * @throws ConfigError for an unknown backend
 */
export function readBackendChoice(pageUrl: string): BackendChoice | null {
  const backendParam = new URL(pageUrl).searchParams.get('backend');
  if (backendParam !== null && !(BACKEND_CHOICES as readonly string[]).includes(backendParam)) {
    throw new ConfigError(`page: expected ?backend= one of webgl, wasm, cpu, got '${backendParam}'.`);
  }
  return backendParam as BackendChoice | null;
}

function asFolder(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
