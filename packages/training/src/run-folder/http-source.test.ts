// Locating a model over HTTP as the browser demo does (these cases came from the demo's own locator, now this one).
import { CheckpointError, type ModelLoader } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import type { HttpFetcher } from './http-io';
import { httpRunSource } from './http-source';
import { createRunReader } from './run-reader';

const BASE = 'http://localhost/models/';

function fakeFetch(files: Record<string, unknown>): HttpFetcher {
  return async (url: string) =>
    url in files
      ? new Response(typeof files[url] === 'string' ? (files[url] as string) : JSON.stringify(files[url]))
      : new Response('', { status: 404, statusText: 'Not Found' });
}

/** Loaders of the demo's three kinds; locating never loads. */
const loader = (kind: string): ModelLoader => ({
  kind,
  load: () => Promise.reject(new Error('not loaded here')),
  create: () => {
    throw new Error('not created here');
  },
});
const reader = createRunReader(['vae', 'vqvae', 'pixelcnn'].map(loader));

const VAE_MANIFEST = { format: 'vaejs-vae', version: 1, parts: ['encoder', 'decoder'] };
/** A checkpoint.json as fit writes it (the fields runFormat.checkCheckpointInfo requires). */
const info = (kind: string, epoch = 0) => ({
  format: 'vaejs-checkpoint',
  version: 1,
  kind,
  epoch,
  step: 10,
  state: {},
});

describe('httpRunSource with createRunReader', () => {
  it('follows a run folder to the checkpoint latest.json names', async () => {
    const fetcher = fakeFetch({
      [`${BASE}run/checkpoints/latest.json`]: { checkpoint: 'epoch-0003' },
      [`${BASE}run/checkpoints/epoch-0003/checkpoint.json`]: info('vae', 3),
      [`${BASE}run/checkpoints/epoch-0003/vae.json`]: VAE_MANIFEST,
    });
    const location = await reader.locate(httpRunSource(`${BASE}run/`, fetcher), { kinds: ['vae'] });
    expect(location).toMatchObject({
      location: `${BASE}run/checkpoints/epoch-0003/`,
      kind: 'vae',
      info: info('vae', 3),
      manifest: VAE_MANIFEST,
    });
  });

  it('reads a checkpoint folder, or a bare folder with only the manifest', async () => {
    const fetcher = fakeFetch({
      [`${BASE}a/checkpoint.json`]: info('vae'),
      [`${BASE}a/vae.json`]: VAE_MANIFEST,
      [`${BASE}b/vae.json`]: VAE_MANIFEST,
    });
    expect((await reader.locate(httpRunSource(`${BASE}a/`, fetcher))).location).toBe(`${BASE}a/`);
    const bare = await reader.locate(httpRunSource(`${BASE}b`, fetcher), { kinds: ['vae'] });
    expect(bare.info).toBeNull();
    expect(bare.manifest).toEqual(VAE_MANIFEST);
  });

  it('says when nothing is there, and when the model is of another kind', async () => {
    const fetcher = fakeFetch({
      [`${BASE}prior/checkpoint.json`]: info('pixelcnn'),
      [`${BASE}prior/pixelcnn.json`]: { format: 'vaejs-pixelcnn', parts: ['network'] },
      [`${BASE}bare-prior/pixelcnn.json`]: { format: 'vaejs-pixelcnn', parts: ['network'] },
      [`${BASE}odd/checkpoints/latest.json`]: { checkpoint: '../../etc' },
      [`${BASE}slash/checkpoints/latest.json`]: { checkpoint: 'epoch-0003/../../../x' },
      [`${BASE}other/checkpoint.json`]: { format: 'something' },
      [`${BASE}partial/checkpoint.json`]: { format: 'vaejs-checkpoint', version: 1, kind: 'vae', epoch: 1 },
      [`${BASE}no-manifest/checkpoint.json`]: info('vae'),
      [`${BASE}escaping-part/vae.json`]: { ...VAE_MANIFEST, parts: ['../encoder'] },
    });
    const fails = (folder: string) =>
      reader.locate(httpRunSource(`${BASE}${folder}/`, fetcher), { kinds: ['vae'], fn: 'vae' });
    await expect(fails('missing')).rejects.toThrow(
      /^vae: expected http:\/\/localhost\/models\/missing\/ a run folder with a checkpoint or a checkpoint folder, got neither\.$/,
    );
    await expect(fails('prior')).rejects.toThrow(
      /^vae: expected a vae checkpoint, got a pixelcnn one \(http:\/\/localhost\/models\/prior\/\)\.$/,
    );
    await expect(fails('bare-prior')).rejects.toThrow(
      /^vae: expected a vae checkpoint, got a pixelcnn one \(http:\/\/localhost\/models\/bare-prior\/\)\.$/,
    );
    await expect(fails('odd')).rejects.toThrow(
      /^checkpoint: expected http:\/\/localhost\/models\/odd\/checkpoints\/latest\.json to name a checkpoint folder of this run \(.+\), got '\.\.\/\.\.\/etc'\.$/,
    );
    await expect(fails('slash')).rejects.toThrow(/^checkpoint: expected .+, got 'epoch-0003\/\.\.\/\.\.\/\.\.\/x'\.$/);
    await expect(fails('other')).rejects.toThrow(
      /^checkpoint: expected http:\/\/localhost\/models\/other\/checkpoint\.json format 'vaejs-checkpoint', got 'something'\.$/,
    );
    await expect(fails('partial')).rejects.toThrow(
      /^checkpoint: expected .+partial\/checkpoint\.json step an integer ≥ 0, got undefined\.$/,
    );
    await expect(fails('no-manifest')).rejects.toThrow(
      /^checkpoint: expected file http:\/\/localhost\/models\/no-manifest\/vae\.json, got none\.$/,
    );
    await expect(fails('escaping-part')).rejects.toThrow(
      /^checkpoint: expected http:\/\/localhost\/models\/escaping-part\/vae\.json parts plain part names, got \["\.\.\/encoder"\]\.$/,
    );
    await expect(fails('missing')).rejects.toBeInstanceOf(CheckpointError);
  });

  it('reports a network failure and an HTTP error with the URL', async () => {
    const down: HttpFetcher = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(reader.locate(httpRunSource(`${BASE}x/`, down))).rejects.toThrow(
      /^load: expected checkpoint\.json at http:\/\/localhost\/models\/x\/checkpoint\.json, got a network error \(Failed to fetch\)\.$/,
    );
    const failing: HttpFetcher = async () => new Response('', { status: 500, statusText: 'Server Error' });
    await expect(reader.locate(httpRunSource(`${BASE}x/`, failing))).rejects.toThrow(
      /^load: expected checkpoint\.json at http:\/\/localhost\/models\/x\/checkpoint\.json, got HTTP 500 Server Error\.$/,
    );
    const html: HttpFetcher = async () => new Response('<!doctype html>');
    await expect(reader.locate(httpRunSource(`${BASE}x/`, html))).rejects.toThrow(
      /^load: expected http:\/\/localhost\/models\/x\/checkpoint\.json valid JSON, got a parse error \(.*\)\.$/,
    );
  });
});
