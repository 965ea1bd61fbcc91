import { type BackendName, type BackendSetup, setupBackend } from '@vaejs/backend';

export type { BackendSetup };

/**
 * `setupBackend` of `@vaejs/backend` from a command's parsed --backend/--fast/--threads flags: picks the tfjs backend
 * (tfjs-node-gpu → tfjs-node → wasm → cpu for `auto`), registers the gradients and, unless --fast false, turns on fast
 * training. Prints its summary line on stderr.
 */
export async function setupBackendFromFlags(flags: Record<string, unknown>): Promise<BackendSetup> {
  const backend = await setupBackend({
    backend: flags.backend as 'auto' | BackendName,
    fast: flags.fast as boolean,
    ...(flags.threads ? { threads: flags.threads as number } : {}),
  });
  process.stderr.write(`${backend.summary}\n`);
  return backend;
}
