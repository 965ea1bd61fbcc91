/** The messages between the training view (the page) and its Web Worker (worker.ts), which does all the training. */
import type { PreviewPicture } from '@vaejs/training';
import type { TrainSettings } from './train-settings';

/** Where the worker finds what the page serves (absolute URLs). */
export interface ServedFiles {
  /** tfjs-backend-wasm's .wasm files. */
  wasm: string;
  /** data/index.json: the data sets this page serves (built in). */
  dataIndex: string;
  /** The page's own VQ-VAE (the models folder's), for a prior when none was trained in the page. */
  vqvae: string;
}

export type ToWorker =
  | { type: 'start'; settings: TrainSettings; resume: boolean | 'auto'; served: ServedFiles }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Checks a dropped run, checkpoint or model folder (or zip) and keeps it in IndexedDB under its model's name. */
  | {
      type: 'import';
      name: string;
      entries: [string, Uint8Array][];
      backend: TrainSettings['backend'];
      served: ServedFiles;
    }
  /** Test hook: makes the backend fail as a real one can (a lost WebGL context). */
  | { type: 'simulate'; fault: 'lose-context' };

export type FromWorker =
  | { type: 'backend'; name: string; summary: string }
  | { type: 'phase'; message: string }
  | {
      type: 'begin';
      epochs: number;
      stepsPerEpoch: number;
      startEpoch: number;
      step: number;
      history: Record<string, number | string>[];
      trainSize: number;
      testSize: number;
    }
  | {
      type: 'step';
      epoch: number;
      step: number;
      losses: Record<string, number>;
      itemsPerSecond: number;
      tensors: number;
    }
  | { type: 'previews'; epoch: number; pictures: Record<string, PreviewPicture> }
  | { type: 'epoch'; record: Record<string, number | string>; saved: string | null; tensors: number }
  | { type: 'paused'; paused: boolean }
  | { type: 'done'; stopReason: string; epochs: number[]; tensors: number }
  | { type: 'imported'; name: string; kind: string; location: string; epoch: number | null }
  /** `fatal`: the worker cannot go on (its backend died); the page replaces it. */
  | { type: 'error'; message: string; during: 'training' | 'import'; fatal?: boolean };
