/**
 * The PyTorch bridge's folder, defined once: what `vaejs export --format pytorch` writes, what the Python side
 * (`python -m vaejs_torch.train`) reads and writes back after training, and what `vaejs import` reads. Pure (no file
 * system): names, the JSON shape and its checks, and the optimizer's slots as the folder keeps them.
 *
 * ```
 * <folder>/config.json            BridgeConfig: the kind, the resolved model config, the model's state, where training
 *                                 stands (epochs, steps, history, data), the optimizer's name and settings
 * <folder>/model.safetensors      every weight and state tensor in the tfjs layout, by its vaejs name
 *                                 (`enc_conv_0/kernel` [kh, kw, in, out], `vector_quantizer/ema_cluster_size` [K])
 * <folder>/optimizer.safetensors  the optimizer's slots, in the layout of their weights: `iter`, `<weight>/m`,
 *                                 `<weight>/v`, `vaejs-optimizer/accBeta1`… (Adam), `<weight>/rms`, `<weight>/momentum`
 *                                 (RMSProp); `optimizer.order` lists the weights in the order tfjs keeps its slots
 * ```
 * The Python side maps every tensor to PyTorch explicitly (NCHW, Linear [out, in], Conv2d [out, in, kh, kw],
 * ConvTranspose2d [in, out, kh, kw]): python/vaejs_torch/layers.py.
 */
import { ConfigError, describeValue, formatExpected, type RngState } from '@vaejs/core';
import type { NamedTensor } from './optimizer';
import { OPTIMIZER_NAMES, type OptimizerName } from './options';
import type { EpochRecord } from './run-format';
import type { SafetensorsTensor } from './safetensors';

export const BRIDGE_FORMAT = 'vaejs-pytorch';
export const BRIDGE_CONFIG_FILE = 'config.json';
export const BRIDGE_WEIGHTS_FILE = 'model.safetensors';
export const BRIDGE_OPTIMIZER_FILE = 'optimizer.safetensors';

/** The slots each optimizer keeps per weight, in the order tfjs lists them (after `iter`). */
export const OPTIMIZER_SLOTS: Readonly<Record<OptimizerName, readonly string[]>> = Object.freeze({
  adam: ['m', 'v'],
  rmsprop: ['rms', 'momentum'],
  sgd: [],
});

/** Slots outside the per-weight ones: the step count, and Adam's β powers as `@vaejs/training` saves them. */
const GLOBAL_SLOTS = ['iter', 'vaejs-optimizer/accBeta1', 'vaejs-optimizer/accBeta2'];

/** `config.json` of a bridge folder. */
export interface BridgeConfig {
  format: typeof BRIDGE_FORMAT;
  version: 1;
  /** The model manifest's kind: `'vae'`, `'vqvae'`, `'pixelcnn'`. */
  kind: string;
  /** The resolved model config (the checkpoint manifest's `config`). */
  model: Record<string, unknown>;
  /** The manifest's other fields (a VQ-VAE's `initialized` and `rngState`). */
  state: Record<string, unknown>;
  /** The optimizer (`fit`'s name and learning rate; tfjs' defaults otherwise) and its weights' order, or null. */
  optimizer: { name: OptimizerName; learningRate: number; order: string[] } | null;
  /** Where training stands and what it trained on. */
  training: BridgeTraining;
  /** Where the folder came from, and what trained it (free-form, for people). */
  source?: Record<string, unknown>;
}

/** `config.json`'s `training`. */
export interface BridgeTraining {
  /** Epochs completed, steps taken in all. */
  epoch: number;
  step: number;
  /** One record per epoch, as `metrics.jsonl` has them. */
  history: EpochRecord[];
  /** fit's seeded stream, to resume with. */
  rng: RngState | null;
  /** The run config's `fit`, `data` and `app` (the CLI's flags). */
  fit: Record<string, unknown>;
  data: { train: { name: string; size: number }; test: { name: string; size: number } | null };
  app: Record<string, unknown> | null;
  /** The data, for the Python side: `mnist`, `fashion-mnist`, a folder; where MNIST's IDX files are; the pipeline. */
  dataset: Record<string, unknown>;
}

/**
 * Checks a parsed `config.json` of a bridge folder.
 * @throws ConfigError naming the file and the field, e.g.
 *   `vaejs import: expected config.json format 'vaejs-pytorch', got 'vaejs-run'.`
 */
export function checkBridgeConfig(json: unknown, where = BRIDGE_CONFIG_FILE, fn = 'readBridgeFolder'): BridgeConfig {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new ConfigError(formatExpected(fn, `${where} ${field}`.trim(), expected, describeValue(got)));
  };
  const config = json as Partial<BridgeConfig> | null;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) fail('', 'a JSON object', config);
  if (config?.format !== BRIDGE_FORMAT) fail('format', `'${BRIDGE_FORMAT}'`, config?.format);
  if (config?.version !== 1) fail('version', '1', config?.version);
  if (typeof config?.kind !== 'string' || !/^[a-z][a-z0-9-]*$/.test(config.kind))
    fail('kind', 'a model kind', config?.kind);
  if (!isObject(config?.model)) fail('model', 'the model config (an object)', config?.model);
  if (!isObject(config?.state)) fail('state', 'an object', config?.state);
  const optimizer = config?.optimizer;
  if (optimizer !== null) {
    if (!isObject(optimizer)) fail('optimizer', 'an object or null', optimizer);
    const { name, learningRate, order } = optimizer as NonNullable<BridgeConfig['optimizer']>;
    if (!OPTIMIZER_NAMES.includes(name)) fail('optimizer.name', OPTIMIZER_NAMES.join(' | '), name);
    if (typeof learningRate !== 'number' || !(learningRate > 0))
      fail('optimizer.learningRate', 'a number > 0', learningRate);
    if (!Array.isArray(order) || !order.every((weight) => typeof weight === 'string'))
      fail('optimizer.order', 'weight names', order);
  }
  const training = config?.training as Partial<BridgeTraining> | undefined;
  if (!isObject(training)) fail('training', 'an object', training);
  for (const field of ['epoch', 'step'] as const) {
    const value = training?.[field];
    if (!Number.isSafeInteger(value) || (value as number) < 0) fail(`training.${field}`, 'an integer ≥ 0', value);
  }
  if (!Array.isArray(training?.history)) fail('training.history', 'an array of epoch records', training?.history);
  if (!isObject(training?.fit)) fail('training.fit', 'an object', training?.fit);
  if (!isObject(training?.data) || !isObject(training?.data?.train))
    fail('training.data', '{ train, test }', training?.data);
  return config as BridgeConfig;
}

