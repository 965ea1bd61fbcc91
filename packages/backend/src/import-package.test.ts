import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { importOptionalPackage, isPackageNotFound, PackageNotFoundError } from './import-package';
import { selectBackend } from './select-backend';

/** What the fake packages call when loaded (they cannot import this workspace's tfjs-core from a temp dir). */
type FakeHook = (file: string) => void;
const hooks = globalThis as { vaejsFakeBackendLoaded?: FakeHook };

let root: string;

/** Writes a fake `name` package into `folder`/node_modules whose index runs `body` (CommonJS, like tfjs-node). */
function fakePackage(folder: string, name: string, body: string): string {
  const dir = join(folder, 'node_modules', ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), body);
  return join(dir, 'index.js');
}

const notBeside = (name: string) => () =>
  Promise.reject(
    Object.assign(new Error(`Cannot find package '${name}' imported from /x.js`), { code: 'ERR_MODULE_NOT_FOUND' }),
  );

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'vaejs-import-package-'));
});
afterEach(async () => {
  delete hooks.vaejsFakeBackendLoaded;
  if (tf.findBackendFactory('tensorflow') != null) tf.removeBackend('tensorflow');
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('importOptionalPackage', () => {
  it('takes the package beside @vaejs/backend first, without looking elsewhere', async () => {
    const module = { beside: true };
    const loaded = await importOptionalPackage('@tensorflow/tfjs-node', {
      importBeside: async () => module,
      resolveFrom: ['/nonexistent'],
    });
    expect(loaded).toBe(module);
  });

  it("finds a package installed at the project's root, from the root or a folder below it", async () => {
    const project = join(root, 'project');
    const index = fakePackage(project, '@tensorflow/tfjs-node', 'globalThis.vaejsFakeBackendLoaded?.(__filename);');
    mkdirSync(join(project, 'scripts', 'deep'), { recursive: true });
    const seen: string[] = [];
    hooks.vaejsFakeBackendLoaded = (file) => seen.push(file);
    await importOptionalPackage('@tensorflow/tfjs-node', {
      importBeside: notBeside('@tensorflow/tfjs-node'),
      resolveFrom: [join(root, 'elsewhere'), join(project, 'scripts', 'deep')],
    });
    expect(seen).toEqual([index]);
  });

  it('says where it looked when the package is nowhere', async () => {
    const error = await importOptionalPackage('@tensorflow/tfjs-node-gpu', {
      importBeside: notBeside('@tensorflow/tfjs-node-gpu'),
      resolveFrom: [join(root, 'a'), join(root, 'b')],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageNotFoundError);
    expect((error as PackageNotFoundError).searched).toMatch(
      new RegExp(`^beside @vaejs/backend \\(.+\\) and from ${join(root, 'a')} and ${join(root, 'b')}$`),
    );
    expect(isPackageNotFound(error, '@tensorflow/tfjs-node-gpu')).toBe(true);
  });

  it('passes on the error of a package that is there but fails to load', async () => {
    const broken = Object.assign(new Error("Cannot find module '/app/node_modules/@tensorflow/tfjs-node/lib/b.node'"), {
      code: 'MODULE_NOT_FOUND',
    });
    await expect(
      importOptionalPackage('@tensorflow/tfjs-node', {
        importBeside: () => Promise.reject(broken),
        resolveFrom: [join(root, 'project')],
      }),
    ).rejects.toBe(broken);
  });
});

describe('selectBackend with tfjs-node installed at the project root', () => {
  it('loads it from there and runs on the backend it registers', async () => {
    const project = join(root, 'with-node');
    fakePackage(project, '@tensorflow/tfjs-node', 'globalThis.vaejsFakeBackendLoaded?.(__filename);');
    hooks.vaejsFakeBackendLoaded = () => tf.registerBackend('tensorflow', () => new MathBackendCPU());
    const selection = await selectBackend({ backend: 'node', resolveFrom: [project] });
    expect(selection).toMatchObject({
      name: 'node',
      tfBackendName: 'tensorflow',
      skipped: [],
      summary: 'backend: node',
    });
    expect(tf.getBackend()).toBe('tensorflow');
    expect(tf.backend()).toBeInstanceOf(MathBackendCPU); // the instance the fake package's factory made
  });

  it('reports a package found there that throws on load as failed to load, not as missing', async () => {
    const project = join(root, 'broken');
    fakePackage(
      project,
      '@tensorflow/tfjs-node-gpu',
      "throw new Error('libcudart.so.11.0: cannot open shared object file');",
    );
    await expect(selectBackend({ backend: 'node-gpu', resolveFrom: [project] })).rejects.toThrow(
      "selectBackend: expected options.backend 'node-gpu' to load, got tfjs-node-gpu: failed to load: libcudart.so.11.0: cannot open shared object file.",
    );
  });
});
