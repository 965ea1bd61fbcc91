/**
 * One call that sets up TensorFlow.js for training in Node: picks the backend (selectBackend), registers the gradients
 * (registerGradients) and, on wasm, turns on the fast kernels and threads (enableFastTraining). It returns structured
 * facts plus one display line; code reads the fields, never the line.
 */
import { assertOneOf, ConfigError, describeValue, formatExpected } from '@vaejs/core';
import {
  disableFastTraining,
  enableFastTraining,
  type FastTrainingReport,
  fastTrainingReport,
} from './enable-fast-training';
import type { NativeInfo } from './kernels/utils/native-addon';
import { NATIVE_PACKAGE, type NativeLoader } from './load-native';
import { type GradientSource, registerGradients } from './register-gradients';
import {
  BACKEND_NAMES,
  type BackendName,
  describeSkipped,
  type SelectBackendOptions,
  type SkippedBackend,
  selectBackendFor,
} from './select-backend';

const FN = 'setupBackend';

/** Options of {@link setupBackend}; every field has a default. */
export interface SetupBackendOptions {
  /** Which backend: 'auto' (default) takes the first that works of node-gpu, node, wasm, cpu. */
  backend?: 'auto' | BackendName;
  /**
   * Fast training (default true): on wasm the fast kernels and threads, on wasm and cpu the backward pass that frees
   * as it goes. tfjs-node(-gpu) runs TensorFlow's own kernels and is left as it is.
   */
  fast?: boolean;
  /**
   * Threads in Node, a count or 'all' logical cores (at most 8): with the native kernels, the threads they compute on
   * (default 1: on a machine that other jobs load, more threads lose); otherwise XNNPACK's threads (default 'all').
   */
  threads?: number | 'all';
  /**
   * The native kernels on the wasm backend (@vaejs/backend-native, an optional dependency with a prebuilt linux-x64
   * addon: oneDNN matMuls and convolutions, Adam in one pass): 'auto' (default) uses them where the addon loads and
   * otherwise runs the fast wasm kernels, saying why in `nativeReason` and the summary; true requires them (a
   * ConfigError when they do not load); false never loads them. Only with `fast` on the wasm backend.
   */
  native?: boolean | 'auto';
  /** Replaces how the native addon is loaded (tests, or an app that ships its own). */
  nativeLoader?: NativeLoader;
  /**
   * No line of its own (default false): with `native: 'auto'` on a machine the addon has a prebuild for, a missing
   * @vaejs/backend-native is said once on stderr (console.warn), as training then runs without the native kernels.
   * An app that prints `summary` (which says it too) passes true.
   */
  quiet?: boolean;
  /** With `fast`, free saved tensors and gradients during the backward pass (default true). */
  freeingGradients?: boolean;
  /** Replaces how a backend's package is imported (tests, or an app that bundles its own). */
  loaders?: SelectBackendOptions['loaders'];
  /** Folders searched for a backend package not installed beside @vaejs/backend (default: script folder, cwd). */
  resolveFrom?: SelectBackendOptions['resolveFrom'];
}

/** What {@link setupBackend} set up. */
export interface BackendSetup {
  /** The backend chosen. */
  name: BackendName;
  /** The name tfjs knows it by (`tf.getBackend()`): 'tensorflow', 'wasm' or 'cpu'. */
  tfBackendName: string;
  /** True when the fast wasm kernels (or the native kernels) are registered. */
  fast: boolean;
  /**
   * Threads the matMuls and convolutions run on: the native kernels' or wasm's; 1 elsewhere (tfjs-node's own thread
   * pool is not counted).
   */
  threads: number;
  /** The native kernels in use: `{ library: 'oneDNN', version, isa, threads }`, or null. */
  native: NativeInfo | null;
  /** Why the native kernels are not in use although `native` allowed them (e.g. 'failed to load: …'), or null. */
  nativeReason: string | null;
  /** True when the backward pass frees as it goes (fast training on wasm or cpu). */
  freeingGradients: boolean;
  /** Backends tried before it, in order, with the reason each was skipped. */
  skipped: SkippedBackend[];
  /** Where the gradients came from. */
  gradients: GradientSource;
  /** Kernels replaced or added, as 'Name/backend' ('(added)' where stock tfjs has none); empty without fast kernels. */
  kernels: string[];
  /** What was not done as asked, and why (e.g. threads left at 1 because tensors already lived on wasm). */
  notes: string[];
  /**
   * One line to display, e.g. `backend: wasm, native kernels (oneDNN 2.6.3, avx512_core, 1 thread) (tfjs-node-gpu: not
   * installed; tfjs-node: not installed)`, or where the addon does not load `backend: wasm, fast kernels (XNNPACK
   * matMul/conv, 2 threads; native kernels: <why>) (…)`. For people only: read the other fields in code.
   */
  summary: string;
}

function validateThreads(threads: SetupBackendOptions['threads']): void {
  if (threads === undefined || threads === 'all' || (Number.isInteger(threads) && threads >= 1)) return;
  throw new ConfigError(formatExpected(FN, 'options.threads', "a positive integer or 'all'", String(threads)));
}

/** The missing native kernels are said once a process. */
let warnedMissingNative = false;

