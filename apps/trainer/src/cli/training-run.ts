/**
 * What `vaejs train` and `vaejs prior train` share around `fit`: the checks that keep a run folder one run (a new run
 * does not train into an old one; a resumed run trains on its own data, a moved folder being fine; a resume with
 * nothing left to do says so), the model a resumed run continues, and `fit` on the flags both commands have.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readCodesManifest } from '@vaejs/datasets';
import {
  type FitData,
  type FitOptions,
  fileRunSource,
  fit,
  hasReachedEpochs,
  readRunFlags,
  runFormat,
  tensorBoard,
} from '@vaejs/training';
import { type Model, runReader } from './models';
import { type AnyCommand, flagValues, memoryLimit, type RunFlagValues } from './options';
import { UsageError } from './parse';
import { resumeFlags } from './run-flags';

/** The flags of both training commands that go to `fit` as they are. */
type SharedFlags = RunFlagValues & { out: string; epochs: number; batchSize: number; lr: number; seed: number };

/** With --resume, the flags become the run's own (`mayChange` aside); without, a folder with checkpoints is refused. */
export async function checkRunFolder(
  fn: string,
  command: AnyCommand,
  given: { resume: boolean; out: string },
  savedCommand: string,
  mayChange: readonly string[],
): Promise<void> {
  if (given.resume) return resumeFlags(fn, command, given.out, savedCommand, mayChange);
  const latest = await latestCheckpoint(given.out);
  if (!latest?.info) return;
  throw new UsageError(
    `${fn}: expected --out a new folder (or --resume to continue the run in it), got '${given.out}', which has checkpoint ${basename(latest.location)}.`,
  );
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
) {
  const config = await runReader.readConfig(fileRunSource(out)).catch(() => null);
  const saved = (config?.app?.flags as { dataset?: unknown } | undefined)?.dataset;
  if (typeof saved !== 'string') return;
  const named = (value: string) => value === 'mnist' || value === 'fashion-mnist';
  if ((named(saved) || named(dataset)) && saved !== dataset) {
    throw new UsageError(
      `${fn}: expected --dataset ${saved}, the run's own data (only a moved folder may be given with --resume), got --dataset ${dataset}.`,
    );
  }
  const [train, test] = [config?.data.train.size, config?.data.test?.size];
  if ((typeof train === 'number' && train !== sizes.train) || (typeof test === 'number' && test !== sizes.test)) {
    throw new UsageError(
      `${fn}: expected --dataset with the run's ${train} training and ${test} test images, got '${dataset}' with ${sizes.train} and ${sizes.test}.`,
    );
  }
}

/**
 * On --resume of a prior: the code maps must come from the VQ-VAE the run's maps came from (when the run's codes
 * folder is still there to compare with; a moved codes folder keeps its manifest).
 */
export async function checkSameCodes(fn: string, out: string, codes: string): Promise<void> {
  const saved = (await readRunFlags(fileRunSource(out))).codes;
  if (typeof saved !== 'string' || resolve(saved) === resolve(codes) || !existsSync(saved)) return;
  const sourceOf = (folder: string) => JSON.stringify(readCodesManifest(folder).source ?? null);
  if (sourceOf(saved) === sourceOf(codes)) return;
  throw new UsageError(
    `${fn}: expected --codes the run's own code maps (those of ${saved}, or that folder moved), got '${codes}', encoded from another source (${sourceOf(codes)}).`,
  );
}

/**
 * The model a resumed run continues (its checkpoint's kind and config; `fit` restores the weights), null for a new
 * run, or 'finished' (said on stderr, the folder left as it is) when the run has trained `--epochs` already.
 */
export async function resumedModel(fn: string, options: SharedFlags): Promise<Model | null | 'finished'> {
  const checkpoint = options.resume ? await latestCheckpoint(options.out) : null;
  if (checkpoint && hasReachedEpochs(checkpoint.info, options.epochs)) {
    const { epoch, step, batch } = checkpoint.info ?? { epoch: 0, step: 0 };
    const where = batch ? `in epoch ${epoch} (step ${step})` : `at epoch ${epoch}`;
    const at = `${options.out} is ${where} and --epochs is ${options.epochs}`;
    process.stderr.write(`nothing to train: ${at} (the total to reach); left as it is.\n`);
    return 'finished';
  }
  if (!checkpoint) return null;
  // the checkpoint's own sizes, checked as the flags were: a tampered config.hidden must not allocate gigabytes
  const location = join(checkpoint.location, `${checkpoint.kind}.json`);
  const memory = memoryLimit(options.maxMemory, options.batchSize);
  return runReader.create(checkpoint.kind, checkpoint.manifest.config, { fn, memory, location }) as Model;
}

/** Trains `model` into the run folder `--out` with the shared flags and `extra`, then disposes it and says where. */
export async function trainFromFlags(
  command: AnyCommand,
  savedCommand: string,
  model: Model,
  data: FitData,
  options: SharedFlags & { backendLabel: string },
  extra: FitOptions,
): Promise<void> {
  try {
    await fit(model, data, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      seed: options.seed,
      learningRate: options.lr,
      runDir: options.out,
      resume: options.resume,
      checkpointEvery: options.checkpointEvery,
      // fit's own output: a live bar on a terminal (verbose 'auto'), else a line per epoch
      callbacks: options.tensorboard ? [tensorBoard({ logDir: join(options.out, runFormat.TENSORBOARD_DIR) })] : [],
      runInfo: { command: savedCommand, flags: flagValues(command) },
      backendLabel: options.backendLabel,
      ...extra,
    });
  } finally {
    model.dispose();
  }
  process.stderr.write(`run folder: ${options.out}\n`);
}

// helpers

/** The newest checkpoint of the run in `out`, or null (no folder, or no checkpoint yet). */
async function latestCheckpoint(out: string) {
  const source = fileRunSource(out);
  return (await source.exists()) ? runReader.find(source) : null;
}
