import type * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '@vaejs/core';
import { loadPixelCnn, type PixelCnn } from '@vaejs/pixelcnn-prior';
import { loadVae, type Vae } from '@vaejs/vae';
import { loadVqVae, type VqVae } from '@vaejs/vqvae';
import { type Fetcher, fetchJsonIfPresent } from './fetching';
import { MODEL_ROLES, type ModelRole } from './settings';

/** What the trainer writes as `checkpoint.json` in each checkpoint folder (the fields the page reads). */
export interface CheckpointInfo {
  format: 'vaejs-checkpoint';
  kind: string;
  epoch?: number;
  step?: number;
}

/** Where a role's model files are: the checkpoint folder (ends with '/') and its `checkpoint.json`, if any. */
export interface CheckpointLocation {
  checkpointUrl: string;
  info: CheckpointInfo | null;
  /** The model manifest (`vae.json`, `vqvae.json` or `pixelcnn.json`). */
  manifest: unknown;
}

/**
 * Finds a role's model in `folder`: a trainer run folder (`checkpoints/latest.json` names the checkpoint), or a
 * checkpoint folder (`checkpoint.json` + `<role>.json` + one folder per part), or a bare folder with `<role>.json`.
 * @throws CheckpointError when nothing is there, when the checkpoint is of another kind, or when a file is unreadable
 */
export async function locateCheckpoint(fetcher: Fetcher, role: ModelRole, folder: string): Promise<CheckpointLocation> {
  const latest = (await fetchJsonIfPresent(fetcher, `${folder}checkpoints/latest.json`, 'checkpoints/latest.json')) as {
    checkpoint?: unknown;
  } | null;
  let checkpointUrl = folder;
  if (latest !== null) {
    if (typeof latest?.checkpoint !== 'string' || latest.checkpoint.includes('/')) {
      throw new CheckpointError(
        `${role}: expected ${folder}checkpoints/latest.json like {"checkpoint": "epoch-0003"}, got ${JSON.stringify(latest)}.`,
      );
    }
    checkpointUrl = `${folder}checkpoints/${latest.checkpoint}/`;
  }
  const info = (await fetchJsonIfPresent(
    fetcher,
    `${checkpointUrl}checkpoint.json`,
    'checkpoint.json',
  )) as CheckpointInfo | null;
  if (info !== null) {
    if (info?.format !== 'vaejs-checkpoint') {
      throw new CheckpointError(
        `${role}: expected ${checkpointUrl}checkpoint.json format 'vaejs-checkpoint', got ${JSON.stringify(info?.format)}.`,
      );
    }
    if (info.kind !== role) {
      throw new CheckpointError(
        `${role}: expected a ${role} checkpoint at ${checkpointUrl}, got a ${info.kind} one (wrong kind of model).`,
      );
    }
  }
  const manifestUrl = `${checkpointUrl}${role}.json`;
  const manifest = await fetchJsonIfPresent(fetcher, manifestUrl, `${role}.json`);
  if (manifest !== null) return { checkpointUrl, info, manifest };
  for (const other of MODEL_ROLES.filter((candidate) => candidate !== role)) {
    if ((await fetchJsonIfPresent(fetcher, `${checkpointUrl}${other}.json`, `${other}.json`)) !== null) {
      throw new CheckpointError(
        `${role}: expected a ${role} model at ${checkpointUrl}, got a ${other} one (${other}.json; wrong kind of model).`,
      );
    }
  }
  const looked = latest === null && info === null ? 'checkpoints/latest.json, checkpoint.json or ' : '';
  throw new CheckpointError(`${role}: no model at ${checkpointUrl} (found no ${looked}${role}.json).`);
}

/** The models the page runs; each is null when not configured or when it failed to load (see `errors`). */
export interface DemoModels {
  vae: Vae | null;
  vqvae: VqVae | null;
  pixelcnn: PixelCnn | null;
  /** Where each loaded model came from. */
  sources: Partial<Record<ModelRole, CheckpointLocation>>;
  /** Why a configured model is missing, one message per role. */
  errors: Partial<Record<ModelRole, string>>;
}

/** Loads one role's model from its folder through tfjs' http handler (`<checkpoint>/<part>/model.json`). */
export async function loadRole(
  fetcher: Fetcher,
  role: ModelRole,
  folder: string,
): Promise<{ model: Vae | VqVae | PixelCnn; location: CheckpointLocation }> {
  const location = await locateCheckpoint(fetcher, role, folder);
  const partUrl = (part: string) => `${location.checkpointUrl}${part}/model.json`;
  const load = { vae: loadVae, vqvae: loadVqVae, pixelcnn: loadPixelCnn }[role] as (
    manifest: unknown,
    io: (part: string) => tf.io.IOHandler | string,
  ) => Promise<Vae | VqVae | PixelCnn>;
  try {
    return { model: await load(location.manifest, partUrl), location };
  } catch (error) {
    throw new CheckpointError(`${role}: ${(error as Error).message} (model at ${location.checkpointUrl})`);
  }
}

/** Loads every configured role; failures are collected in `errors`, never thrown. */
export async function loadModels(fetcher: Fetcher, folders: Record<ModelRole, string | null>): Promise<DemoModels> {
  const models: DemoModels = { vae: null, vqvae: null, pixelcnn: null, sources: {}, errors: {} };
  for (const role of MODEL_ROLES) {
    const folder = folders[role];
    if (folder === null) continue;
    try {
      const { model, location } = await loadRole(fetcher, role, folder);
      (models as unknown as Record<ModelRole, unknown>)[role] = model;
      models.sources[role] = location;
    } catch (error) {
      models.errors[role] = (error as Error).message;
    }
  }
  return models;
}

/**
 * Why a PixelCNN prior cannot be decoded by a VQ-VAE (its maps must have the VQ-VAE's code-map size and codebook),
 * or null when they fit.
 */
export function priorMismatch(vqvae: VqVae, prior: PixelCnn): string | null {
  const [height, width] = vqvae.latentShape;
  const { numCategories, height: priorHeight, width: priorWidth } = prior.config;
  if (numCategories === vqvae.config.codebookSize && priorHeight === height && priorWidth === width) return null;
  return (
    `pixelcnn: expected a prior over the VQ-VAE's ${height}×${width} maps of ${vqvae.config.codebookSize} codes, ` +
    `got ${priorHeight}×${priorWidth} maps of ${numCategories} codes.`
  );
}
