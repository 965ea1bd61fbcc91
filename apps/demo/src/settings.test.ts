import { describe, expect, it } from 'vitest';
import { readSettings } from './settings';

const PAGE = 'http://localhost:4173/';
const BUILT_IN = 'http://localhost:4173/models/';

/** A fetch that serves the given JSON files and 404s everything else, recording what was asked. */
function fakeFetch(files: Record<string, unknown>) {
  const asked: string[] = [];
  const fetcher = async (url: string) => {
    asked.push(url);
    if (!(url in files)) return new Response('not found', { status: 404, statusText: 'Not Found' });
    const body = files[url];
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200 });
  };
  return { fetcher, asked };
}

describe('readSettings', () => {
  it('defaults to the built-in models folder, one folder per role, and the built-in test images', async () => {
    const { fetcher, asked } = fakeFetch({});
    const settings = await readSettings(PAGE, BUILT_IN, fetcher);
    expect(settings).toEqual({
      modelsBase: BUILT_IN,
      models: { vae: `${BUILT_IN}vae/`, vqvae: `${BUILT_IN}vqvae/`, pixelcnn: `${BUILT_IN}pixelcnn/` },
      testImages: `${BUILT_IN}test-images.bin`,
      backend: null,
    });
    expect(asked).toEqual([`${BUILT_IN}index.json`]);
  });

  it('reads ?models= with its index.json, lets ?vae= override it and `none` switch a role off', async () => {
    const { fetcher } = fakeFetch({
      'http://localhost:4173/user-models/index.json': { vae: 'runs/vae-2d', pixelcnn: null, testImages: 'fashion.bin' },
    });
    const settings = await readSettings(`${PAGE}?models=/user-models&vqvae=none&backend=wasm`, BUILT_IN, fetcher);
    expect(settings.modelsBase).toBe('http://localhost:4173/user-models/');
    expect(settings.models).toEqual({
      vae: 'http://localhost:4173/user-models/runs/vae-2d/',
      vqvae: null,
      pixelcnn: null,
    });
    expect(settings.testImages).toBe('http://localhost:4173/user-models/fashion.bin');
    expect(settings.backend).toBe('wasm');
    const overridden = await readSettings(`${PAGE}?models=/user-models/&vae=other/`, BUILT_IN, fetcher);
    expect(overridden.models.vae).toBe('http://localhost:4173/user-models/other/');
  });

  it('rejects an unknown backend and an index.json that is not an object', async () => {
    await expect(readSettings(`${PAGE}?backend=gpu`, BUILT_IN, fakeFetch({}).fetcher)).rejects.toThrow(
      /^page: expected \?backend= one of webgl, wasm, cpu, got 'gpu'\.$/,
    );
    const { fetcher } = fakeFetch({ [`${BUILT_IN}index.json`]: ['vae'] });
    await expect(readSettings(PAGE, BUILT_IN, fetcher)).rejects.toThrow(
      /^http:\/\/localhost:4173\/models\/index\.json: expected an object like \{"vae": "vae\/"\}, got \["vae"\]\.$/,
    );
    const broken = fakeFetch({ [`${BUILT_IN}index.json`]: '{"vae": ' });
    await expect(readSettings(PAGE, BUILT_IN, broken.fetcher)).rejects.toThrow(
      /^the models index at http:\/\/localhost:4173\/models\/index\.json is not valid JSON \(.+\)$/,
    );
  });
});
