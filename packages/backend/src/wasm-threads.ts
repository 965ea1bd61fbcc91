// Multithreaded tfjs-backend-wasm in Node, without patching node_modules.
//
// Stock tfjs-backend-wasm 4.x never uses threads in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to
// false there, its pthread worker script is handed to `new Worker()` as a blob: URL (Node's worker_threads accept
// only paths, file: URLs or code), its main script reaches the workers as a Blob, and the C++ side caps the thread
// pool at half of os.cpus(). This module re-initialises the wasm backend with the threaded SIMD binary and:
//   - sets WASM_HAS_MULTITHREAD_SUPPORT and setThreadsCount(n) before the (re)initialisation;
//   - puts an accessor on globalThis.Worker for as long as the threaded backend lives: Emscripten assigns
//     worker_threads.Worker there and then calls `new Worker(blobUrl)`; the accessor hands out a subclass that
//     starts the same worker code (wasm-out/…worker.js, evaluated) and replaces the Blob of the 'load' message by
//     the path of the package's own threaded glue script (wasm-out/tfjs-backend-wasm-threaded-simd.js);
//   - makes os.cpus() report 2·n entries while the module instantiates, so the C++ cap (cores/2) admits n threads;
//   - keeps the workers from holding the event loop once they have loaded (see BlobUrlWorker.ref), so that a script
//     exits by itself when its work is done, whatever tensors are still alive.
// Tensors that live on the wasm backend do not survive a re-initialisation, so this must run before any is made.
import * as tf from '@tensorflow/tfjs-core';

const WASM_BUNDLE_SUFFIX = '/tfjs-backend-wasm/dist/tf-backend-wasm.node.js';
const MAX_WASM_THREADS = 8; // the Emscripten pthread pool that tfjs-backend-wasm pre-creates

/** The part of @tensorflow/tfjs-backend-wasm that is used here. */
interface WasmPackage {
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
}

interface NodeSupport {
  wasmPackage: WasmPackage;
  workerContents: string;
  threadedGluePath: string;
  NodeWorker: new (code: string, options?: object) => object;
  os: { cpus(): unknown[] };
}

interface ThreadState {
  restore(): void;
}

let active: ThreadState | null = null;

/** True in Node (where worker_threads exist), false in browsers. */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

// Hidden from bundlers: these Node built-ins are only loaded when running in Node.
const importBuiltin = (name: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ name);

async function loadNodeSupport(): Promise<NodeSupport> {
  const moduleBuiltin = (await importBuiltin('node:module')) as unknown as {
    createRequire(path: string): NodeJS.Require;
  };
  const workerThreads = (await importBuiltin('node:worker_threads')) as unknown as {
    Worker: NodeSupport['NodeWorker'];
  };
  const os = ((await importBuiltin('node:os')) as { default: NodeSupport['os'] }).default;
  const require = moduleBuiltin.createRequire(`${process.cwd()}/`);
  // The copy of tfjs-backend-wasm that the application loaded is in the CommonJS cache: use exactly that one.
  let bundlePath = Object.keys(require.cache).find((key) => key.replace(/\\/g, '/').endsWith(WASM_BUNDLE_SUFFIX));
  if (bundlePath == null) bundlePath = require.resolve('@tensorflow/tfjs-backend-wasm');
  const packageRequire = moduleBuiltin.createRequire(bundlePath);
  const wasmPackage = packageRequire(bundlePath) as WasmPackage;
  const wasmOut = bundlePath.replace(/[\\/]dist[\\/][^\\/]+$/, '/wasm-out/');
  const { wasmWorkerContents } = packageRequire(`${wasmOut}tfjs-backend-wasm-threaded-simd.worker.js`) as {
    wasmWorkerContents: string;
  };
  return {
    wasmPackage,
    // tfjs itself escapes newlines before making its blob, for the same reason.
    workerContents: wasmWorkerContents.replace(/\n/g, '\\n'),
    threadedGluePath: `${wasmOut}tfjs-backend-wasm-threaded-simd.js`,
    NodeWorker: workerThreads.Worker,
    os,
  };
}

