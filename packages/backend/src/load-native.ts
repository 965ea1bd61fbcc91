// Loads the native kernels' addon from @vaejs/backend-native (an optional dependency: npm installs it where its
// prebuilt binary fits, linux-x64 with glibc). Looked for beside @vaejs/backend and in the project being run
// (import-package.ts), then as a copy bundled beside this file (the vaejs CLI carries one in dist/backend-native/).
// Nothing is compiled or downloaded: a missing or unloadable addon is a reason, and the wasm fast path runs.

import { importOptionalPackage, isPackageNotFound, ownFolder } from './import-package';
import { NATIVE_FUNCTIONS, type NativeAddon, type NativeInfo } from './kernels/utils/native-addon';

/** The package that carries the addon. */
export const NATIVE_PACKAGE = '@vaejs/backend-native';

/** The platforms `@vaejs/backend-native` has a prebuilt addon for (its prebuilds/ folder). */
export const NATIVE_PREBUILDS: readonly string[] = ['linux-x64'];

/** `linux-x64` when the addon has a prebuild for this machine (installing the package would bring it), else null. */
export function nativePrebuild(): string | null {
  if (typeof process === 'undefined' || typeof process.platform !== 'string') return null;
  const platform = `${process.platform}-${process.arch}`;
  return NATIVE_PREBUILDS.includes(platform) ? platform : null;
}

/**
 * Replaces how the addon is loaded (tests; an app that ships its own): returns the addon, or a module whose `load()`
 * returns it; throws when it cannot.
 */
export type NativeLoader = () => unknown;

/** What {@link loadNativeAddon} found. */
export type NativeLoadResult =
  | { addon: NativeAddon; info: NativeInfo; reason: null }
  | { addon: null; info: null; reason: string; error?: unknown };

// Hidden from bundlers, as in import-package.ts.
const importBuiltin = (name: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ name);

/** The package, else the copy bundled beside this file; throws the package's not-found error when neither is there. */
async function defaultNativeLoader(): Promise<unknown> {
  try {
    return await importOptionalPackage(NATIVE_PACKAGE);
  } catch (error) {
    if (!isPackageNotFound(error, NATIVE_PACKAGE)) throw error;
    const folder = await ownFolder();
    if (folder == null) throw error;
    const { existsSync } = (await importBuiltin('node:fs')) as unknown as typeof import('node:fs');
    const { join } = (await importBuiltin('node:path')) as unknown as typeof import('node:path');
    const { createRequire } = (await importBuiltin('node:module')) as unknown as typeof import('node:module');
    const bundled = join(folder, 'backend-native', 'index.cjs');
    if (!existsSync(bundled)) throw error;
    return createRequire(bundled)(bundled);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n').find((line) => line.trim() !== '') ?? text).trim().replace(/\.+$/, '');
}

/** The addon inside what a loader returned: the addon itself, or a module (CJS or its ESM wrapper) with `load()`. */
function addonOf(loaded: unknown): unknown {
  const candidate = loaded as { load?: () => unknown; default?: { load?: () => unknown } } | null;
  if (typeof candidate?.load === 'function') return candidate.load();
  if (typeof candidate?.default?.load === 'function') return candidate.default.load();
  return loaded;
}

/**
 * Loads the native addon (not in a browser). Never throws: when it cannot, `reason` says why in a few words
 * ('@vaejs/backend-native is not installed', 'failed to load: <the loader's first line>').
 */
export async function loadNativeAddon(loader: NativeLoader = defaultNativeLoader): Promise<NativeLoadResult> {
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') {
    return { addon: null, info: null, reason: 'native kernels need Node' };
  }
  let addon: NativeAddon;
  try {
    addon = addonOf(await loader()) as NativeAddon;
  } catch (error) {
    if (isPackageNotFound(error, NATIVE_PACKAGE)) {
      // where a prebuild fits, say how to get it: installing the package is all it takes
      const prebuild = nativePrebuild();
      const how = prebuild ? ` (npm install ${NATIVE_PACKAGE}: prebuilt for ${prebuild})` : '';
      return { addon: null, info: null, reason: `${NATIVE_PACKAGE} is not installed${how}`, error };
    }
    return { addon: null, info: null, reason: `failed to load: ${firstLine(error)}`, error };
  }
  const missing = NATIVE_FUNCTIONS.filter(
    (name) => typeof (addon as unknown as Record<string, unknown>)?.[name] !== 'function',
  );
  if (missing.length > 0) {
    return { addon: null, info: null, reason: `failed to load: the addon has no ${missing.join(', ')}` };
  }
  try {
    return { addon, info: addon.info(), reason: null };
  } catch (error) {
    return { addon: null, info: null, reason: `failed to load: ${firstLine(error)}`, error };
  }
}
