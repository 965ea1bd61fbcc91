// @vaejs/training, browser-safe entry: fit with callbacks, pause and stop, evaluate, the run-folder format, run folders
// held as files (in memory, in IndexedDB, in zip archives) that fit writes and resumes through its `store` option, and
// the run-folder reader over HTTP and over such files. Node resolves the package to index.node.ts, which adds run
// folders on disk, their reader over files, and file IO.

export { fit } from './browser-fit';
export * from './portable';
