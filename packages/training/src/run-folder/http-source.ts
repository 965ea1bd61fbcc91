/**
 * A run folder over HTTP, for pages that read runs (the browser demo): files fetched relative to the folder's URL,
 * parts read through `httpIO`, with the checks the Node reader makes. HTTP cannot list a folder: the newest checkpoint
 * of a run is the one `checkpoints/latest.json` names.
 */
import { CheckpointError, formatExpected } from '@vaejs/core';
import {
  CHECKPOINT_INFO_FILE,
  CHECKPOINTS_DIR,
  checkCheckpointInfo,
  checkModelManifest,
  LATEST_FILE,
  manifestFileName,
  parseLatest,
} from '../run-format';
import { fetchJsonIfPresent, type HttpFetcher, httpIO } from './http-io';
import type { RunSource } from './run-source';

/**
 * The run, checkpoint or model folder at `url` (absolute, or relative to the page; a missing final `/` is added).
 * @param fetcher how to fetch (default: the global `fetch`)
 * @example const checkpoint = await reader.locate(httpRunSource('models/vae/'), { kinds: ['vae'] });
 */
export function httpRunSource(url: string, fetcher?: HttpFetcher): RunSource {
  const base = url.endsWith('/') ? url : `${url}/`;
  const fetchWith: HttpFetcher = fetcher ?? ((address) => globalThis.fetch(address));
  const readJson = (path: string) => fetchJsonIfPresent(fetchWith, `${base}${path}`, path);
  const source: RunSource = {
    location: base,
    exists: async () => true,
    readJson,
    async checkpoint() {
      const info = await readJson(CHECKPOINT_INFO_FILE);
      if (info === null) return null;
      const checked = checkCheckpointInfo(info, `${base}${CHECKPOINT_INFO_FILE}`);
      const manifestUrl = `${base}${manifestFileName(checked.kind)}`;
      const manifest = await readJson(manifestFileName(checked.kind));
      if (manifest === null) throw new CheckpointError(formatExpected('checkpoint', 'file', manifestUrl, 'none'));
      return { location: base, info: checked, manifest: checkModelManifest(manifest, manifestUrl), io: source.io };
    },
    async latestCheckpoint() {
      const latestPath = `${CHECKPOINTS_DIR}/${LATEST_FILE}`;
      const latest = await readJson(latestPath);
      if (latest === null) return null;
      const name = parseLatest(latest, `${base}${latestPath}`);
      return httpRunSource(`${base}${CHECKPOINTS_DIR}/${name}/`, fetcher).checkpoint();
    },
    io: (part) => httpIO(base, part, fetcher),
    parentRun() {
      const match = /^(.*\/)([^/]+)\/[^/]+\/$/.exec(base);
      return match?.[2] === CHECKPOINTS_DIR ? httpRunSource(match[1] as string, fetcher) : null;
    },
  };
  return source;
}
