import { type BackendName, enableFastTraining, registerGradients, selectBackend } from '@vaejs/core';

export interface BackendSetup {
  name: string;
  fast: boolean;
  threads: number;
  line: string;
}

/**
 * Picks the tfjs backend (tfjs-node-gpu → tfjs-node → wasm → cpu for `auto`), registers the gradients, and on
 * wasm or cpu turns on the fast training kernels of `@vaejs/core` unless `fast` is false. Prints nothing: returns
 * the one line the commands print.
 */
export async function setupBackend(options: {
  backend: string;
  fast: boolean;
  threads?: number;
}): Promise<BackendSetup> {
  await registerGradients();
  const selection = await selectBackend({ backend: options.backend as 'auto' | BackendName });
  let fast = false;
  let threads = 1;
  let detail = '';
  if (options.fast && (selection.name === 'wasm' || selection.name === 'cpu')) {
    const report = await enableFastTraining(options.threads ? { threads: options.threads } : {});
    fast = report.enabled;
    threads = report.threads;
    detail = report.enabled
      ? `, ${report.summary.replace(new RegExp(`^${selection.name},\\s*`), '')}`
      : report.notes.length
        ? ` (${report.notes[0]})`
        : '';
  } else if (selection.name === 'wasm' || selection.name === 'cpu') {
    detail = ', stock kernels (--fast false)';
  }
  return { name: selection.name, fast, threads, line: `${selection.summary}${detail}` };
}

/** setupBackend from a command's parsed --backend/--fast/--threads flags; prints the backend line on stderr. */
export async function setupBackendFromFlags(flags: Record<string, unknown>): Promise<BackendSetup> {
  const backend = await setupBackend({
    backend: flags.backend as string,
    fast: flags.fast as boolean,
    ...(flags.threads ? { threads: flags.threads as number } : {}),
  });
  process.stderr.write(`${backend.line}\n`);
  return backend;
}
