// The page's tfjs backend: webgl, falling back to wasm, then cpu (or the one `?backend=` names). Importing a backend's
// package registers it: wasm is imported here, webgl and cpu only when tried (a page on wasm never downloads them);
// the wasm binaries are served by the page itself (vite.config.ts copies them to wasm/).
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_CHOICES, type BackendChoice } from './settings';

/** The backend in use, with a line describing it and why the ones before it were skipped. */
export interface BackendReport {
  name: BackendChoice;
  /** e.g. `WebGL 2, float32 textures, renderer ANGLE (…SwiftShader…)` or `SIMD, 2 threads`. */
  detail: string;
  skipped: string[];
}

let wasmPathsSet = false;

/** Points tfjs-backend-wasm at the page's own copies of its .wasm files (no CDN). Call once, before any wasm use. */
export function useLocalWasm(base: string): void {
  if (wasmPathsSet) return;
  setWasmPaths(base.endsWith('/') ? base : `${base}/`);
  wasmPathsSet = true;
}

/** The packages that register the backends loaded on demand. */
const LAZY_BACKENDS: Partial<Record<BackendChoice, () => Promise<unknown>>> = {
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
};

/** Tries to switch tfjs to `name`; returns the reason it failed, or null. A trial op checks the backend computes. */
export async function trySetBackend(name: BackendChoice): Promise<string | null> {
  try {
    await LAZY_BACKENDS[name]?.();
    if (!(await tf.setBackend(name))) return 'failed to initialise';
    await tf.ready();
    const check = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
    const value = (await check.data())[0];
    check.dispose();
    if (value !== 12) return `computed 2·(1+2+3) = ${value}`;
    return null;
  } catch (error) {
    return (error as Error).message.split('\n')[0] ?? String(error);
  }
}

/** Renderers that draw WebGL on the CPU: there, wasm decodes the 20×20 grid ~25× faster than webgl. */
const SOFTWARE_RENDERER = /SwiftShader|llvmpipe|softpipe|Software/i;

/**
 * Selects the backend: `wanted`, or the first of webgl, wasm, cpu that works — passing over a WebGL drawn by a
 * software renderer (SwiftShader, llvmpipe: no GPU), which is much slower than wasm.
 * @throws Error when none works (or the one asked for does not)
 */
export async function chooseBackend(wanted: BackendChoice | null): Promise<BackendReport> {
  const candidates = wanted ? [wanted] : BACKEND_CHOICES;
  const skipped: string[] = [];
  for (const name of candidates) {
    // a software renderer is seen from a bare WebGL context, before tfjs compiles its shaders on it (~0.5 s)
    const probed = name === 'webgl' && !wanted ? probeRenderer() : '';
    if (SOFTWARE_RENDERER.test(probed)) {
      skipped.push(softwareNote(probed));
      continue;
    }
    const failure = await trySetBackend(name);
    if (failure === null) {
      const renderer = name === 'webgl' ? webglRenderer() : '';
      if (!wanted && SOFTWARE_RENDERER.test(renderer)) {
        skipped.push(softwareNote(renderer));
        continue;
      }
      return { name, detail: describeBackend(name), skipped };
    }
    skipped.push(`${name}: ${failure}`);
  }
  throw new Error(`no tfjs backend works here (${skipped.join('; ')})`);
}

/** A line about the current backend: WebGL version, float precision and renderer; or wasm SIMD and threads. */
export function describeBackend(name: BackendChoice): string {
  const environment = tf.env();
  if (name === 'webgl') {
    const version = environment.getNumber('WEBGL_VERSION');
    const float32 = environment.getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 'float32' : 'float16';
    return `WebGL ${version}, ${float32} textures, renderer ${webglRenderer()}`;
  }
  if (name === 'wasm') {
    const simd = environment.getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
    const threads = environment.getBool('WASM_HAS_MULTITHREAD_SUPPORT')
      ? `${navigator.hardwareConcurrency ?? '?'} threads`
      : '1 thread';
    return `${simd}, ${threads}`;
  }
  return 'plain JavaScript';
}

function softwareNote(renderer: string): string {
  return `webgl: software renderer (${renderer}), slower than wasm; ?backend=webgl forces it`;
}

/** The renderer of a throwaway WebGL context ('' when there is none). */
function probeRenderer(): string {
  try {
    const gl =
      document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
    if (!gl) return '';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return renderer;
  } catch {
    return '';
  }
}

function webglRenderer(): string {
  try {
    const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } };
    const gl = backend.gpgpu?.gl;
    if (!gl) return 'unknown';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return 'unknown';
  }
}
