/**
 * The flags shared by several commands, and the two ways values arrive besides the command line: `--config
 * file.json` and, for `--resume`, the run's own config (`app.flags`). Both go through the same parsers as the command line,
 * so a value is checked by one rule wherever it comes from.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option, type OptionValues } from '@commander-js/extra-typings';
import { closest } from '@vaejs/training';
import { InvalidArgumentError, integer, UsageError, withoutNul } from './parse';

/** Backends `--backend` takes (auto: tfjs-node-gpu, tfjs-node, wasm, cpu in that order). */
export const BACKEND_CHOICES = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'] as const;

// biome-ignore lint/suspicious/noExplicitAny: commander's own generic bound
export type AnyCommand = Command<any, any, any>;

/** The flag of an option key: `batchSize` → `batch-size` (written `--batch-size`). */
export const kebab = (key: string) => key.replace(/[A-Z]/g, (char) => `-${char.toLowerCase()}`);

/** The values of the flags `withBackendFlags` adds. */
export type BackendFlagValues = {
  backend: (typeof BACKEND_CHOICES)[number];
  fast: boolean;
  native: boolean;
  threads?: number | undefined;
  config?: string | undefined;
};

/** Adds --backend, --fast/--no-fast, --native/--no-native, --threads and --config. */
export function withBackendFlags<Args extends unknown[], Opts extends OptionValues, Global extends OptionValues>(
  command: Command<Args, Opts, Global>,
): Command<Args, Opts & BackendFlagValues, Global> {
  return command
    .addOption(
      new Option('--backend <name>', 'tfjs backend; auto tries tfjs-node-gpu, tfjs-node, wasm, cpu in that order')
        .choices(BACKEND_CHOICES)
        .default('auto' as (typeof BACKEND_CHOICES)[number]),
    )
    .option('--fast', "on wasm, @vaejs/backend's fast training kernels (default)", true)
    .option('--no-fast', 'stock tfjs kernels')
    .option('--native', "on wasm, @vaejs/backend's native kernels where their addon loads (default)", true)
    .option('--no-native', 'the fast wasm kernels without the native ones')
    .option(
      '--threads <n>',
      'threads of the native kernels (default 1) or of wasm (default: all cores, at most 8)',
      integer(1, 64),
    )
    .option('--config <file>', configHelp(command as unknown as AnyCommand), withoutNul) as unknown as Command<
    Args,
    Opts & BackendFlagValues,
    Global
  >;
}

/** Which recipes a command takes: `train`'s have a `model`, `prior train`'s an `architecture`; others take none. */
type RecipeKind = 'train' | 'prior train' | null;

function recipeKindOf(command: AnyCommand): RecipeKind {
  const keys = new Set(command.options.map((option) => option.attributeName()));
  return keys.has('model') ? 'train' : keys.has('architecture') ? 'prior train' : null;
}

function configHelp(command: AnyCommand): string {
  const kind = recipeKindOf(command);
  const base =
    'read options from a JSON file (keys camelCase or kebab-case; flags given win; the required ones go on the command line)';
  return kind ? `${base}, or from a recipe that comes with vaejs: ${recipeNames(kind).join(', ')}` : base;
}

/** The values of the flags `withRunFlags` adds. */
export type RunFlagValues = {
  checkpointEvery: number;
  tensorboard?: boolean | undefined;
  maxMemory: number;
  resume: boolean;
};

/** Adds the flags of a command that trains into a run folder: --checkpoint-every, --max-memory, --resume/--no-resume. */
export function withRunFlags<Args extends unknown[], Opts extends OptionValues, Global extends OptionValues>(
  command: Command<Args, Opts, Global>,
): Command<Args, Opts & RunFlagValues, Global> {
  return withMaxMemory(
    command.option(
      '--checkpoint-every <steps>',
      'also write a checkpoint every N steps (0: at the end of each epoch only)',
      integer(0),
      0,
    ),
  )
    .option('--tensorboard', 'also write TensorBoard event files in <out>/tensorboard (tensorboard --logdir <out>)')
    .option('--resume', 'continue the run in --out from its last checkpoint', false)
    .option('--no-resume', 'start a new run (default)') as unknown as Command<Args, Opts & RunFlagValues, Global>;
}

/**
 * Adds --max-memory: a model (given by flags, or stored in a checkpoint) and step its package estimates above it is
 * refused before anything is built.
 */
export function withMaxMemory<Args extends unknown[], Opts extends OptionValues, Global extends OptionValues>(
  command: Command<Args, Opts, Global>,
): Command<Args, Opts & { maxMemory: number }, Global> {
  return command.option(
    '--max-memory <MB>',
    'refuse a model and step estimated to need more memory than this (from the flags, or from a checkpoint)',
    integer(16),
    3072,
  ) as unknown as Command<Args, Opts & { maxMemory: number }, Global>;
}

/** What `--max-memory` asks of a run reader: the limit, the items of a step, and how messages name it. */
export function memoryLimit(maxMemory: number, batchSize: number) {
  return { maxBytes: maxMemory * 2 ** 20, batchSize, argument: `--max-memory ${maxMemory} MB` };
}

/** Whether an option's value came from the user (command line or a file) rather than its default. */
export function isGiven(command: AnyCommand, key: string): boolean {
  const source = command.getOptionValueSource(key);
  return source !== undefined && source !== 'default' && source !== 'implied';
}

