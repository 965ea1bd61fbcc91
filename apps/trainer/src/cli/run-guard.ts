/**
 * Checks that keep a run folder one run: a new run does not train into an old one, a resumed run trains on the data
 * it started with (a moved folder is fine, another dataset is not), and a resume with nothing left to do says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readCodesManifest } from '@vaejs/datasets';
import { findLatestCheckpoint, runFormat, type StoredCheckpoint } from '@vaejs/training';
import { UsageError } from './parse';

/** The named datasets `--dataset` takes besides a folder. */
const NAMED_DATASETS = ['mnist', 'fashion-mnist'];

/** Refuses a new run (no --resume) in a folder that holds a run's checkpoints, before anything is loaded. */
export function refuseExistingRun(fn: string, out: string): void {
  const latest = existsSync(out) ? findLatestCheckpoint(out) : null;
  if (latest) {
    throw new UsageError(
      `${fn}: expected --out a new folder (or --resume to continue the run in it), got '${out}', which has checkpoint ${basename(latest.location)}.`,
    );
  }
}

/** The run's config.json, or null when it has none or it does not read. */
function runConfig(
  out: string,
): { data?: Record<string, { name?: string; size?: number }>; app?: { flags?: Record<string, unknown> } } | null {
  try {
    return JSON.parse(readFileSync(join(out, runFormat.RUN_CONFIG_FILE), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * On --resume: the images must be the run's own. A named dataset must stay the same name; a folder (which may have
 * moved) must hold as many training and test images as the run saw.
 */
export function checkSameImages(
  fn: string,
  out: string,
  dataset: string,
  sizes: { train: number; test: number },
): void {
  const config = runConfig(out);
  const saved = config?.app?.flags?.dataset;
  if (typeof saved !== 'string') return;
  const named = (value: string) => NAMED_DATASETS.includes(value);
  if ((named(saved) || named(dataset)) && saved !== dataset) {
    throw new UsageError(
      `${fn}: expected --dataset ${saved}, the run's own data (only a moved folder may be given with --resume), got --dataset ${dataset}.`,
    );
  }
  const savedTrain = config?.data?.train?.size;
  const savedTest = config?.data?.test?.size;
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
export function checkSameCodes(fn: string, out: string, codes: string): void {
  const saved = runConfig(out)?.app?.flags?.codes;
  if (typeof saved !== 'string' || resolve(saved) === resolve(codes) || !existsSync(saved)) return;
  const sourceOf = (folder: string) => JSON.stringify(readCodesManifest(folder).source ?? null);
  if (sourceOf(saved) !== sourceOf(codes)) {
    throw new UsageError(
      `${fn}: expected --codes the run's own code maps (those of ${saved}, or that folder moved), got '${codes}', encoded from another source (${sourceOf(codes)}).`,
    );
  }
}

/** True (and says so) when a resumed run has already finished the epochs asked for: there is nothing to train. */
export function nothingToTrain(checkpoint: StoredCheckpoint | null, epochs: number, out: string): boolean {
  if (!checkpoint || checkpoint.info.batch !== undefined || checkpoint.info.epoch < epochs) return false;
  process.stderr.write(
    `nothing to train: ${out} is at epoch ${checkpoint.info.epoch} and --epochs is ${epochs} (the total to reach); left as it is.\n`,
  );
  return true;
}
