/**
 * The training view's settings, read from and written to the URL so that a link reproduces a run:
 * `?view=train&model=vae-mlp&dataset=mnist&limit=4096&epochs=1&batch=128&seed=1&autostart=1`. The names are a contract
 * (scripts and links rely on them); each value is checked with one line naming the parameter.
 */
import { ConfigError } from '@vaejs/core';

export const TRAIN_MODELS = ['vae-mlp', 'vae-conv', 'vqvae', 'prior'] as const;
export type TrainModel = (typeof TRAIN_MODELS)[number];
export const TRAIN_DATASETS = ['mnist', 'fashion-mnist'] as const;
export type TrainDataset = (typeof TRAIN_DATASETS)[number];
export const TRAIN_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type TrainBackend = (typeof TRAIN_BACKENDS)[number];

/** What a run trains and how; every field is set (defaults per model). */
export interface TrainSettings {
  model: TrainModel;
  dataset: TrainDataset;
  /** The first `limit` training images (0: all). */
  limit: number;
  /** The first `testLimit` test images (0: all 10,000). */
  testLimit: number;
  epochs: number;
  batch: number;
  lr: number;
  /** The KL weight of a VAE (1: the ELBO); a VQ-VAE's commitment weight. */
  beta: number;
  seed: number;
  /** null: the best this browser offers (`@vaejs/backend`'s choice). */
  backend: TrainBackend | null;
  autostart: boolean;
  /** A VAE's latent size (2 draws the manifold). */
  latent: number;
  /** A prior conditioned on the class labels. */
  conditional: boolean;
  /** A prior's channels and gated layers. */
  channels: number;
  layers: number;
}

/** Each model's defaults: sizes a page trains in minutes on a laptop's CPU (the CLI's defaults where they fit). */
export const TRAIN_DEFAULTS: Readonly<Record<TrainModel, Readonly<TrainSettings>>> = Object.freeze({
  'vae-mlp': base('vae-mlp', { limit: 0, epochs: 3, latent: 20 }),
  'vae-conv': base('vae-conv', { limit: 10_000, epochs: 2, latent: 16 }),
  vqvae: base('vqvae', { limit: 10_000, epochs: 2, beta: 0.25 }),
  prior: base('prior', { limit: 10_000, epochs: 4, batch: 64, lr: 0.003, channels: 32, layers: 4 }),
});

/** The URL parameters of the view, in the order a link writes them. */
const PARAMETERS = [
  'model',
  'dataset',
  'limit',
  'testLimit',
  'epochs',
  'batch',
  'lr',
  'beta',
  'seed',
  'backend',
  'latent',
  'conditional',
  'channels',
  'layers',
] as const;

/**
 * The settings of `?view=train…`: each parameter given, the model's defaults for the rest.
 * @throws ConfigError for the first bad value, e.g. `page: expected ?model= one of vae-mlp, vae-conv, vqvae, prior, got 'gan'.`
 */
export function readTrainSettings(search: string): TrainSettings {
  const params = new URLSearchParams(search);
  const model = oneOf(params, 'model', TRAIN_MODELS) ?? 'vae-mlp';
  const defaults = TRAIN_DEFAULTS[model];
  const backend = oneOf(params, 'backend', TRAIN_BACKENDS);
  return {
    model,
    dataset: oneOf(params, 'dataset', TRAIN_DATASETS) ?? defaults.dataset,
    limit: integer(params, 'limit', 0, 60_000) ?? defaults.limit,
    testLimit: integer(params, 'testLimit', 0, 10_000) ?? defaults.testLimit,
    epochs: integer(params, 'epochs', 1, 1000) ?? defaults.epochs,
    batch: integer(params, 'batch', 1, 4096) ?? defaults.batch,
    lr: number(params, 'lr', 1e-7, 10) ?? defaults.lr,
    beta: number(params, 'beta', 0, 1000) ?? defaults.beta,
    seed: integer(params, 'seed', 0, 2 ** 31 - 1) ?? defaults.seed,
    backend,
    autostart: flag(params, 'autostart') ?? false,
    latent: integer(params, 'latent', 1, 512) ?? defaults.latent,
    conditional: flag(params, 'conditional') ?? defaults.conditional,
    channels: integer(params, 'channels', 1, 256) ?? defaults.channels,
    layers: integer(params, 'layers', 1, 16) ?? defaults.layers,
  };
}

/**
 * The settings when the form switches to another model: that model's defaults, all of them (a prior's channels and
 * layers too, which the form does not show), with the data set, the test images and the backend kept.
 */
export function switchModel(settings: TrainSettings, model: TrainModel): TrainSettings {
  return {
    ...TRAIN_DEFAULTS[model],
    dataset: settings.dataset,
    testLimit: settings.testLimit,
    backend: settings.backend,
  };
}

/**
 * The query of a run's settings (`view=train&model=…`), leaving out the ones at the model's defaults but `model`,
 * `limit`, `epochs`, `batch` and `seed`, so that a link says what it runs.
 */
export function trainQuery(settings: TrainSettings, options: { autostart?: boolean } = {}): string {
  const defaults = TRAIN_DEFAULTS[settings.model];
  const always = new Set(['model', 'dataset', 'limit', 'epochs', 'batch', 'seed']);
  const params = new URLSearchParams({ view: 'train' });
  for (const name of PARAMETERS) {
    const value = settings[name];
    if (value === null || (!always.has(name) && value === defaults[name])) continue;
    params.set(name, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  if (options.autostart) params.set('autostart', '1');
  return params.toString();
}

// helpers

function base(model: TrainModel, overrides: Partial<TrainSettings>): Readonly<TrainSettings> {
  return Object.freeze({
    model,
    dataset: 'mnist',
    limit: 0,
    testLimit: 0,
    epochs: 1,
    batch: 128,
    lr: 0.001,
    beta: 1,
    seed: 1,
    backend: null,
    autostart: false,
    latent: 20,
    conditional: false,
    channels: 64,
    layers: 6,
    ...overrides,
  });
}

function fail(name: string, expected: string, value: string): never {
  throw new ConfigError(`page: expected ?${name}= ${expected}, got '${value}'.`);
}

function oneOf<T extends string>(params: URLSearchParams, name: string, choices: readonly T[]): T | null {
  const value = params.get(name);
  if (value === null || value === '') return null;
  if (!(choices as readonly string[]).includes(value)) fail(name, `one of ${choices.join(', ')}`, value);
  return value as T;
}

function integer(params: URLSearchParams, name: string, min: number, max: number): number | null {
  const value = params.get(name);
  if (value === null || value === '') return null;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) fail(name, `an integer in [${min}, ${max}]`, value);
  return parsed;
}

function number(params: URLSearchParams, name: string, min: number, max: number): number | null {
  const value = params.get(name);
  if (value === null || value === '') return null;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) fail(name, `a number in [${min}, ${max}]`, value);
  return parsed;
}

function flag(params: URLSearchParams, name: string): boolean | null {
  const value = params.get(name);
  if (value === null) return null;
  if (value === '1' || value === '' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  return fail(name, '1 or 0', value);
}