function makeWorkerClass(support: NodeSupport) {
  const Base = support.NodeWorker as unknown as new (
    code: string,
    options?: object,
  ) => {
    postMessage(message: unknown, transfer?: unknown): void;
    ref(): void;
  };
  return class BlobUrlWorker extends Base {
    constructor(url: string | URL, options?: object) {
      const isBlob = String(url).startsWith('blob:');
      super(isBlob ? support.workerContents : String(url), isBlob ? { ...options, eval: true } : options);
    }
    /**
     * Emscripten unrefs a worker when its 'loaded' message arrives and refs it again for as long as it runs a pthread;
     * XNNPACK's thread pool keeps its pthreads for the life of the backend, so they would hold Node's event loop
     * forever. Never re-ref: a worker is ref'd from creation until it has loaded (Node's default), so the main
     * thread's wait for 'loaded' during initialisation still keeps the process alive, and afterwards the main thread
     * talks to the pool synchronously (shared memory), never through the event loop.
     */
    override ref(): void {}
    override postMessage(message: unknown, transfer?: unknown): void {
      const data = message as { cmd?: string; urlOrBlob?: unknown } | null;
      if (data?.cmd === 'load' && typeof data.urlOrBlob !== 'string') {
        super.postMessage({ ...data, urlOrBlob: support.threadedGluePath }, transfer);
      } else {
        super.postMessage(message, transfer);
      }
    }
  };
}

function installWorkerAccessor(WorkerClass: unknown): () => void {
  const previous = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    get: () => WorkerClass,
    set: () => {
      // Emscripten assigns worker_threads.Worker here; the accessor keeps handing out the wrapper.
    },
  });
  return () => {
    if (previous) Object.defineProperty(globalThis, 'Worker', previous);
    else delete (globalThis as { Worker?: unknown }).Worker;
  };
}

async function reinitializeWasm(): Promise<void> {
  const factory = tf.findBackendFactory('wasm');
  if (factory == null) throw new Error('fast training: the wasm backend is not registered.');
  const wasActive = tf.getBackend() === 'wasm';
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, 2);
  if (wasActive && !(await tf.setBackend('wasm'))) {
    throw new Error('fast training: the wasm backend failed to re-initialise.');
  }
}

/** Threads the wasm backend can use at most here: the number of logical cores, capped at 8. */
export async function availableWasmThreads(): Promise<number> {
  if (!isNode()) return 1;
  const os = ((await importBuiltin('node:os')) as { default: NodeSupport['os'] }).default;
  return Math.max(1, Math.min(MAX_WASM_THREADS, os.cpus().length));
}

/** Threads the current wasm backend runs XNNPACK on (1 when unknown). */
export async function currentWasmThreads(): Promise<number> {
  if (!isNode()) return 1;
  try {
    return (await loadNodeSupport()).wasmPackage.getThreadsCount();
  } catch {
    return 1;
  }
}

/**
 * Re-initialises the active wasm backend with `threads` XNNPACK threads (Node only). Resolves to the thread count
 * the backend reports. Throws if tensors already live on the wasm backend.
 */
export async function enableWasmThreads(threads: number): Promise<number> {
  if (!isNode()) throw new Error('fast training: wasm threads are set up here only in Node.');
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const live = backend.numDataIds();
  if (live > 0) {
    throw new Error(`fast training: ${live} tensors already live on the wasm backend; enable it before making any.`);
  }
  const support = await loadNodeSupport();
  disableWasmThreadsState();
  const env = tf.env() as unknown as { flags: Record<string, unknown> };
  const flagWasSet = 'WASM_HAS_MULTITHREAD_SUPPORT' in env.flags;
  const previousFlag = env.flags.WASM_HAS_MULTITHREAD_SUPPORT;
  const restoreWorker = installWorkerAccessor(makeWorkerClass(support));
  const realCpus = support.os.cpus;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  support.wasmPackage.setThreadsCount(threads);
  support.os.cpus = () => {
    const cpus = realCpus.call(support.os);
    return Array.from({ length: 2 * threads }, (_, i) => cpus[i % Math.max(1, cpus.length)]);
  };
  try {
    await reinitializeWasm();
  } finally {
    support.os.cpus = realCpus;
  }
  active = {
    restore() {
      if (flagWasSet) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', previousFlag as boolean);
      else delete env.flags.WASM_HAS_MULTITHREAD_SUPPORT;
      support.wasmPackage.setThreadsCount(-1);
      restoreWorker();
    },
  };
  return support.wasmPackage.getThreadsCount();
}

function disableWasmThreadsState(): boolean {
  if (active == null) return false;
  active.restore();
  active = null;
  return true;
}

/** True while the wasm backend runs the threaded build set up by `enableWasmThreads`. */
export function wasmThreadsEnabled(): boolean {
  return active != null;
}

/**
 * Returns the wasm backend to its stock single-threaded set-up (re-initialising it if it is active). Throws if
 * tensors live on it.
 */
export async function disableWasmThreads(): Promise<void> {
  if (active == null) return;
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const live = backend.numDataIds();
    if (live > 0) throw new Error(`fast training: ${live} tensors still live on the threaded wasm backend.`);
  }
  disableWasmThreadsState();
  await reinitializeWasm();
}
