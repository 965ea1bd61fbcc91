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
/** A checkpoint.json as fit writes it (the fields runFormat.checkCheckpointInfo requires). */
const info = (kind: string, epoch = 0) => ({
  format: 'vaejs-checkpoint',
  version: 1,
  kind,
  epoch,
  step: 10,
  state: {},
});

describe('locateCheckpoint', () => {
  it('follows a run folder to the checkpoint latest.json names', async () => {
    const fetcher = fakeFetch({
      [`${BASE}run/checkpoints/latest.json`]: { checkpoint: 'epoch-0003' },
      [`${BASE}run/checkpoints/epoch-0003/checkpoint.json`]: info('vae', 3),
      [`${BASE}run/checkpoints/epoch-0003/vae.json`]: VAE_MANIFEST,
    });
    const location = await locateCheckpoint(fetcher, 'vae', `${BASE}run/`);
    expect(location).toEqual({
      checkpointUrl: `${BASE}run/checkpoints/epoch-0003/`,
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
    expect((await locateCheckpoint(fetcher, 'vae', `${BASE}a/`)).checkpointUrl).toBe(`${BASE}a/`);
    const bare = await locateCheckpoint(fetcher, 'vae', `${BASE}b/`);
    expect(bare.info).toBeNull();
    expect(bare.manifest).toEqual(VAE_MANIFEST);
  });

  it('says when nothing is there, and when the model is of another kind', async () => {
    const fetcher = fakeFetch({
      [`${BASE}prior/checkpoint.json`]: info('pixelcnn'),
      [`${BASE}bare-prior/pixelcnn.json`]: { format: 'vaejs-pixelcnn' },
      [`${BASE}odd/checkpoints/latest.json`]: { checkpoint: '../../etc' },
      [`${BASE}slash/checkpoints/latest.json`]: { checkpoint: 'epoch-0003/../../../x' },
      [`${BASE}other/checkpoint.json`]: { format: 'something' },
      [`${BASE}partial/checkpoint.json`]: { format: 'vaejs-checkpoint', version: 1, kind: 'vae', epoch: 1 },
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
      /^vae: checkpoint: expected http:\/\/localhost\/models\/odd\/checkpoints\/latest\.json to name a checkpoint folder of this run \(.+\), got '\.\.\/\.\.\/etc'\.$/,
    );
    await expect(fails('slash')).rejects.toThrow(
      /^vae: checkpoint: expected .+, got 'epoch-0003\/\.\.\/\.\.\/\.\.\/x'\.$/,
    );
    await expect(fails('other')).rejects.toThrow(
      /^vae: checkpoint: expected http:\/\/localhost\/models\/other\/checkpoint\.json format 'vaejs-checkpoint', got 'something'\.$/,
    );
    await expect(fails('partial')).rejects.toThrow(
      /^vae: checkpoint: expected .+partial\/checkpoint\.json step an integer ≥ 0, got undefined\.$/,
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