function describeSetup(name: BackendName, fast: FastTrainingReport | null, skipped: SkippedBackend[], notes: string[]) {
  let detail = '';
  if (name === 'wasm') {
    const threads = `${fast?.threads} thread${fast?.threads === 1 ? '' : 's'}`;
    const why = fast?.nativeReason ? `; native kernels: ${fast.nativeReason}` : '';
    if (!fast?.enabled) detail = ', stock kernels';
    else if (fast.native)
      detail = `, native kernels (${fast.native.library} ${fast.native.version}, ${fast.native.isa}, ${threads})`;
    else detail = `, fast kernels (XNNPACK matMul/conv, ${threads}${why})`;
  }
  const tail = skipped.length > 0 ? ` (${describeSkipped(skipped)})` : '';
  const noteTail = notes.length > 0 ? `; ${notes.join('; ')}` : '';
  return `backend: ${name}${detail}${tail}${noteTail}`;
}

/**
 * Sets up tfjs for training: selects the backend (auto order node-gpu → node → wasm → cpu), registers the gradients,
 * and unless `fast: false` turns on fast training (the wasm kernels and threads; the freeing backward pass on wasm and
 * cpu). Call it once, before creating tensors; calling it again re-applies it. Creates no tensors.
 * @param options `{ backend? = 'auto', fast? = true, native? = 'auto', threads? (1 native, 'all' wasm), freeingGradients? =
 *   true, loaders?, resolveFrom?, nativeLoader? }`
 * @returns `{ name, tfBackendName, fast, threads, native, nativeReason, freeingGradients, skipped, gradients, kernels,
 *   notes, summary }`
 * @throws ConfigError when the backend asked for (or, with 'auto', every backend) cannot be used, or for bad options
 * @example
 * const setup = await setupBackend(); // or setupBackend({ backend: 'wasm', threads: 2 })
 * console.log(setup.summary); // backend: wasm, native kernels (oneDNN 2.6.3, avx512_core, 1 thread) (tfjs-node-gpu: not installed; tfjs-node: not installed)
 */
export async function setupBackend(options: SetupBackendOptions = {}): Promise<BackendSetup> {
  const requested = options.backend ?? 'auto';
  assertOneOf(FN, 'options.backend', requested, ['auto', ...BACKEND_NAMES]);
  validateThreads(options.threads);
  const native = options.native ?? 'auto';
  if (native !== true && native !== false && native !== 'auto') {
    throw new ConfigError(formatExpected(FN, 'options.native', "true, false or 'auto'", describeValue(native)));
  }
  const handlers = processHandlers();
  const selection = await selectBackendFor(FN, {
    backend: requested,
    ...(options.loaders ? { loaders: options.loaders } : {}),
    ...(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {}),
  });
  const gradients = await registerGradients();
  const notes: string[] = [];
  let report: FastTrainingReport | null = null;
  if ((options.fast ?? true) && (selection.name === 'wasm' || selection.name === 'cpu')) {
    report = await enableFastTraining({
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      freeingGradients: options.freeingGradients ?? true,
      native: selection.name === 'wasm' ? native : false,
      ...(options.nativeLoader ? { nativeLoader: options.nativeLoader } : {}),
    });
    // On cpu enableFastTraining notes that it has no kernels for it: expected here, not worth a note.
    if (report.enabled) notes.push(...report.notes);
  } else if (fastTrainingReport() != null) {
    // An earlier call turned fast training on: `fast: false` (or a native backend) means tfjs' own set-up.
    notes.push(...(await disableFastTraining()).notes);
  }
  handlers.removeAdded();
  const missing = native === 'auto' && report?.nativeReason?.startsWith(`${NATIVE_PACKAGE} is not installed (`);
  if (missing && !options.quiet && !warnedMissingNative) {
    warnedMissingNative = true;
    console.warn(`${FN}: ${report?.nativeReason}; training runs without the native kernels (quiet: true hides this).`);
  }
  return {
    name: selection.name,
    tfBackendName: selection.tfBackendName,
    fast: report?.enabled ?? false,
    threads: report?.threads ?? 1,
    native: report?.native ?? null,
    nativeReason: report?.nativeReason ?? null,
    freeingGradients: report?.freeingGradients ?? false,
    skipped: selection.skipped,
    gradients,
    kernels: report?.kernels ?? [],
    notes,
    summary: describeSetup(selection.name, report, selection.skipped, notes),
  };
}

/**
 * The wasm backend's Emscripten glue installs `uncaughtException` and `unhandledRejection` handlers on `process` that
 * rethrow: any error of the user's script then ends with a page of minified source and exit code 7 instead of Node's
 * own report and exit code 1. This remembers the handlers present before the backend loads and removes the ones added
 * while it did (in Node; nothing elsewhere).
 */
function processHandlers(): { removeAdded(): void } {
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  type Listener = (...args: unknown[]) => void;
  const node =
    typeof process !== 'undefined' && typeof process.listeners === 'function'
      ? (process as unknown as {
          listeners(event: string): Listener[];
          removeListener(event: string, listener: Listener): void;
        })
      : null;
  if (!node) return { removeAdded() {} };
  const before = new Map(events.map((event) => [event, new Set(node.listeners(event))]));
  return {
    removeAdded() {
      for (const event of events) {
        for (const listener of node.listeners(event)) {
          if (!before.get(event)?.has(listener)) node.removeListener(event, listener);
        }
      }
    },
  };
}
