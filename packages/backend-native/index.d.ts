/**
 * The native kernels' addon. Its functions are defined once, as `NativeAddon` of `@vaejs/backend` (the package that
 * calls them on buffers of the tfjs wasm heap and checks on loading that the addon has every one).
 */
export type NativeAddonModule = Record<string, (...args: never[]) => unknown>;

/** Loads the prebuilt addon for this platform; throws an Error saying why it cannot. */
export function load(): NativeAddonModule;
/** Where the addon for this platform is (it may be missing). */
export const addonPath: string;
/** `${process.platform}-${process.arch}` */
export const platform: string;
