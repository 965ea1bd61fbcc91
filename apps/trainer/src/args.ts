import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, describeValue, formatExpected } from '@vaejs/core';

/** One command-line flag: its type, default and help line. Names are kebab-case (`--batch-size`). */
export interface FlagSpec {
  name: string;
  type: 'int' | 'number' | 'string' | 'boolean' | 'choice';
  help: string;
  choices?: readonly string[];
  default?: string | number | boolean;
  /** Inclusive lower bound for numbers (ints default to 1). */
  min?: number;
  max?: number;
  short?: string;
  /** Accepts any string as well as the choices (e.g. a dataset folder besides mnist | fashion-mnist). */
  openChoice?: boolean;
}

export type ParsedFlags = Record<string, string | number | boolean | undefined>;

const EXPLICIT = Symbol('explicit flags');

/** The camelCase keys given on the command line or in --config (not filled from defaults). */
export function explicitKeys(flags: ParsedFlags): ReadonlySet<string> {
  return (flags as { [EXPLICIT]?: Set<string> })[EXPLICIT] ?? new Set(Object.keys(flags));
}

/** `--batch-size` → `batchSize`, the key config files and the parsed result use. */
export function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function convert(command: string, spec: FlagSpec, raw: unknown): string | number | boolean {
  const flag = `--${spec.name}`;
  const fail = (expectation: string): never => {
    throw new ConfigError(formatExpected(command, flag, expectation, describeValue(raw)));
  };
  switch (spec.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return fail('true or false');
    case 'int':
    case 'number': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      const min = spec.min ?? (spec.type === 'int' ? 1 : Number.NEGATIVE_INFINITY);
      const max = spec.max ?? Number.POSITIVE_INFINITY;
      const kind = spec.type === 'int' ? 'an integer' : 'a number';
      const range = Number.isFinite(max) ? ` in [${min}, ${max}]` : Number.isFinite(min) ? ` ≥ ${min}` : '';
      if (!Number.isFinite(value) || (spec.type === 'int' && !Number.isInteger(value)) || value < min || value > max) {
        fail(`${kind}${range}`);
      }
      return value;
    }
    case 'choice':
      if (typeof raw !== 'string' || (!spec.openChoice && !spec.choices?.includes(raw))) {
        fail(`one of ${spec.choices?.join(' | ')}${spec.openChoice ? ' | <folder>' : ''}`);
      }
      return raw as string;
    default:
      if (typeof raw !== 'string' || raw === '') fail('a value');
      return raw as string;
  }
}

/**
 * Parses `argv` against `specs`. Values come, in rising priority, from defaults, `--config file.json` (keys in
 * camelCase or kebab-case) and the command line. Throws ConfigError with a one-line message for an unknown flag,
 * a missing value, or a value of the wrong kind.
 */
export function parseFlags(command: string, specs: readonly FlagSpec[], argv: readonly string[]): ParsedFlags {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  for (const spec of specs) if (spec.short) byName.set(spec.short, spec);
  const fromArgs: Record<string, unknown> = {};
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    const match = /^--?([a-zA-Z][\w-]*)(?:=(.*))?$/.exec(token);
    if (!match) {
      throw new ConfigError(formatExpected(command, 'arguments', 'flags of the form --name value', `'${token}'`));
    }
    const name = match[1]!;
    if (name === 'config') {
      configPath = match[2] ?? argv[++i];
      if (!configPath) throw new ConfigError(formatExpected(command, '--config', 'a JSON file path', 'nothing'));
      continue;
    }
    const spec = byName.get(name);
    if (!spec) {
      throw new ConfigError(
        formatExpected(
          command,
          'a known flag',
          `(see vaejs ${command.split(' ').slice(1).join(' ')} --help)`,
          `'${token}'`,
        ),
      );
    }
    if (
      spec.type === 'boolean' &&
      match[2] === undefined &&
      (argv[i + 1] === undefined || argv[i + 1]!.startsWith('-'))
    ) {
      fromArgs[spec.name] = true;
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new ConfigError(formatExpected(command, `--${spec.name}`, 'a value', 'nothing'));
    fromArgs[spec.name] = value;
  }
  const fromFile = configPath ? readConfigFile(command, configPath) : {};
  const result: ParsedFlags = {};
  for (const spec of specs) {
    const key = camel(spec.name);
    const raw = fromArgs[spec.name] ?? fromFile[key] ?? fromFile[spec.name] ?? spec.default;
    result[key] = raw === undefined ? undefined : convert(command, spec, raw);
  }
  const explicit = new Set(
    specs
      .filter(
        (spec) =>
          fromArgs[spec.name] !== undefined ||
          fromFile[camel(spec.name)] !== undefined ||
          fromFile[spec.name] !== undefined,
      )
      .map((spec) => camel(spec.name)),
  );
  Object.defineProperty(result, EXPLICIT, { value: explicit, enumerable: false });
  const known = new Set(specs.flatMap((spec) => [spec.name, camel(spec.name)]));
  const unknown = Object.keys(fromFile).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new ConfigError(formatExpected(command, `keys of ${configPath}`, 'known flag names', `'${unknown[0]}'`));
  }
  return result;
}

function readConfigFile(command: string, path: string): Record<string, unknown> {
  if (!existsSync(path))
    throw new ConfigError(formatExpected(command, '--config', 'an existing JSON file', `'${path}' (not found)`));
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(
      formatExpected(command, '--config', 'a JSON object', `'${path}' (${(error as Error).message})`),
    );
  }
}

/** The `--help` text of a command. */
export function helpText(usage: string, summary: string, specs: readonly FlagSpec[]): string {
  const rows = specs.map((spec) => {
    const value =
      spec.type === 'boolean'
        ? ''
        : spec.type === 'choice'
          ? ` <${spec.choices?.join('|')}${spec.openChoice ? '|folder' : ''}>`
          : ` <${spec.type === 'string' ? 'value' : spec.type}>`;
    const left = `  ${spec.short ? `-${spec.short}, ` : ''}--${spec.name}${value}`;
    const fallback = spec.default === undefined ? '' : ` (default: ${spec.default})`;
    return `${left.padEnd(44)} ${spec.help}${fallback}`;
  });
  return [
    `Usage: ${usage}`,
    '',
    summary,
    '',
    'Options:',
    ...rows,
    `${'  --config <file.json>'.padEnd(44)} read any of these options from a JSON file (flags given win)`,
    `${'  --verbose'.padEnd(44)} print stack traces of errors`,
    `${'  -h, --help'.padEnd(44)} show this help`,
  ].join('\n');
}
