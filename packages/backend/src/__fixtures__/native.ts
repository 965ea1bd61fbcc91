// The native addon for tests: loaded once. Where it is not built (no oneDNN on a developer's machine) the native tests
// say why and do not run; on CI (CI=true, where scripts/ci.sh builds the addon) a missing addon fails the suite.
import { expect, it } from 'vitest';
import { loadNativeAddon, type NativeLoadResult } from '../load-native';

export const native: NativeLoadResult = await loadNativeAddon();

if (native.addon == null) {
  console.warn(`native kernel tests not run here: ${native.reason}`);
}

/** One test that fails on CI when the addon did not load (so the native tests can never be skipped there). */
export function itLoadsOnCi(): void {
  it('loads the native addon on CI (scripts/ci.sh builds it)', () => {
    if (process.env.CI) expect(native.reason).toBeNull();
    else expect(native.reason === null || typeof native.reason === 'string').toBe(true);
  });
}
