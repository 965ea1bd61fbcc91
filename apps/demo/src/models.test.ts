import { CheckpointError } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { locateCheckpoint } from './models';

const BASE = 'http://localhost/models/';

function fakeFetch(files: Record<string, unknown>) {
  return async (url: string) =>
    url in files
      ? new Response(typeof files[url] === 'string' ? (files[url] as string) : JSON.stringify(files[url]))
      : new Response('', { status: 404, statusText: 'Not Found' });
}

const VAE_MANIFEST = { format: 'vaejs-vae', version: 1 };

describe('locateCheckpoint', () => {
  it('follows a run folder to the checkpoint latest.json names', async () => {
    const fetcher = fakeFetch({
      [`${BASE}run/checkpoints/latest.json`]: { checkpoint: 'epoch-0003' },
      [`${BASE}run/checkpoints/epoch-0003/checkpoint.json`]: { format: 'vaejs-checkpoint', kind: 'vae', epoch: 3 },
      [`${BASE}run/checkpoints/epoch-0003/vae.json`]: VAE_MANIFEST,
    });
    const location = await locateCheckpoint(fetcher, 'vae', `${BASE}run/`);
    expect(location).toEqual({
      checkpointUrl: `${BASE}run/checkpoints/epoch-0003/`,
      info: { format: 'vaejs-checkpoint', kind: 'vae', epoch: 3 },
      manifest: VAE_MANIFEST,
    });
  });

  it('reads a checkpoint folder, or a bare folder with only the manifest', async () => {
    const fetcher = fakeFetch({
      [`${BASE}a/checkpoint.json`]: { format: 'vaejs-checkpoint', kind: 'vae' },
      [`${BASE}a/vae.json`]: VAE_MANIFEST,
      [`${BASE}b/vae.json`]: VAE_MANIFEST,
    });
    expect((await locateCheckpoint(fetcher, 'vae', `${BASE}a/`)).checkpointUrl).toBe(`${BASE}a/`);
    const bare = await locateCheckpoint(fetcher, 'vae', `${BASE}b/`);
    expect(bare.info).toBeNull();
    expect(bare.manifest).toEqual(VAE_MANIFEST);
  });

  it('says when nothing is there, and when the model is of another kind', async () => {
    const fetcher = fakeFetch({
      [`${BASE}prior/checkpoint.json`]: { format: 'vaejs-checkpoint', kind: 'pixelcnn' },
      [`${BASE}bare-prior/pixelcnn.json`]: { format: 'vaejs-pixelcnn' },
      [`${BASE}odd/checkpoints/latest.json`]: { checkpoint: '../../etc' },
      [`${BASE}other/checkpoint.json`]: { format: 'something' },
    });
    const fails = (folder: string) => locateCheckpoint(fetcher, 'vae', `${BASE}${folder}/`);
    await expect(fails('missing')).rejects.toThrow(
      /^vae: no model at http:\/\/localhost\/models\/missing\/ \(found no checkpoints\/latest\.json, checkpoint\.json or vae\.json\)\.$/,
    );
    await expect(fails('prior')).rejects.toThrow(
      /^vae: expected a vae checkpoint at http:\/\/localhost\/models\/prior\/, got a pixelcnn one \(wrong kind of model\)\.$/,
    );
    await expect(fails('bare-prior')).rejects.toThrow(
      /^vae: expected a vae model at http:\/\/localhost\/models\/bare-prior\/, got a pixelcnn one \(pixelcnn\.json; wrong kind of model\)\.$/,
    );
    await expect(fails('odd')).rejects.toThrow(
      /^vae: expected .+latest\.json like \{"checkpoint": "epoch-0003"\}, got \{"checkpoint":"\.\.\/\.\.\/etc"\}\.$/,
    );
    await expect(fails('other')).rejects.toThrow(
      /^vae: expected .+other\/checkpoint\.json format 'vaejs-checkpoint', got "something"\.$/,
    );
    await expect(fails('missing')).rejects.toBeInstanceOf(CheckpointError);
  });

  it('reports a network failure with the URL', async () => {
    const fetcher = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(locateCheckpoint(fetcher, 'vqvae', `${BASE}x/`)).rejects.toThrow(
      /^could not load checkpoints\/latest\.json from http:\/\/localhost\/models\/x\/checkpoints\/latest\.json: Failed to fetch$/,
    );
  });
});
