/**
 * Checks that keep a run folder one run: a new run does not train into an old one, a resumed run trains on the data
 * it started with (a moved folder is fine, another dataset is not), and a resume with nothing left to do says so.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { readCodesManifest } from '@vaejs/datasets';
import { fileRunSource, hasReachedEpochs, type LocatedCheckpoint } from '@vaejs/training';
import { runReader } from './models';
import { UsageError } from './parse';
import { runFlags } from './run-flags';

/** The named datasets `--dataset` takes besides a folder. */
const NAMED_DATASETS = ['mnist', 'fashion-mnist'];

/** The newest checkpoint of the run in `out`, or null (no folder, or no checkpoint yet). */
export async function latestCheckpoint(out: string): Promise<LocatedCheckpoint | null> {
  const source = fileRunSource(out);
  return (await source.exists()) ? runReader.find(source) : null;
}

/** Refuses a new run (no --resume) in a folder that holds a run's checkpoints, before anything is loaded. */
export async function refuseExistingRun(fn: string, out: string): Promise<void> {
  const latest = await latestCheckpoint(out);
  if (latest?.info) {
    throw new UsageError(
      `${fn}: expected --out a new folder (or --resume to continue the run in it), got '${out}', which has checkpoint ${basename(latest.location)}.`,
    );
  }
}

/**
 * On --resume: the images must be the run's own. A named dataset must stay the same name; a folder (which may have
 * moved) must hold as many training and test images as the run saw.
 */
export async function checkSameImages(
  fn: string,
  out: string,
  dataset: string,
  sizes: { train: number; test: number },
): Promise<void> {
  const config = await runReader.readConfig(fileRunSource(out)).catch(() => null);
  const saved = (config?.app?.flags as { dataset?: unknown } | undefined)?.dataset;
  if (typeof saved !== 'string') return;
  const named = (value: string) => NAMED_DATASETS.includes(value);
  if ((named(saved) || named(dataset)) && saved !== dataset) {
    throw new UsageError(
      `${fn}: expected --dataset ${saved}, the run's own data (only a moved folder may be given with --resume), got --dataset ${dataset}.`,
    );
  }
  const savedTrain = config?.data.train.size;
  const savedTest = config?.data.test?.size;
  if (
    (typeof savedTrain === 'number' && savedTrain !== sizes.train) ||
    (typeof savedTest === 'number' && savedTest !== sizes.test)
  ) {
    throw new UsageError(
      `${fn}: expected --dataset with the run's ${savedTrain} training and ${savedTest} test images, got '${dataset}' with ${sizes.train} and ${sizes.test}.`,
    );
  }
}

/**
 * On --resume of a prior: the code maps must come from the VQ-VAE the run's maps came from (when the run's codes
 * folder is still there to compare with; a moved codes folder keeps its codes.json).
 */
export async function checkSameCodes(fn: string, out: string, codes: string): Promise<void> {
  const saved = (await runFlags(fileRunSource(out))).codes;
  if (typeof saved !== 'string' || resolve(saved) === resolve(codes) || !existsSync(saved)) return;
  const sourceOf = (folder: string) => JSON.stringify(readCodesManifest(folder).source ?? null);
  if (sourceOf(saved) !== sourceOf(codes)) {
    throw new UsageError(
      `${fn}: expected --codes the run's own code maps (those of ${saved}, or that folder moved), got '${codes}', encoded from another source (${sourceOf(codes)}).`,
    );
  }
}

/** The line to print when a resumed run has already trained the epochs asked for (nothing to train), or null. */
export function nothingToTrain(checkpoint: LocatedCheckpoint | null, epochs: number, out: string): string | null {
  if (!hasReachedEpochs(checkpoint?.info ?? null, epochs)) return null;
  return `nothing to train: ${out} is at epoch ${checkpoint?.info?.epoch} and --epochs is ${epochs} (the total to reach); left as it is.`;
}
