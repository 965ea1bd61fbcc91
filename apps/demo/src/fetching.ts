import { CheckpointError } from '@vaejs/core';

/** How the page fetches (the tests pass a fake). */
export type Fetcher = (url: string) => Promise<Response>;

/** Fetches `url`; a network failure or an HTTP error becomes a CheckpointError naming what was loaded. */
export async function fetchOk(fetcher: Fetcher, url: string, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    throw new CheckpointError(`could not load ${what} from ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    throw new CheckpointError(
      `could not load ${what} from ${url}: HTTP ${response.status} ${response.statusText}`.trim(),
    );
  }
  return response;
}

/** Fetches and parses JSON; a 404 gives `null` (for files that may be absent), broken JSON a CheckpointError. */
export async function fetchJsonIfPresent(fetcher: Fetcher, url: string, what: string): Promise<unknown | null> {
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    throw new CheckpointError(`could not load ${what} from ${url}: ${(error as Error).message}`);
  }
  if (response.status === 404) return null;
  if (!response.ok) throw new CheckpointError(`could not load ${what} from ${url}: HTTP ${response.status}`);
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CheckpointError(`${what} at ${url} is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * A fetcher that asks for each URL once while the page starts: the page reads the models' files while the backend
 * starts (no tensors needed), and the run reader reads them again when it builds the models, from here. Each caller
 * gets its own clone of the response.
 */
export function onceFetcher(fetcher: Fetcher): Fetcher & { clear(): void } {
  const responses = new Map<string, Promise<Response>>();
  const once = (url: string) => {
    let response = responses.get(url);
    if (!response) {
      response = fetcher(url);
      responses.set(url, response);
    }
    return response.then((original) => original.clone());
  };
  return Object.assign(once, { clear: () => responses.clear() });
}
