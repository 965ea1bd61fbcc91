// The page's own part of loading models: one message per role, each starting with the role, collected rather than
// thrown. Locating and reading a model over HTTP is @vaejs/training's (run-folder/http-source.test.ts).
import { describe, expect, it } from 'vitest';
import { loadModels, loadRole } from './models';

const BASE = 'http://localhost/models/';

function fakeFetch(files: Record<string, unknown>) {
  return async (url: string) =>
    url in files
      ? new Response(JSON.stringify(files[url]))
      : new Response('', { status: 404, statusText: 'Not Found' });
}

const info = (kind: string) => ({ format: 'vaejs-checkpoint', version: 1, kind, epoch: 2, step: 10, state: {} });

describe('loadModels', () => {
  it('collects one message per configured role, each naming the role, and skips the roles switched off', async () => {
    const fetcher = fakeFetch({
      [`${BASE}prior/checkpoint.json`]: info('pixelcnn'),
      [`${BASE}prior/pixelcnn.json`]: { format: 'vaejs-pixelcnn', version: 1, parts: ['network'], config: {} },
    });
    const models = await loadModels(fetcher, { vae: `${BASE}missing/`, vqvae: `${BASE}prior/`, pixelcnn: null });
    expect([models.vae, models.vqvae, models.pixelcnn, models.sources]).toEqual([null, null, null, {}]);
    expect(models.errors).toEqual({
      vae: `vae: checkpoint: expected ${BASE}missing/ a run folder with a checkpoint or a checkpoint folder, got neither.`,
      vqvae: `vqvae: checkpoint: expected a vqvae checkpoint, got a pixelcnn one (${BASE}prior/).`,
    });
  });

  it("names the model's folder when the model itself does not load", async () => {
    const fetcher = fakeFetch({
      [`${BASE}vae/checkpoint.json`]: info('vae'),
      [`${BASE}vae/vae.json`]: { format: 'vaejs-vae', version: 1, parts: ['encoder', 'decoder'], config: {} },
    });
    await expect(loadRole(fetcher, 'vae', `${BASE}vae/`)).rejects.toThrow(
      new RegExp(`^vae: loadVae: expected manifest\\.config a valid config, .* \\(model at ${BASE}vae/\\)$`),
    );
  });
});
