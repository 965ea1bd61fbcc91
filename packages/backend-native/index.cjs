'use strict';
// Loads the prebuilt addon for this platform (prebuilds/<platform>-<arch>/vaejs_native.node, beside the oneDNN
// libraries it loads through its $ORIGIN rpath). Nothing is compiled or downloaded here or at install time.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const platform = `${process.platform}-${process.arch}`;
const addonPath = join(__dirname, 'prebuilds', platform, 'vaejs_native.node');

/** Why there is no prebuild here, in a few words. */
function missingReason() {
  try {
    const skipped = JSON.parse(readFileSync(join(__dirname, 'build-skipped.json'), 'utf8'));
    if (skipped.platform === platform) return `no prebuilt addon for ${platform}: ${skipped.reason}`;
  } catch {}
  return `no prebuilt addon for ${platform} in @vaejs/backend-native`;
}

/** Loads the addon; throws an Error saying why when it cannot (no prebuild, not glibc, a library that fails to load). */
function load() {
  if (!existsSync(addonPath)) throw new Error(missingReason());
  const report = process.report?.getReport?.();
  if (report?.header && !report.header.glibcVersionRuntime)
    throw new Error('the prebuilt addon needs glibc (not musl)');
  return require(addonPath);
}

module.exports = { load, addonPath, platform };
