import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointError } from '@vaejs/core';
import { expectNoLeak } from '@vaejs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileIO } from '../node/file-io';
import { type HttpFetcher, httpIO } from './http-io';

const BASE = 'http://models.test/run/checkpoints/epoch-0001/';

/** A fake `fetch` over `files` (URL → body), recording every URL asked for; anything else is a 404. */
function fakeFetch(files: Map<string, string | Uint8Array>): { fetcher: HttpFetcher; asked: string[] } {
  const asked: string[] = [];
  const fetcher: HttpFetcher = async (url) => {
    asked.push(url);
    const body = files.get(url);
    return body === undefined
      ? new Response('not here', { status: 404, statusText: 'Not Found' })
      : new Response(typeof body === 'string' ? body : new Uint8Array(body));
  };
  return { fetcher, asked };
}

/** A part as fileIO writes it: `<part>/model.json` + `<part>/weights.bin`, served at BASE. */
function servedPart(part: string, modelJson: object, weights: Uint8Array): Map<string, string | Uint8Array> {
  return new Map<string, string | Uint8Array>([
    [`${BASE}${part}/model.json`, JSON.stringify(modelJson)],
    [`${BASE}${part}/weights.bin`, weights],
  ]);
}

/** model.json + weights.bin of two named float32 tensors (6 and 2 values): 32 bytes. */
async function twoTensorPart(values: number[] = [1, 2, 3, 4, 5, 6, 7, 8]) {
  const kernel = tf.tensor2d(values.slice(0, 6), [3, 2]);
  const bias = tf.tensor1d(values.slice(6, 8));
  const { data, specs } = await tf.io.encodeWeights([
    { name: 'dense/kernel', tensor: kernel },
    { name: 'dense/bias', tensor: bias },
  ]);
  tf.dispose([kernel, bias]);
  const modelJson = { modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  return { modelJson, weights: new Uint8Array(data), specs };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vaejs-http-io-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('httpIO', () => {
  it('loads a LayersModel that fileIO saved, through fetch, with the same weights', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [3], units: 2, kernelInitializer: 'glorotUniform', name: 'd' })],
    });
    await model.save(fileIO(join(dir, 'decoder'), 'decoder'));
    const files = new Map<string, string | Uint8Array>(
      readdirSync(join(dir, 'decoder')).map((name) => [
        `${BASE}decoder/${name}`,
        new Uint8Array(readFileSync(join(dir, 'decoder', name))),
      ]),
    );
    const { fetcher, asked } = fakeFetch(files);
    await expectNoLeak(async () => {
      const loaded = await tfl.loadLayersModel(httpIO(BASE, 'decoder', fetcher));
      const x = tf.tensor2d([[0.5, -1, 2]]);
      const [expected, actual] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      expect(Array.from(await actual.data())).toEqual(Array.from(await expected.data()));
      tf.dispose([x, expected, actual]);
      loaded.dispose();
    });
    expect(asked).toEqual([`${BASE}decoder/model.json`, `${BASE}decoder/weights.bin`]);
    model.dispose();
  });

  it('returns the specs and bytes of every weight file, in manifest order, from a base URL with or without /', async () => {
    const { specs, weights } = await twoTensorPart();
    const modelJson = {
      modelTopology: {},
      weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs }],
    };
    const files = new Map<string, string | Uint8Array>([
      [`${BASE}network/model.json`, JSON.stringify(modelJson)],
      [`${BASE}network/group1-shard1of2.bin`, weights.slice(0, 20)],
      [`${BASE}network/group1-shard2of2.bin`, weights.slice(20)],
    ]);
    const { fetcher } = fakeFetch(files);
    const artifacts = await httpIO(BASE.replace(/\/$/, ''), 'network', fetcher).load?.();
    expect(artifacts?.weightSpecs?.map((spec) => spec.name)).toEqual(['dense/kernel', 'dense/bias']);
    const decoded = tf.io.decodeWeights(artifacts?.weightData as ArrayBuffer, artifacts?.weightSpecs ?? []);
    expect(Array.from(decoded['dense/kernel']?.dataSync() ?? [])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(decoded['dense/bias']?.dataSync() ?? [])).toEqual([7, 8]);
    tf.dispose(Object.values(decoded));
  });

  it('refuses a weight path that leaves the part folder, before fetching it', async () => {
    const { modelJson, weights } = await twoTensorPart();
    for (const path of ['../../../x', '/etc/passwd', 'http://elsewhere.test/w.bin', 'sub/weights.bin', '..']) {
      const tampered = { ...modelJson, weightsManifest: [{ ...modelJson.weightsManifest[0], paths: [path] }] };
      const { fetcher, asked } = fakeFetch(servedPart('decoder', tampered, weights));
      const load = httpIO(BASE, 'decoder', fetcher).load?.();
      await expect(load).rejects.toBeInstanceOf(CheckpointError);
      await expect(load).rejects.toThrow(
        `checkpoint: expected part 'decoder' weight path a plain file name inside the part folder, got '${path}'.`,
      );
      expect(asked).toEqual([`${BASE}decoder/model.json`]);
    }
  });

  it('refuses weights that are not exactly the size their specs say', async () => {
    const { modelJson, weights } = await twoTensorPart();
    const appended = new Uint8Array(weights.byteLength + 5000);
    appended.set(weights);
    for (const [bytes, size] of [
      [appended, 5032],
      [weights.slice(0, 24), 24],
    ] as const) {
      const { fetcher } = fakeFetch(servedPart('encoder', modelJson, bytes));
      await expect(httpIO(BASE, 'encoder', fetcher).load?.()).rejects.toThrow(
        /^load: expected part 'encoder' weights exactly 32 bytes, got (5032|24) bytes\.$/,
      );
      expect(bytes.byteLength).toBe(size);
    }
  });

  it('refuses non-finite weights, naming the part and the tensor', async () => {
    const { modelJson, weights } = await twoTensorPart([1, 2, 3, 4, 5, 6, Number.NaN, 8]);
    const { fetcher } = fakeFetch(servedPart('quantizer', modelJson, weights));
    await expect(httpIO(BASE, 'quantizer', fetcher).load?.()).rejects.toThrow(
      "checkpoint: expected part 'quantizer' weight 'dense/bias' finite values, got NaN at 0.",
    );
    const infinite = await twoTensorPart([1, 2, 3, Number.POSITIVE_INFINITY, 5, 6, 7, 8]);
    const second = fakeFetch(servedPart('quantizer', infinite.modelJson, infinite.weights));
    await expect(httpIO(BASE, 'quantizer', second.fetcher).load?.()).rejects.toThrow(
      "checkpoint: expected part 'quantizer' weight 'dense/kernel' finite values, got Infinity at 3.",
    );
  });

  it('names the URL of a missing file, a network failure and a model.json that is not JSON', async () => {
    const { modelJson, weights } = await twoTensorPart();
    const noWeights = servedPart('decoder', modelJson, weights);
    noWeights.delete(`${BASE}decoder/weights.bin`);
    await expect(httpIO(BASE, 'decoder', fakeFetch(noWeights).fetcher).load?.()).rejects.toThrow(
      `load: expected part 'decoder' weights weights.bin at ${BASE}decoder/weights.bin, got HTTP 404 Not Found.`,
    );
    await expect(httpIO(BASE, 'encoder', fakeFetch(new Map()).fetcher).load?.()).rejects.toThrow(
      `load: expected part 'encoder' model.json at ${BASE}encoder/model.json, got HTTP 404 Not Found.`,
    );
    const offline: HttpFetcher = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(httpIO(BASE, 'encoder', offline).load?.()).rejects.toThrow(
      `load: expected part 'encoder' model.json at ${BASE}encoder/model.json, got a network error (Failed to fetch).`,
    );
    const html = new Map<string, string | Uint8Array>([[`${BASE}encoder/model.json`, '<!doctype html>']]);
    await expect(httpIO(BASE, 'encoder', fakeFetch(html).fetcher).load?.()).rejects.toThrow(
      new RegExp(`^load: expected ${BASE}encoder/model\\.json valid JSON, got a parse error \\(.+\\)\\.$`),
    );
    const noManifest = new Map<string, string | Uint8Array>([[`${BASE}encoder/model.json`, '{"modelTopology":{}}']]);
    await expect(httpIO(BASE, 'encoder', fakeFetch(noManifest).fetcher).load?.()).rejects.toThrow(
      "checkpoint: expected part 'encoder' weightsManifest an array, got undefined.",
    );
  });

  it('takes only a plain part name and a base URL', () => {
    expect(() => httpIO(BASE, '../decoder')).toThrow("httpIO: expected part a plain folder name, got '../decoder'.");
    expect(() => httpIO(BASE, '..')).toThrow("httpIO: expected part a plain folder name, got '..'.");
    expect(() => httpIO('', 'decoder')).toThrow("httpIO: expected baseUrl a folder URL, got ''.");
  });
});
