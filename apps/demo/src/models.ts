import type * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '@vaejs/core';
import { loadPixelCnn, type PixelCnn } from '@vaejs/pixelcnn-prior';
import { type CheckpointInfo, httpIO, runFormat } from '@vaejs/training';
import { loadVae, type Vae } from '@vaejs/vae';
import { loadVqVae, type VqVae } from '@vaejs/vqvae';
import { type Fetcher, fetchJsonIfPresent } from './fetching';
import { MODEL_ROLES, type ModelRole } from './settings';

const LATEST = `${runFormat.CHECKPOINTS_DIR}/${runFormat.LATEST_FILE}`;

/** Where a role's model files are: the checkpoint folder (ends with '/') and its `checkpoint.json`, if any. */
export interface CheckpointLocation {
  checkpointUrl: string;
  info: CheckpointInfo | null;
  /** The model manifest (`vae.json`, `vqvae.json` or `pixelcnn.json`). */
  manifest: unknown;
}

/** Runs a check of @vaejs/training's run format; its CheckpointError gets the role in front, as the page's others. */
function checked<T>(role: ModelRole, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new CheckpointError(`${role}: ${(error as Error).message}`);
  }
}

/**
 * Finds a role's model in `folder`: a trainer run folder (`checkpoints/latest.json` names the checkpoint), or a
 * checkpoint folder (`checkpoint.json` + `<role>.json` + one folder per part), or a bare folder with `<role>.json`.
 * Read with the rules of @vaejs/training's run format: `latest.json` may name only an `epoch-…`/`step-…` folder of
 * the same run, and `checkpoint.json` must be a whole one.
 * @throws CheckpointError when nothing is there, when the checkpoint is of another kind, or when a file is unreadable
 */
export async function locateCheckpoint(fetcher: Fetcher, role: ModelRole, folder: string): Promise<CheckpointLocation> {
  const latestUrl = `${folder}${LATEST}`;
  const latest = await fetchJsonIfPresent(fetcher, latestUrl, LATEST);
  let checkpointUrl = folder;
  if (latest !== null) {
    const name = checked(role, () => runFormat.parseLatest(latest, latestUrl));
    checkpointUrl = `${folder}${runFormat.CHECKPOINTS_DIR}/${name}/`;
  }
  const infoUrl = `${checkpointUrl}${runFormat.CHECKPOINT_INFO_FILE}`;
  const infoJson = await fetchJsonIfPresent(fetcher, infoUrl, runFormat.CHECKPOINT_INFO_FILE);
  const info = infoJson === null ? null : checked(role, () => runFormat.checkCheckpointInfo(infoJson, infoUrl));
  if (info !== null && info.kind !== role) {
    throw new CheckpointError(
      `${role}: expected a ${role} checkpoint at ${checkpointUrl}, got a ${info.kind} one (wrong kind of model).`,
    );
  }
  const manifestName = runFormat.manifestFileName(role);
  const manifest = await fetchJsonIfPresent(fetcher, `${checkpointUrl}${manifestName}`, manifestName);
  if (manifest !== null) return { checkpointUrl, info, manifest };
  for (const other of MODEL_ROLES.filter((candidate) => candidate !== role)) {
    const otherName = runFormat.manifestFileName(other);
    if ((await fetchJsonIfPresent(fetcher, `${checkpointUrl}${otherName}`, otherName)) !== null) {
      throw new CheckpointError(
        `${role}: expected a ${role} model at ${checkpointUrl}, got a ${other} one (${otherName}; wrong kind of model).`,
      );
    }
  }
  const looked = latest === null && info === null ? `${LATEST}, ${runFormat.CHECKPOINT_INFO_FILE} or ` : '';
  throw new CheckpointError(`${role}: no model at ${checkpointUrl} (found no ${looked}${manifestName}).`);
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

/**
 * Loads one role's model from its folder through @vaejs/training's `httpIO` (`<checkpoint>/<part>/model.json` and its
 * weights), which refuses weight paths outside the part's folder, weights of the wrong size and non-finite weights.
 */
export async function loadRole(
  fetcher: Fetcher,
  role: ModelRole,
  folder: string,
): Promise<{ model: Vae | VqVae | PixelCnn; location: CheckpointLocation }> {
  const location = await locateCheckpoint(fetcher, role, folder);
  const io = (part: string) => httpIO(location.checkpointUrl, part, fetcher);
  const load = { vae: loadVae, vqvae: loadVqVae, pixelcnn: loadPixelCnn }[role] as (
    manifest: unknown,
    io: (part: string) => tf.io.IOHandler | string,
  ) => Promise<Vae | VqVae | PixelCnn>;
  try {
    return { model: await load(location.manifest, io), location };
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
