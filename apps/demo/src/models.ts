import { CheckpointError } from '@vaejs/core';
import { type PixelCnn, pixelCnnLoader } from '@vaejs/pixelcnn-prior';
import {
  createRunReader,
  httpRunSource,
  indexedDbRunSource,
  type LocatedCheckpoint,
  type RunSource,
} from '@vaejs/training';
import { type Vae, vaeLoader } from '@vaejs/vae';
import { type VqVae, vqVaeLoader } from '@vaejs/vqvae';
import type { Fetcher } from './fetching';
import { MODEL_ROLES, type ModelRole } from './settings';

/** Reads the page's models over HTTP, as the CLI reads them from files: one reader, the three kinds' loaders. */
const reader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);

/** The models the page runs; each is null when not configured or when it failed to load (see `errors`). */
export interface DemoModels {
  vae: Vae | null;
  vqvae: VqVae | null;
  pixelcnn: PixelCnn | null;
  /** Where each loaded model came from. */
  sources: Partial<Record<ModelRole, LocatedCheckpoint>>;
  /** Why a configured model is missing, one message per role. */
  errors: Partial<Record<ModelRole, string>>;
}

/**
 * Loads one role's model from its folder (a run folder, a checkpoint folder, or a bare model folder; or `idb:<name>/`, a
 * run the training view keeps in IndexedDB) through
 * @vaejs/training's reader, whose HTTP reads refuse a checkpoint name that leaves the run, weight paths outside a part's
 * folder, weights of the wrong size and non-finite weights. Every message starts with the role.
 */
export async function loadRole(
  fetcher: Fetcher,
  role: ModelRole,
  folder: string,
): Promise<{ model: Vae | VqVae | PixelCnn; location: LocatedCheckpoint }> {
  const source = sourceOf(folder, fetcher);
  let location: LocatedCheckpoint;
  try {
    location = await reader.locate(source, { kinds: [role] });
  } catch (error) {
    throw new CheckpointError(`${role}: ${(error as Error).message}`);
  }
  try {
    // read as one: a run training into the served folder may rotate its checkpoints meanwhile
    const { model, checkpoint } = await reader.open(source, { kinds: [role] });
    return { model: model as Vae | VqVae | PixelCnn, location: checkpoint };
  } catch (error) {
    throw new CheckpointError(`${role}: ${(error as Error).message} (model at ${location.location})`);
  }
}

/** A model folder's source: a run kept in this browser (`idb:<name>/`, trained in the page), or a folder over HTTP. */
function sourceOf(folder: string, fetcher: Fetcher): RunSource {
  const kept = /^idb:([\w-]+)\/$/.exec(folder);
  return kept ? indexedDbRunSource(kept[1] as string) : httpRunSource(folder, fetcher);
}

/**
 * Finds every configured role's checkpoint and reads its parts' files, all at once (model.json and weights, as tfjs
 * model artifacts: no tensors, so no backend is needed yet). With a caching fetcher ({@link onceFetcher}) this
 * downloads, while the backend starts, what {@link loadModels} then reads part after part. Failures are left for it
 * to report.
 */
export async function prefetchModels(fetcher: Fetcher, folders: Record<ModelRole, string | null>): Promise<void> {
  await Promise.all(
    MODEL_ROLES.map(async (role) => {
      const folder = folders[role];
      if (folder === null) return;
      try {
        const located = await reader.locate(sourceOf(folder, fetcher), { kinds: [role] });
        await Promise.all(located.manifest.parts.map((part) => located.io(part).load?.()));
      } catch {
        // loadModels reads it again and reports why it fails
      }
    }),
  );
}

/** Loads every configured role, all at once; failures are collected in `errors` (in role order), never thrown. */
export async function loadModels(fetcher: Fetcher, folders: Record<ModelRole, string | null>): Promise<DemoModels> {
  const models: DemoModels = { vae: null, vqvae: null, pixelcnn: null, sources: {}, errors: {} };
  const loaded = await Promise.all(
    MODEL_ROLES.map(async (role) => {
      const folder = folders[role];
      if (folder === null) return null;
      try {
        return await loadRole(fetcher, role, folder);
      } catch (error) {
        return error as Error;
      }
    }),
  );
  MODEL_ROLES.forEach((role, i) => {
    const result = loaded[i];
    if (result instanceof Error) models.errors[role] = result.message;
    else if (result) {
      (models as unknown as Record<ModelRole, unknown>)[role] = result.model;
      models.sources[role] = result.location;
    }
  });
  return models;
}
