import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, type BackendSetup, setupBackend } from '@vaejs/backend';

/** What the commands need of the backend: `@vaejs/backend`'s facts, and the label metrics.jsonl records. */
export interface CliBackend extends BackendSetup {
  /** 'wasm-native' when the native kernels run, 'wasm-fast' when the fast kernels run, else the backend's name. */
  label: string;
}

/**
 * `setupBackend` of `@vaejs/backend` from a command's --backend/--fast/--native/--threads flags: picks the tfjs
 * backend (tfjs-node-gpu → tfjs-node → wasm → cpu for `auto`), registers the gradients and, unless --no-fast, turns on
 * fast training, with the native kernels where they load unless --no-native. Prints its summary line on stderr.
 */
export async function setupBackendFromFlags(flags: {
  backend: 'auto' | BackendName;
  fast: boolean;
  native?: boolean | undefined;
  threads?: number | undefined;
}): Promise<CliBackend> {
  // tfjs' own banners ("looks like you are running TensorFlow.js in Node.js…") would add lines to every run: the
  // backend line below already says which backend runs, why the faster ones did not, and what to install.
  tf.env().set('PROD', true);
  const backend = await setupBackend({
    backend: flags.backend,
    fast: flags.fast,
    native: flags.native === false ? false : 'auto',
    quiet: true, // the summary line below says why the native kernels do not run
    ...(flags.threads ? { threads: flags.threads } : {}),
  });
  process.stderr.write(`${backend.summary}\n`);
  const label = backend.native ? `${backend.name}-native` : backend.fast ? `${backend.name}-fast` : backend.name;
  return { ...backend, label };
}