/** The options of `command` by their attribute name (`batchSize`), one entry per name (--x and --no-x share one). */
function optionsByKey(command: AnyCommand): Map<string, Option> {
  const byKey = new Map<string, Option>();
  for (const option of command.options as readonly Option[]) {
    const key = option.attributeName();
    if (!byKey.has(key) || !option.negate) byKey.set(key, option);
  }
  return byKey;
}

/** Parses one value for `option` with the same rules as the command line. */
function parseValue(option: Option, key: string, value: unknown, where: string): unknown {
  const flag = option.long ?? `--${key}`;
  // a list flag (--levels 8,4,4) is saved as its parsed array: read it back as the list it came from
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'number')) {
    return parseValue(option, key, value.join(','), where);
  }
  if (option.isBoolean() || option.negate) {
    if (typeof value !== 'boolean')
      throw new UsageError(`expected ${flag} in ${where} true or false, got ${JSON.stringify(value)}.`);
    return value;
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new UsageError(
      `expected ${flag} in ${where} a ${option.parseArg ? 'number' : 'string'}, got ${JSON.stringify(value)}.`,
    );
  }
  const raw = String(value);
  const choices = (option as unknown as { argChoices?: string[] }).argChoices;
  if (choices && !choices.includes(raw)) {
    throw new UsageError(`expected ${flag} in ${where} one of ${choices.join(', ')}, got '${raw}'.`);
  }
  if (!option.parseArg) return raw;
  try {
    return option.parseArg(raw, undefined);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new UsageError(`expected ${flag} in ${where} ${error.message}.`);
  }
}

/**
 * Sets the options of `command` that the user did not give from `values` (keys camelCase or kebab-case), parsed
 * with the command line's rules; an unknown key gets a did-you-mean.
 */
export function applyValues(
  command: AnyCommand,
  values: Record<string, unknown>,
  where: string,
  options: { source?: 'config' | 'implied' } = {},
): void {
  const byKey = optionsByKey(command);
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(values)) {
    const key = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const twin = seen.get(key);
    if (twin !== undefined && JSON.stringify(values[twin]) !== JSON.stringify(value)) {
      throw new UsageError(
        `expected one value per flag in ${where}, got '${twin}': ${JSON.stringify(values[twin])} and '${name}': ${JSON.stringify(value)}.`,
      );
    }
    seen.set(key, name);
    const option = byKey.get(key);
    if (!option) {
      const suggestion = closest(key, [...byKey.keys()]);
      throw new UsageError(
        `expected known flag names in ${where}, got '${name}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}.`,
      );
    }
    if (isGiven(command, key) || value === null || value === undefined) continue;
    command.setOptionValueWithSource(key, parseValue(option, key, value, where), options.source ?? 'config');
  }
}

/** The recipes folder of the package (beside dist/ once built; two levels up from src/cli/ in the repository). */
function recipesDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, '..', 'recipes'), join(here, '..', '..', 'recipes')].find((dir) => existsSync(dir)) ?? null;
}

/** Names of the recipes that come with the package (`mnist-vqvae`, …), sorted; those of one command's kind if given. */
export function recipeNames(kind?: RecipeKind): string[] {
  const dir = recipesDir();
  if (dir === null || kind === null) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .filter((name) => kind === undefined || (kind === 'prior train') === name.includes('prior'))
    .sort();
}

/**
 * Reads `--config file.json` (an object of flag values) into the command's options the user did not give. A value
 * that is no file but the name of a recipe that comes with the package reads that recipe.
 */
export function applyConfigFile(command: AnyCommand, given: string): void {
  const kind = recipeKindOf(command);
  const recipes = recipeNames(kind);
  const local = existsSync(given);
  if (!local && !recipes.includes(given) && recipeNames().includes(given)) {
    const other = given.includes('prior') ? 'prior train' : 'train';
    throw new UsageError(
      `expected --config ${kind ? `a recipe of vaejs ${kind} (${recipes.join(', ')})` : 'a JSON file (this command takes no recipe)'}, got '${given}', a recipe of vaejs ${other}.`,
    );
  }
  const path = !local && recipes.includes(given) ? join(recipesDir() as string, `${given}.json`) : given;
  if (!existsSync(path)) {
    const guess = closest(given.replace(/\.json$/, ''), recipes);
    throw new UsageError(
      recipes.length > 0
        ? `expected --config an existing JSON file or a recipe (${recipes.join(', ')}), got '${given}' (not found${guess ? `; did you mean ${guess}?` : ''}).`
        : `expected --config an existing JSON file, got '${given}' (not found).`,
    );
  }
  let values: unknown;
  try {
    values = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`expected --config a JSON file, got '${path}' (${(error as Error).message}).`);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new UsageError(`expected --config a JSON object of flag values, got '${path}'.`);
  }
  const { config: _nested, ...rest } = values as Record<string, unknown>;
  applyValues(command, rest, path);
}

/** The values of the user-facing options of a command, for the run config (so that --resume can read them back). */
export function flagValues(command: AnyCommand): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const key of optionsByKey(command).keys()) {
    const value = command.getOptionValue(key);
    if (value === undefined || key === 'config' || key === 'resume') continue;
    // folders are saved absolute, so that the run's later commands find them from any working folder
    const folder = key === 'codes' || (key === 'dataset' && value !== 'mnist' && value !== 'fashion-mnist');
    values[key] = folder && typeof value === 'string' ? resolve(value) : value;
  }
  return values;
}
