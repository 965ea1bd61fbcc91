/**
 * The browser build's stand-ins for the Node loaders: same names and types (imported as types only, so no Node
 * module is bundled), each throwing a DataError that says what to use in a browser instead.
 */
import { DataError, formatExpected } from '@vaejs/core';
import type * as codeMapFiles from './node/code-map-files';
import type * as idxFile from './node/idx-file';
import type * as imageFolder from './node/image-folder';
import type * as loadDatasetModule from './node/load-dataset';
import type * as loadSplitsModule from './node/load-splits';
import type * as mnist from './node/mnist';

export type { CodesManifest, LoadCodeMapsOptions } from './node/code-map-files';
export type { IdxFolderOptions } from './node/idx-file';
export type { ImageFolderOptions } from './node/image-folder';
export type { LoadDatasetOptions } from './node/load-dataset';
export type { LoadSplitsOptions } from './node/load-splits';
export type { MnistOptions } from './node/mnist';

export const readIdxFile: typeof idxFile.readIdxFile = nodeOnly('readIdxFile', 'decodeIdx on fetched bytes');
export const loadIdxFolder: typeof idxFile.loadIdxFolder = nodeOnly(
  'loadIdxFolder',
  'decodeIdx on fetched bytes, then datasetFromIdx',
);
export const loadImageFolder: typeof imageFolder.loadImageFolder = nodeOnly(
  'loadImageFolder',
  'createDataset on decoded pixels',
);
export const loadDataset: typeof loadDatasetModule.loadDataset = nodeOnly(
  'loadDataset',
  'decodeIdx and datasetFromIdx, or createDataset',
);
export const loadSplits: typeof loadSplitsModule.loadSplits = nodeOnly('loadSplits', 'decodeIdx and datasetFromIdx');
export const datasetSource: typeof loadSplitsModule.datasetSource = nodeOnly('datasetSource', 'a URL');
export const loadMnist: typeof mnist.loadMnist = nodeOnly('loadMnist', 'decodeIdx on fetched MNIST files');
export const loadFashionMnist: typeof mnist.loadFashionMnist = nodeOnly(
  'loadFashionMnist',
  'decodeIdx on fetched Fashion-MNIST files',
);
export const resolveMnistDataDir: typeof mnist.resolveMnistDataDir = nodeOnly('resolveMnistDataDir', 'a URL');
export const writeCodeMaps: typeof codeMapFiles.writeCodeMaps = nodeOnly('writeCodeMaps', 'encodeIdx');
export const readCodesManifest: typeof codeMapFiles.readCodesManifest = nodeOnly(
  'readCodesManifest',
  'JSON.parse of fetched codes.json',
);
export const loadCodeMaps: typeof codeMapFiles.loadCodeMaps = nodeOnly(
  'loadCodeMaps',
  'decodeIdx on fetched files, then createCodeMapDataset',
);

// helpers

function nodeOnly<F extends (...args: never[]) => unknown>(name: string, instead: string): F {
  const stub = () => {
    throw new DataError(
      formatExpected(
        name,
        'a Node.js runtime',
        '(it reads or writes files)',
        `the browser build of @vaejs/datasets (in a browser, use ${instead})`,
      ),
    );
  };
  return stub as unknown as F;
}
