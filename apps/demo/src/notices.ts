// What the page says when something is missing or wrong: one error element per failure (in the page's error list),
// and an empty state in a view whose model is not there, saying what to do instead of repeating the error.
import type { ModelRole } from './settings';
import { el } from './ui';

/** Lists errors in `list` (class `error`, one `<li>` per failure); returns the function that adds one. */
export function createErrorList(list: HTMLElement): (error: unknown) => void {
  return (error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    list.append(el('li', { class: 'error', text }));
    list.hidden = false;
    document.body.dataset.errors = String(list.children.length);
    console.error(error);
  };
}

/** How to make each role's model with the `vaejs` CLI (the recipes of scripts/train-models.sh). */
const TRAIN_COMMANDS: Record<ModelRole, string> = {
  vae: 'npx vaejs train --model vae --arch mlp --latent-dim 2 --out runs/vae',
  vqvae: 'npx vaejs train --config apps/trainer/recipes/mnist-vqvae.json --out runs/vqvae',
  pixelcnn:
    'npx vaejs encode --run runs/vqvae --out runs/codes\nnpx vaejs prior train --codes runs/codes --out runs/pixelcnn',
};

const ROLE_NAMES: Record<ModelRole, string> = { vae: 'a VAE', vqvae: 'a VQ-VAE', pixelcnn: 'a PixelCNN prior' };

/**
 * A view's empty state for a missing model: why (not loaded, or failed: see the error above) and the CLI command that
 * trains one, with the URL parameter that opens it.
 */
export function emptyState(container: HTMLElement, role: ModelRole, failed: boolean): void {
  const why = failed ? 'it did not load (the error is shown above)' : 'none is configured';
  container.append(
    el('div', { class: 'empty', 'data-empty': role }, [
      el('p', { text: `This view needs ${ROLE_NAMES[role]}, and ${why}. Train one with the vaejs CLI:` }),
      el('pre', {}, [el('code', { text: TRAIN_COMMANDS[role] })]),
      el('p', {
        class: 'note',
        text: `then serve the runs folder and open this page with ?models=<folder>&${role}=<run>/.`,
      }),
    ]),
  );
}

/** A view that does not apply to the loaded model (e.g. the manifold of a VAE whose latent space is not 2-D). */
export function notApplicable(container: HTMLElement, text: string): void {
  container.append(el('div', { class: 'empty', 'data-empty': 'not-applicable' }, [el('p', { text })]));
}

/** A view that picks from the test images when they did not load. */
export function testImagesMissing(container: HTMLElement): void {
  notApplicable(container, 'This view picks from the test images, which did not load (the error is shown above).');
}
