/**
 * The kept runs, on the page: each with its epoch and test loss, a download (one zip, the run folder the CLI reads), a
 * link that opens it in the model views, and Delete; and a way in — a zip, or a run, checkpoint or model folder the
 * CLI wrote, picked or dropped — which the worker checks as the run reader does before anything is kept.
 */
import { readZip } from '@vaejs/training';
import { el } from '../ui';
import { dropKeptRun, keptRunArchive, keptRuns, viewsLink } from './kept-runs';
import type { TrainModel } from './train-settings';

export interface KeptRunsPanel {
  refresh(): Promise<void>;
  imported(result: { name: string; kind: string; location: string; epoch: number | null }): void;
  failed(message: string): void;
}

export function mountKeptRuns(
  body: HTMLElement,
  options: { report(error: unknown): void; importRun(name: string, entries: [string, Uint8Array][]): void },
): KeptRunsPanel {
  const list = el('ul', { id: 'train-kept-runs', class: 'kept' });
  const zipInput = el('input', { id: 'train-import-zip', type: 'file', accept: '.zip,application/zip' });
  const folderInput = el('input', { id: 'train-import-folder', type: 'file', webkitdirectory: true, multiple: true });
  const drop = el('div', {
    id: 'train-drop',
    class: 'drop',
    text: 'Drop a run folder, a checkpoint folder or a .zip here',
  });
  const result = el('p', { id: 'train-import-result', class: 'note', 'aria-live': 'polite' });
  body.append(
    el('h3', { text: 'Kept in this browser' }),
    list,
    el('div', { class: 'controls' }, [
      el('label', {}, ['Load a zip ', zipInput]),
      el('label', {}, ['or a folder the CLI wrote ', folderInput]),
    ]),
    drop,
    result,
  );
  const send = (name: string, entries: [string, Uint8Array][]) => {
    result.className = 'note';
    result.textContent = `checking ${name}…`;
    options.importRun(name, entries);
  };
  const fail = (error: unknown) => {
    const text = (error as Error).message ?? String(error);
    result.className = 'message error';
    result.textContent = text;
    options.report(error);
  };
  zipInput.addEventListener('change', () => {
    const file = zipInput.files?.[0];
    if (file) void entriesOfZip(file).then((entries) => send(file.name, entries), fail);
    zipInput.value = '';
  });
  folderInput.addEventListener('change', () => {
    const files = Array.from(folderInput.files ?? []);
    if (files.length > 0) void entriesOfFiles(files).then(([name, entries]) => send(name, entries), fail);
    folderInput.value = '';
  });
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    void entriesOfDrop(event.dataTransfer).then(([name, entries]) => send(name, entries), fail);
  });

  return {
    async refresh() {
      const runs = await keptRuns();
      const vqvaeKept = runs.some((run) => run.name === 'vqvae' && !run.error);
      list.replaceChildren(
        ...runs.map((run) => {
          const download = el('button', {
            type: 'button',
            'data-run': run.name,
            class: 'download',
            text: 'Download .zip',
          });
          download.addEventListener('click', () => void downloadRun(run.name).catch(options.report));
          const remove = el('button', { type: 'button', 'data-run': run.name, class: 'delete', text: 'Delete' });
          remove.addEventListener('click', () => void dropKeptRun(run.name).then(() => this.refresh(), options.report));
          const what = run.error
            ? `does not read: ${run.error}`
            : `epoch ${run.epoch ?? '–'}${run.testLoss === null ? '' : `, test loss ${run.testLoss.toFixed(3)}`}`;
          const open = run.error
            ? []
            : [el('a', { href: viewsLink(run.name as TrainModel, vqvaeKept), text: 'open in the model views' })];
          return el('li', { 'data-run': run.name, class: run.error ? 'error' : '' }, [
            `${run.name}: ${what} `,
            download,
            ...open,
            remove,
          ]);
        }),
      );
      if (runs.length === 0) list.append(el('li', { text: 'nothing yet' }));
    },
    imported(done) {
      result.className = 'note';
      result.textContent = `kept ${done.location} as the ${done.name} run${done.epoch === null ? '' : ` (epoch ${done.epoch})`}`;
    },
    failed: fail,
  };
}

// helpers

async function downloadRun(name: string): Promise<void> {
  const url = URL.createObjectURL(await keptRunArchive(name));
  const link = el('a', { href: url, download: `${name}.zip` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function entriesOfZip(file: File): Promise<[string, Uint8Array][]> {
  return [...(await readZip(new Uint8Array(await file.arrayBuffer()), file.name))];
}

/** Files of a picked folder (`webkitRelativePath` is `<folder>/<path>`): the folder's name and its entries. */
async function entriesOfFiles(files: File[]): Promise<[string, [string, Uint8Array][]]> {
  const name = files[0]?.webkitRelativePath.split('/')[0] || 'folder';
  const entries = await Promise.all(
    files.map(
      async (file) =>
        [file.webkitRelativePath || file.name, new Uint8Array(await file.arrayBuffer())] as [string, Uint8Array],
    ),
  );
  return [name, entries];
}

/** What was dropped: one zip, or a folder (read through its entries), as entries under the folder's name. */
async function entriesOfDrop(transfer: DataTransfer | null): Promise<[string, [string, Uint8Array][]]> {
  const items = Array.from(transfer?.items ?? [])
    .map((item) => item.webkitGetAsEntry?.())
    .filter((entry) => entry);
  const first = items[0];
  if (!first) {
    // no entries to walk (a browser without webkitGetAsEntry, or a DataTransfer a script built): a zip is still a file
    const file = transfer?.files[0];
    if (file && /\.zip$/i.test(file.name)) return [file.name, await entriesOfZip(file)];
    throw new Error('drop: expected a folder or a .zip, got nothing readable.');
  }
  if (first.isFile && /\.zip$/i.test(first.name)) {
    const file = await new Promise<File>((resolve, reject) => (first as FileSystemFileEntry).file(resolve, reject));
    return [file.name, await entriesOfZip(file)];
  }
  if (!first.isDirectory) throw new Error(`drop: expected a folder or a .zip, got '${first.name}'.`);
  const entries: [string, Uint8Array][] = [];
  const walk = async (directory: FileSystemDirectoryEntry, prefix: string): Promise<void> => {
    const reader = directory.createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) return;
      for (const entry of batch) {
        const path = `${prefix}${entry.name}`;
        if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, `${path}/`);
        else {
          const file = await new Promise<File>((resolve, reject) =>
            (entry as FileSystemFileEntry).file(resolve, reject),
          );
          entries.push([path, new Uint8Array(await file.arrayBuffer())]);
        }
      }
    }
  };
  await walk(first as FileSystemDirectoryEntry, '');
  return [first.name, entries];
}