/**
 * The bridge folder's slots of an optimizer state as `fit` saves it (`<variable>/m`, …, by tfjs' variable names),
 * renamed by the model's weight names, and the order of the weights.
 * @param weights the model's tensor names (`readModelTensors`)
 * @throws ConfigError naming a slot that belongs to no weight of the model
 */
export function optimizerSlotsOut(
  name: OptimizerName,
  state: { name: string; tensor: SafetensorsTensor }[],
  weights: readonly string[],
  fn = 'optimizerSlotsOut',
): { slots: Record<string, SafetensorsTensor>; order: string[] } {
  const suffixes = OPTIMIZER_SLOTS[name];
  const slots: Record<string, SafetensorsTensor> = {};
  const order: string[] = [];
  for (const slot of state) {
    if (GLOBAL_SLOTS.includes(slot.name)) {
      slots[slot.name] = slot.tensor;
      continue;
    }
    const cut = slot.name.lastIndexOf('/');
    const suffix = slot.name.slice(cut + 1);
    const weight = weightOf(slot.name.slice(0, cut), weights);
    if (!suffixes.includes(suffix) || weight === null) {
      throw new ConfigError(
        formatExpected(fn, `optimizer slot '${slot.name}'`, `a ${name} slot of a weight of the model`, 'none matches'),
      );
    }
    slots[`${weight}/${suffix}`] = slot.tensor;
    if (suffix === suffixes[0]) order.push(weight);
  }
  return { slots, order };
}

/**
 * The optimizer state `fit` restores (`setOptimizerState`) from a bridge folder's slots: `iter`, then each kind of
 * slot for every weight of `order`, then the extras, named as tfjs names them.
 * @param shapes the shape of each weight, for the checks
 * @throws ConfigError naming the first slot that is missing or of another shape or dtype than its weight
 */
export function optimizerSlotsIn(
  name: OptimizerName,
  slots: Record<string, SafetensorsTensor>,
  order: readonly string[],
  shapes: Record<string, readonly number[]>,
  fn = 'optimizerSlotsIn',
  where = BRIDGE_OPTIMIZER_FILE,
): { name: string; tensor: SafetensorsTensor }[] {
  const fail = (argument: string, expected: string, got: string): never => {
    throw new ConfigError(formatExpected(fn, `${where} ${argument}`, expected, got));
  };
  const iter = slots.iter;
  if (iter?.dtype !== 'int32' || iter.shape.length !== 0)
    fail("tensor 'iter'", 'an int32 scalar', describeTensor(iter));
  const out = [{ name: 'iter', tensor: iter as SafetensorsTensor }];
  const expected = new Set(['iter']);
  for (const suffix of OPTIMIZER_SLOTS[name]) {
    for (const weight of order) {
      const shape = shapes[weight];
      if (!shape) fail('optimizer.order', "the model's weights", `'${weight}'`);
      const slotName = `${weight}/${suffix}`;
      const tensor = slots[slotName];
      const same = tensor?.dtype === 'float32' && tensor.shape.join() === (shape as readonly number[]).join();
      if (!same) fail(`tensor '${slotName}'`, `float32 of shape [${shape}]`, describeTensor(tensor));
      out.push({ name: slotName, tensor: tensor as SafetensorsTensor });
      expected.add(slotName);
    }
  }
  for (const extra of GLOBAL_SLOTS.slice(1)) {
    if (slots[extra]) out.push({ name: extra, tensor: slots[extra] });
    expected.add(extra);
  }
  const unknown = Object.keys(slots).find((slot) => !expected.has(slot));
  if (unknown !== undefined) fail('tensors', `only the ${name} slots of optimizer.order`, `'${unknown}'`);
  return out;
}

/** Named tensors of an optimizer's state as plain data (what `getOptimizerState` gives, read back). */
export async function optimizerStateData(state: NamedTensor[]): Promise<{ name: string; tensor: SafetensorsTensor }[]> {
  return Promise.all(
    state.map(async ({ name, tensor }) => {
      const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
      const values = await tensor.data();
      const data = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
      return { name, tensor: { dtype, shape: [...tensor.shape], data } as SafetensorsTensor };
    }),
  );
}

// helpers

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The weight a tfjs variable name stands for: itself, or without the `_1` tfjs appends to a name used twice. */
function weightOf(variable: string, weights: readonly string[]): string | null {
  if (weights.includes(variable)) return variable;
  const plain = variable.replace(/_\d+$/, '');
  return weights.includes(plain) ? plain : null;
}

function describeTensor(tensor: SafetensorsTensor | undefined): string {
  return tensor ? `${tensor.dtype} of shape [${tensor.shape}]` : 'none';
}
