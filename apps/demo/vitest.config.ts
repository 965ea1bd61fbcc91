import { vaejsProject } from '../../vitest.shared';

// Unit tests of the page's pure modules (src/) and the end-to-end tests in headless Chromium (test/), which build
// the page when needed (~30 s), serve it and compare its canvases with the same models run in Node on the cpu backend.
export default vaejsProject('@vaejs/demo', {
  testTimeout: 120_000,
  hookTimeout: 240_000,
});
