// The details panel under the views: which backend runs and why, where the models came from. Kept out of the way
// (a closed <details>) because it is for the curious, not what a visitor first needs.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendReport } from './backend';
import type { DemoModels } from './models';
import { MODEL_ROLES, type ModelRole } from './settings';
import { el } from './ui';

/** Fills the panel: the backend line, the models folder, and one line per model role. */
export function describeRun(panel: HTMLElement, backend: BackendReport, models: DemoModels, modelsBase: string): void {
  const skipped = backend.skipped.length ? ` (skipped ${backend.skipped.join('; ')})` : '';
  const list = el(
    'ul',
    { id: 'model-list' },
    MODEL_ROLES.map((role) => modelLine(models, role)),
  );
  panel.append(
    el('p', {
      id: 'backend-detail',
      class: 'note',
      text: `tfjs ${tf.version_core}, ${backend.name}: ${backend.detail}${skipped}`,
    }),
    el('p', { class: 'note', text: `models from ${modelsBase}` }),
    list,
  );
}

/** `vae: mlp vae, latentDim 2, epoch 4 (url)`; a failed role points at the error shown above (not repeated here). */
function modelLine(models: DemoModels, role: ModelRole): HTMLElement {
  const model = models[role];
  const source = models.sources[role];
  if (!model || !source) {
    const text = models.errors[role] ? `${role}: did not load (see the error above)` : `${role}: not configured`;
    return el('li', { 'data-role': role, text });
  }
  const epoch = source.info?.epoch === undefined ? '' : `, epoch ${source.info.epoch}`;
  return el('li', { 'data-role': role, text: `${role}: ${modelSummary(models, role)}${epoch} (${source.location})` });
}

function modelSummary(models: DemoModels, role: ModelRole): string {
  if (role === 'vae' && models.vae) {
    const { kind, arch, latentDim, inputShape } = models.vae.config;
    return `${kind} ${arch}, images ${inputShape.join('×')}, latentDim ${latentDim}`;
  }
  if (role === 'vqvae' && models.vqvae) {
    const { codebookSize, dim, inputShape } = models.vqvae.config;
    return `K = ${codebookSize} codes of D = ${dim}, images ${inputShape.join('×')}`;
  }
  const config = models.pixelcnn?.config;
  return config ? `${config.architecture}, ${config.height}×${config.width} maps of ${config.numCategories} codes` : '';
}
