/**
 * The training view (`?view=train`): the settings (in the URL, so that a link reproduces a run), Start, Pause, Resume
 * and Stop, and, live, the loss parts of every step, the test loss and the pictures of every epoch, the speed and the
 * backend — drawn here on the main thread from what the worker (worker.ts) posts, which trains. The runs are kept in
 * IndexedDB (a reload continues where it stopped) and download as one zip the `vaejs` CLI reads.
 */
import { el } from '../ui';
import { createLossCharts } from './charts';
import { addEpochRow, drawPictures, epochsHeader } from './epoch-views';
import { type KeptRun, keptRun } from './kept-runs';
import { mountKeptRuns } from './kept-runs-panel';
import type { FromWorker, ServedFiles, ToWorker } from './protocol';
import { cliCommand, cliRunInfo, runName } from './recipes';
import { initialStatus, statusText, type TrainStatus } from './status';
import { MODEL_NAMES, settingsForm } from './train-form';
import { readTrainSettings, type TrainSettings, trainQuery } from './train-settings';

/** What the view needs of the page. */
export interface TrainViewContext {
  /** Shows an error in the page's error list (one line). */
  report(error: unknown): void;
  served: ServedFiles;
}

/** Test hooks (the e2e suite): the loss of every step reported so far, and a backend failing as a real one can. */
declare global {
  interface Window {
    __vaejsTraining?: { simulate(fault: 'lose-context'): void; losses(): number[] };
  }
}

/** What each model's loss is. */
const LOSS_TITLES: Record<string, string> = {
  'vae-mlp': 'loss: −ELBO, nats per image',
  'vae-conv': 'loss: −ELBO, nats per image',
  vqvae: 'loss: MSE / variance + VQ terms',
  prior: 'loss: nats per code',
};

export function mountTrainView(root: HTMLElement, context: TrainViewContext): void {
  const body = el('div', { class: 'body' });
  root.append(
    el('section', { id: 'view-train', class: 'view' }, [
      el('h2', { text: 'Train a model in this page' }),
      el('p', {
        class: 'blurb',
        text: 'Pick a model and data, press Start: it trains here, in a Web Worker, on this browser’s GPU or CPU. Every epoch is kept in this browser (a reload continues it) and downloads as a run folder the vaejs CLI reads.',
      }),
      body,
    ]),
  );
  const status = el('pre', { 'data-testid': 'train-status', id: 'train-status', class: 'status-json', hidden: true });
  let settings: TrainSettings;
  try {
    settings = readTrainSettings(location.search);
  } catch (error) {
    context.report(error);
    status.hidden = false;
    status.textContent = statusText({
      ...initialStatus('unknown', 0),
      state: 'error',
      message: (error as Error).message,
    });
    body.append(status);
    return;
  }
  const view = createView(body, status, settings, context);
  void view.autostart().catch(context.report);
}

// helpers

