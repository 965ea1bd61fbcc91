/**
 * The runs this browser keeps (IndexedDB, one per model): what each holds, read without loading a model, and what a
 * page does with one — download it as one zip the CLI reads, open it in the model views, or drop it.
 */

import { pixelCnnLoader } from '@vaejs/pixelcnn-prior';
import {
  createRunReader,
  indexedDbRunSource,
  indexedDbRuns,
  type LocatedCheckpoint,
  type RunConfig,
  writeZip,
} from '@vaejs/training';
import { vaeLoader } from '@vaejs/vae';
import { vqVaeLoader } from '@vaejs/vqvae';
import { runName } from './recipes';
import { TRAIN_MODELS, type TrainModel } from './train-settings';

const reader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);

/** A kept run as the page shows it. */
export interface KeptRun {
  name: string;
  /** Its newest checkpoint (null for a model kept without one), or why it does not read. */
  checkpoint: LocatedCheckpoint | null;
  config: RunConfig | null;
  /** The CLI flags of its config (`app.flags`), when the page or the CLI trained it. */
  flags: Record<string, unknown> | null;
  /** The epoch its newest checkpoint ends, and that epoch's test loss. */
  epoch: number | null;
  testLoss: number | null;
  error: string | null;
}

/** What is kept under `name`, or null when nothing is; a record that does not read comes back with `error`. */
export async function keptRun(name: string): Promise<KeptRun | null> {
  const source = indexedDbRunSource(name);
  try {
    if (!(await source.exists())) return null;
    const checkpoint = await reader.find(source);
    const config = await reader.readConfig(source);
    const history = checkpoint?.info?.state.history ?? [];
    const flags = (config?.app?.flags as Record<string, unknown> | undefined) ?? null;
    const testLoss = history.at(-1)?.test_loss;
    return {
      name,
      checkpoint,
      config,
      flags,
      epoch: checkpoint?.info?.epoch ?? null,
      testLoss: typeof testLoss === 'number' ? testLoss : null,
      error: checkpoint ? null : `${source.location} holds no checkpoint`,
    };
  } catch (error) {
    return {
      name,
      checkpoint: null,
      config: null,
      flags: null,
      epoch: null,
      testLoss: null,
      error: (error as Error).message,
    };
  }
}

/** Every kept run of the training view's models. */
export async function keptRuns(): Promise<KeptRun[]> {
  const names = new Set(await indexedDbRuns().names());
  const runs = await Promise.all(
    TRAIN_MODELS.filter((model) => names.has(runName(model))).map((model) => keptRun(runName(model))),
  );
  return runs.filter((run): run is KeptRun => run !== null);
}

/** The kept run `name` as one zip archive (the run folder the CLI reads: `vaejs eval --run name.zip`). */
export async function keptRunArchive(name: string): Promise<Blob> {
  const files = await indexedDbRuns().read(name);
  if (!files) throw new Error(`no run '${name}' is kept in this browser`);
  return new Blob([writeZip(files) as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
}

export function dropKeptRun(name: string): Promise<void> {
  return indexedDbRuns().remove(name);
}

/** The model views with a kept run in its role (`?vae=idb:vae-mlp`; a prior with the kept VQ-VAE when there is one). */
export function viewsLink(model: TrainModel, keptVqVae: boolean): string {
  if (model === 'vqvae') return '?vqvae=idb:vqvae';
  if (model === 'prior') return keptVqVae ? '?vqvae=idb:vqvae&pixelcnn=idb:prior' : '?pixelcnn=idb:prior';
  return `?vae=idb:${model}`;
}
