/** The training view's settings as a form: each change gives the whole new set (which the view writes to the URL). */
import { el, labelled } from '../ui';
import { switchModel, TRAIN_BACKENDS, TRAIN_DATASETS, TRAIN_MODELS, type TrainSettings } from './train-settings';

/** How the form names each model. */
export const MODEL_NAMES: Record<string, string> = {
  'vae-mlp': 'MLP VAE',
  'vae-conv': 'conv VAE',
  vqvae: 'VQ-VAE',
  prior: 'PixelCNN prior (over the VQ-VAE’s codes)',
};

/** The form of the settings; `onChange` gets each new set. */
export function settingsForm(settings: TrainSettings, onChange: (settings: TrainSettings) => void): HTMLElement {
  const select = (id: string, choices: readonly string[], value: string, names: Record<string, string> = {}) =>
    el(
      'select',
      { id },
      choices.map((choice) =>
        el('option', { value: choice, text: names[choice] ?? choice, ...(choice === value ? { selected: true } : {}) }),
      ),
    );
  const number = (id: string, value: number, min: number, max: number, step: number | 'any' = 1) =>
    el('input', { id, type: 'number', value, min, max, step });
  const model = select('train-model', TRAIN_MODELS, settings.model, MODEL_NAMES);
  const dataset = select('train-dataset', TRAIN_DATASETS, settings.dataset);
  const backend = select('train-backend-choice', ['auto', ...TRAIN_BACKENDS], settings.backend ?? 'auto');
  const fields = {
    limit: number('train-limit', settings.limit, 0, 60_000, 1),
    epochs: number('train-epochs-count', settings.epochs, 1, 1000),
    batch: number('train-batch', settings.batch, 1, 4096),
    lr: number('train-lr', settings.lr, 1e-7, 10, 'any'),
    beta: number('train-beta', settings.beta, 0, 1000, 'any'),
    seed: number('train-seed', settings.seed, 0, 2 ** 31 - 1),
    latent: number('train-latent', settings.latent, 1, 512),
  };
  const conditional = el('input', {
    id: 'train-conditional',
    type: 'checkbox',
    ...(settings.conditional ? { checked: true } : {}),
  });
  const labels: [string, HTMLElement, string][] = [
    ['model', model, ''],
    ['data', dataset, ''],
    ['training images (0: all)', fields.limit, ''],
    ['epochs', fields.epochs, ''],
    ['batch', fields.batch, ''],
    ['learning rate', fields.lr, ''],
    ['β', fields.beta, 'vae vqvae'],
    ['seed', fields.seed, ''],
    ['latent size (2: a manifold)', fields.latent, 'vae'],
    ['conditional on the class', conditional, 'prior'],
    ['backend', backend, ''],
  ];
  const form = el('div', { id: 'train-form', class: 'controls form' });
  const items = labels.map(([text, control, only]) => {
    const label = labelled(text, control);
    label.dataset.only = only;
    form.append(label);
    return label;
  });
  const showFor = (current: string) => {
    for (const label of items) {
      const only = label.dataset.only ?? '';
      label.hidden = only !== '' && !only.split(' ').some((kind) => current.startsWith(kind));
    }
  };
  showFor(settings.model);
  const read = (): TrainSettings => ({
    ...settings,
    model: model.value as TrainSettings['model'],
    dataset: dataset.value as TrainSettings['dataset'],
    backend: backend.value === 'auto' ? null : (backend.value as TrainSettings['backend']),
    limit: Math.round(Number(fields.limit.value)),
    epochs: Math.round(Number(fields.epochs.value)),
    batch: Math.round(Number(fields.batch.value)),
    lr: Number(fields.lr.value),
    beta: Number(fields.beta.value),
    seed: Math.round(Number(fields.seed.value)),
    latent: Math.round(Number(fields.latent.value)),
    conditional: conditional.checked,
    autostart: false,
  });
  model.addEventListener('change', () => {
    // another model: its own defaults (those the form does not show too), the data and backend kept
    settings = switchModel(settings, model.value as TrainSettings['model']);
    for (const [name, input] of Object.entries(fields)) input.value = String(settings[name as keyof typeof fields]);
    conditional.checked = settings.conditional;
    showFor(model.value);
    settings = read();
    onChange(settings);
  });
  form.addEventListener('change', (event) => {
    if (event.target === model) return;
    settings = read();
    onChange(settings);
  });
  return form;
}
