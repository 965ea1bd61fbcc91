/**
 * The browser's counterpart of the Node `fileIO`: a tfjs IOHandler that loads a part of a checkpoint over HTTP
 * (`<checkpoint>/<part>/model.json` and its weight files) with the same containment rules. tfjs' own
 * `browserHTTPRequest` follows any weight path a `model.json` names (`../../x`, another origin) and takes weights of
 * any size, NaN included; this handler refuses them, naming the part.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, describeValue, formatExpected } from '@vaejs/core';
import { checkFiniteWeights, checkWeightsManifest, PART_MODEL_FILE, type WeightsGroup } from '../run-format';

/** How `httpIO` fetches: `fetch` by default; tests and pages may pass their own. */
export type HttpFetcher = (url: string) => Promise<Response>;

const FN = 'load';
const PART_NAME = /^[\w.-]+$/;

/**
 * The JSON at `url`, or null for a file that is not there (HTTP 404).
 * @throws CheckpointError naming `what` and the URL for a network failure, another HTTP error or a body that is not JSON
 */
export async function fetchJsonIfPresent(fetcher: HttpFetcher, url: string, what: string): Promise<unknown> {
  const response = await fetchResponse(fetcher, url, what);
  if (response.status === 404) return null;
  if (!response.ok) throw httpError(response, url, what);
  return parseJson(await response.text(), url);
}

/**
 * A tfjs IOHandler that loads the part `part` of the checkpoint at `baseUrl` (a folder URL: `<baseUrl>/<part>/model.json`
 * + its weight files), as written by the Node `fileIO`, with the Node loader's checks: weight paths are plain file
 * names resolved inside the part's folder, the weights have exactly the size their specs say, and every float is
 * finite. Load only (a page does not save over HTTP).
 * @param baseUrl the checkpoint folder, absolute or relative to the page (`models/vae/`; a missing final `/` is added)
 * @param part the part's folder name (`encoder`, `decoder`, `network`…)
 * @param fetcher how to fetch (default: the global `fetch`)
 * @throws CheckpointError from `load()`, naming the part (and the tensor for a non-finite weight)
 * @example
 * const vae = await loadVae(manifest, (part) => httpIO('models/vae/', part));
 */
export function httpIO(baseUrl: string, part: string, fetcher?: HttpFetcher): tf.io.IOHandler {
  if (typeof baseUrl !== 'string' || baseUrl === '') {
    throw new CheckpointError(formatExpected('httpIO', 'baseUrl', 'a folder URL', describeValue(baseUrl)));
  }
  if (typeof part !== 'string' || !PART_NAME.test(part) || part === '.' || part === '..') {
    throw new CheckpointError(formatExpected('httpIO', 'part', 'a plain folder name', describeValue(part)));
  }
  const fetchWith: HttpFetcher = fetcher ?? ((url) => globalThis.fetch(url));
  const partUrl = `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}${part}/`;
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelUrl = `${partUrl}${PART_MODEL_FILE}`;
      const text = await (await fetchOk(fetchWith, modelUrl, `part '${part}' ${PART_MODEL_FILE}`)).text();
      const modelJson = parseJson(text, modelUrl) as tf.io.ModelJSON;
      const expectedBytes = checkWeightsManifest(part, modelJson?.weightsManifest);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const groups = manifest as unknown as WeightsGroup[];
        // checkWeightsManifest let only plain file names through: each resolves inside the part's folder
        const buffers = await Promise.all(
          groups.flatMap((group) =>
            group.paths.map(async (path) =>
              (await fetchOk(fetchWith, `${partUrl}${path}`, `part '${part}' weights ${path}`)).arrayBuffer(),
            ),
          ),
        );
        const weightData = tf.io.CompositeArrayBuffer.join(buffers);
        if (weightData.byteLength !== expectedBytes) {
          throw new CheckpointError(
            formatExpected(
              FN,
              `part '${part}' weights`,
              `exactly ${expectedBytes} bytes`,
              `${weightData.byteLength} bytes`,
            ),
          );
        }
        checkFiniteWeights(part, groups, weightData);
        return [groups.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[], weightData];
      });
    },
  };
}

// helpers

/** `url`'s response, or a CheckpointError naming the part, the file and the URL (network failure, HTTP error). */
async function fetchOk(fetcher: HttpFetcher, url: string, what: string): Promise<Response> {
  const response = await fetchResponse(fetcher, url, what);
  if (!response.ok) throw httpError(response, url, what);
  return response;
}

async function fetchResponse(fetcher: HttpFetcher, url: string, what: string): Promise<Response> {
  try {
    return await fetcher(url);
  } catch (error) {
    throw new CheckpointError(formatExpected(FN, what, `at ${url}`, `a network error (${(error as Error).message})`));
  }
}

function httpError(response: Response, url: string, what: string): CheckpointError {
  const status = `HTTP ${response.status} ${response.statusText}`.trim();
  return new CheckpointError(formatExpected(FN, what, `at ${url}`, status));
}

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(formatExpected(FN, url, 'valid JSON', `a parse error (${(error as Error).message})`));
  }
}
