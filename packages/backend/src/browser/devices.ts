/**
 * What a browser offers tfjs to compute on, told apart from what only looks like a GPU: a WebGPU adapter or a WebGL
 * renderer that draws on the CPU (SwiftShader, llvmpipe: a machine without a GPU, or headless Chromium) is slower for
 * training than wasm with the fast kernels (measured: `benchmarks/browser/`), so `setupBackend` passes it over unless
 * asked for by name.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Renderers and adapters that compute on the CPU. */
export const SOFTWARE_RENDERER = /SwiftShader|llvmpipe|softpipe|Software|Microsoft Basic Render/i;

/** A WebGPU adapter as `setupBackend` sees it, or why there is none. */
export type WebGpuAdapterFacts =
  | { available: true; description: string; software: boolean }
  | { available: false; reason: string };

/** The parts of `navigator.gpu` read here (typed locally: the DOM lib of TypeScript 5.9 has no WebGPU). */
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** Asks the browser for a WebGPU adapter (as tfjs-backend-webgpu will) and describes it. */
export async function webGpuAdapter(): Promise<WebGpuAdapterFacts> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { available: false, reason: 'not in this browser (or not a secure context)' };
  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { available: false, reason: `no adapter: ${(error as Error).message}` };
  }
  if (!adapter) return { available: false, reason: 'no adapter (no usable GPU, or WebGPU switched off)' };
  const info = adapter.info ?? {};
  const description =
    [info.vendor, info.architecture, info.device, info.description].filter((part) => part).join(' ') || 'unknown';
  const software = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || SOFTWARE_RENDERER.test(description);
  return { available: true, description, software };
}

/** The renderer of the active WebGL backend (`ANGLE (…SwiftShader…)`), or 'unknown'. */
export function webGlRenderer(): string {
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

/** A line about the active WebGL backend: version, texture precision and renderer. */
export function describeWebGl(): string {
  const environment = tf.env();
  const float32 = environment.getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 'float32' : 'float16';
  return `WebGL ${environment.getNumber('WEBGL_VERSION')}, ${float32} textures, renderer ${webGlRenderer()}`;
}

/**
 * Calls `onLost` once if the active GPU backend loses its device (a WebGL context lost: a driver reset, a GPU taken by
 * another tab, a `WEBGL_lose_context`; a WebGPU device lost). Returns the function that stops watching. A lost WebGL
 * context is seen by its event and, where the event does not come (an OffscreenCanvas in a worker), by polling
 * `isContextLost()` every `pollMs`. On wasm and cpu nothing can be lost: a no-op. Work in flight on a lost device may
 * never finish (a read-back waits forever): act on the call, do not wait for that work.
 * @example const unwatch = watchBackendLoss((why) => stop.abort(why));
 */
export function watchBackendLoss(onLost: (reason: string) => void, options: { pollMs?: number } = {}): () => void {
  const backend = tf.backend() as unknown as {
    gpgpu?: { gl?: WebGLRenderingContext & { canvas?: EventTarget } };
    device?: { lost?: Promise<{ message?: string; reason?: string }> };
  };
  const name = tf.getBackend();
  let active = true;
  const lost = (reason: string) => {
    if (!active) return;
    active = false;
    stop();
    onLost(reason);
  };
  const gl = backend.gpgpu?.gl;
  const canvas = gl?.canvas as EventTarget | undefined;
  const listener = () => lost(`the ${name} context was lost`);
  canvas?.addEventListener?.('webglcontextlost', listener);
  const timer = gl ? setInterval(() => gl.isContextLost() && listener(), options.pollMs ?? 250) : undefined;
  backend.device?.lost?.then((info) => lost(`the WebGPU device was lost${info?.message ? `: ${info.message}` : ''}`));
  function stop() {
    active = false;
    if (timer !== undefined) clearInterval(timer);
    canvas?.removeEventListener?.('webglcontextlost', listener);
  }
  return stop;
}