function createView(body: HTMLElement, statusElement: HTMLElement, initial: TrainSettings, context: TrainViewContext) {
  let settings = initial;
  let status: TrainStatus | null = null;
  let running = false;
  let paused = false;
  let worker = spawnWorker();
  const send = (message: ToWorker) => worker.postMessage(message);
  const losses: number[] = [];
  window.__vaejsTraining = { simulate: (fault) => send({ type: 'simulate', fault }), losses: () => [...losses] };

  // the form: every change goes to the URL
  const form = settingsForm(settings, (next) => {
    settings = next;
    history.replaceState(null, '', `?${trainQuery(settings)}`);
    cli.textContent = cliCommand(settings);
    void refreshKept();
  });
  const start = el('button', { id: 'train-start', type: 'button', text: 'Start' });
  const resumeKept = el('button', {
    id: 'train-resume-kept',
    type: 'button',
    text: 'Continue the kept run',
    hidden: true,
  });
  const pause = el('button', { id: 'train-pause', type: 'button', text: 'Pause', disabled: true });
  const stop = el('button', { id: 'train-stop', type: 'button', text: 'Stop', disabled: true });
  const backendLine = el('p', { id: 'train-backend', class: 'note', text: 'backend: chosen when training starts' });
  const progress = el('p', { id: 'train-progress', class: 'progress', text: '' });
  const keptLine = el('p', { id: 'train-kept', class: 'note' });
  const cli = el('code', { id: 'train-cli', text: cliCommand(settings) });
  const charts = createLossCharts('train-charts', { lossTitle: LOSS_TITLES[settings.model] });
  const epochsTable = el('table', { id: 'train-epochs', class: 'epochs' });
  const pictures = el('div', { id: 'train-pictures', class: 'row' });
  body.append(
    form,
    el('div', { class: 'controls' }, [start, resumeKept, pause, stop]),
    keptLine,
    backendLine,
    progress,
    statusElement,
    charts.element,
    epochsTable,
    pictures,
    el('p', { class: 'note' }, ['The same run on the command line: ', cli]),
  );
  const keptPanel = mountKeptRuns(body, {
    report: context.report,
    importRun: (name, entries) =>
      send({ type: 'import', name, entries, backend: settings.backend, served: context.served }),
  });

  const setStatus = (change: Partial<TrainStatus>) => {
    status = { ...(status ?? initialStatus(settings.model, settings.epochs)), ...change };
    statusElement.hidden = false;
    statusElement.textContent = statusText(status);
    statusElement.dataset.state = status.state;
  };
  const setRunning = (on: boolean) => {
    running = on;
    paused = false;
    start.disabled = on;
    resumeKept.disabled = on;
    if (on) resumeKept.hidden = true;
    pause.disabled = !on;
    stop.disabled = !on;
    pause.textContent = 'Pause';
    for (const control of Array.from(form.querySelectorAll('select, input')))
      (control as HTMLInputElement).disabled = on;
  };

  let kept: KeptRun | null = null;
  const refreshKept = async () => {
    kept = await keptRun(runName(settings.model));
    const matches = kept !== null && kept.error === null && sameRun(kept, settings);
    resumeKept.hidden = running || !(matches && (kept?.epoch ?? 0) < settings.epochs);
    keptLine.textContent = !kept
      ? `Nothing kept for the ${MODEL_NAMES[settings.model]} yet.`
      : kept.error
        ? `The kept ${settings.model} run does not read: ${kept.error} It is left as it is; a new run replaces it once its first epoch is saved.`
        : `Kept in this browser: the ${settings.model} run at epoch ${kept.epoch}${kept.testLoss === null ? '' : ` (test loss ${kept.testLoss.toFixed(2)})`}${matches ? '' : ', trained with other settings: Start replaces it once the new run’s first epoch is saved'}.`;
    await keptPanel.refresh();
    return kept;
  };

  const begin = (resume: boolean | 'auto') => {
    if (running) return;
    charts.clear(LOSS_TITLES[settings.model]);
    losses.length = 0;
    epochsTable.replaceChildren(epochsHeader());
    pictures.replaceChildren();
    status = null;
    setStatus({ message: resume ? 'continuing the kept run' : 'starting a new run' });
    setRunning(true);
    send({ type: 'start', settings, resume, served: context.served });
  };
  start.addEventListener('click', () => begin(false));
  resumeKept.addEventListener('click', () => begin(true));
  pause.addEventListener('click', () => send({ type: pause.textContent === 'Pause' ? 'pause' : 'resume' }));
  stop.addEventListener('click', () => send({ type: 'stop' }));

  function onMessage(event: MessageEvent<FromWorker>) {
    const message = event.data;
    switch (message.type) {
      case 'backend':
        backendLine.textContent = message.summary;
        setStatus({ backend: message.name });
        break;
      case 'phase':
        progress.textContent = message.message;
        setStatus({ message: message.message });
        break;
      case 'begin': {
        const resumedFrom = message.startEpoch > 1 ? message.startEpoch - 1 : null;
        for (const record of message.history) addEpochRow(epochsTable, record);
        const last = message.history.at(-1);
        setStatus({
          epoch: message.startEpoch,
          step: message.step,
          epochs: message.epochs,
          resumed_from: resumedFrom,
          saved_epoch: resumedFrom,
          test_loss: typeof last?.test_loss === 'number' ? last.test_loss : null,
          message: `training ${message.trainSize} images (${message.stepsPerEpoch} steps an epoch), testing on ${message.testSize}`,
        });
        charts.element.dataset.stepsPerEpoch = String(message.stepsPerEpoch);
        break;
      }
      case 'step':
        charts.add(message.step, message.losses);
        losses.push(message.losses.loss ?? Number.NaN);
        progress.textContent = `epoch ${message.epoch}/${settings.epochs} · step ${message.step} · ${Math.round(message.itemsPerSecond)} images/s · loss ${message.losses.loss?.toFixed(3)}`;
        setStatus({
          epoch: message.epoch,
          step: message.step,
          images_per_sec: message.itemsPerSecond,
          tensors: message.tensors,
          message: paused ? 'paused' : 'training',
        });
        break;
      case 'previews':
        drawPictures(pictures, message.epoch, message.pictures);
        break;
      case 'epoch': {
        const { record } = message;
        addEpochRow(epochsTable, record);
        charts.addTest(status?.step ?? 0, record.test_loss as number);
        setStatus({
          epoch: record.epoch as number,
          test_loss: record.test_loss as number,
          images_per_sec: record.images_per_sec as number,
          saved_epoch: record.epoch as number,
          tensors: message.tensors,
          message: `epoch ${record.epoch} done and kept in this browser`,
        });
        void refreshKept(); // the kept line and the list show the epoch just kept
        break;
      }
      case 'paused':
        paused = message.paused;
        pause.textContent = message.paused ? 'Resume' : 'Pause';
        setStatus({ message: message.paused ? 'paused' : 'training' });
        break;
      case 'done': {
        setRunning(false);
        const last = message.epochs.at(-1);
        const why = message.stopReason === 'completed' ? 'done' : `stopped (${message.stopReason})`;
        setStatus({
          state: 'done',
          epoch: last ?? status?.epoch ?? 0,
          tensors: message.tensors,
          message: `${why} after epoch ${last ?? 0}: kept in this browser; download it below`,
        });
        progress.textContent = status?.message ?? '';
        void refreshKept();
        break;
      }
      case 'imported':
        void refreshKept();
        keptPanel.imported(message);
        break;
      case 'error':
        if (message.during === 'import') {
          keptPanel.failed(message.message);
          if (!running) setStatus({ state: 'error', message: message.message });
          break;
        }
        if (message.fatal) {
          // its backend died: the worker may be stuck in work that never finishes; a fresh one takes over
          worker.terminate();
          worker = spawnWorker();
        }
        setRunning(false);
        context.report(new Error(message.message));
        setStatus({ state: 'error', message: message.message });
        progress.textContent = message.message;
        void refreshKept();
        break;
    }
  }
  function spawnWorker(): Worker {
    const created = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    created.onmessage = onMessage;
    created.onerror = (event) => {
      setRunning(false);
      context.report(new Error(`the training worker failed: ${event.message}`));
      setStatus({ state: 'error', message: `the training worker failed: ${event.message}` });
    };
    return created;
  }

  return {
    /** `autostart=1`: continues the kept run of these settings, or starts a new one; a kept run that does not read stops it. */
    async autostart() {
      const found = await refreshKept();
      if (!settings.autostart) return;
      if (found?.error) {
        const line = `the kept ${settings.model} run does not read: ${found.error}`;
        context.report(new Error(line));
        setStatus({
          state: 'error',
          message: `${line}; it is left as it is (Start replaces it once a new run saves an epoch)`,
        });
        return;
      }
      if (found && sameRun(found, settings) && (found.epoch ?? 0) >= settings.epochs) {
        setStatus({
          state: 'done',
          epoch: found.epoch ?? 0,
          test_loss: found.testLoss,
          saved_epoch: found.epoch,
          message: `already trained: the kept run is at epoch ${found.epoch}`,
        });
        return;
      }
      begin(found && sameRun(found, settings) ? 'auto' : false);
    },
  };
}

/** True when a kept run was trained with these settings (the epochs to reach and the learning rate may differ). */
function sameRun(kept: KeptRun, settings: TrainSettings): boolean {
  if (!kept.flags) return false;
  const flags = cliRunInfo(settings).flags;
  return Object.entries(flags).every(([key, value]) => key === 'epochs' || key === 'lr' || kept.flags?.[key] === value);
}
