/** The training worker's data: the data sets the page serves (data/index.json), fetched once per worker. */
import { DataError } from '@vaejs/core';
import { fetchDataset, type ImageDataset, subset } from '@vaejs/datasets';
import type { ServedFiles } from './protocol';
import type { TrainSettings } from './train-settings';

const datasets = new Map<string, Promise<{ train: ImageDataset; test: ImageDataset }>>();

/** The run's images: the served data set (fetched once per worker), its first `limit` and `testLimit` images. */
export async function loadData(settings: TrainSettings, served: ServedFiles) {
  let whole = datasets.get(settings.dataset);
  if (!whole) {
    whole = fetchServedData(settings.dataset, served);
    datasets.set(settings.dataset, whole);
    whole.catch(() => datasets.delete(settings.dataset));
  }
  const { train, test } = await whole;
  const first = (dataset: ImageDataset, count: number) =>
    count > 0 && count < dataset.size ? subset(dataset, 0, count) : dataset;
  return { train: first(train, settings.limit), test: first(test, settings.testLimit) };
}

async function fetchServedData(dataset: TrainSettings['dataset'], served: ServedFiles) {
  const response = await fetch(served.dataIndex);
  const index = (response.ok ? await response.json() : {}) as Record<string, DataIndexEntry | null>;
  const entry = index[dataset];
  if (!entry) {
    throw new DataError(
      `page: expected ?dataset=${dataset} a data set this page serves, got none (${index[`${dataset}-note`] ?? 'not built in'}).`,
    );
  }
  const url = (path: string) => new URL(path, served.dataIndex).href;
  const load = (split: 'train' | 'test') =>
    fetchDataset({
      images: url(entry[split].images),
      labels: url(entry[split].labels),
      name: `${dataset}-${split}`,
      numClasses: 10,
    });
  const [train, test] = await Promise.all([load('train'), load('test')]);
  return { train, test };
}

interface DataIndexEntry {
  train: { images: string; labels: string };
  test: { images: string; labels: string };
}
