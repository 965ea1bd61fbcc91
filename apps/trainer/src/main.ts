/**
 * The `vaejs` command: commander parses the flags (typed, with --help, --version, --no-<flag> and did-you-mean),
 * each command turns them into library calls. Every error ends in one line: bad input exits 2, a failure 1.
 */
import { Command, CommanderError, Help, type Option } from '@commander-js/extra-typings';
import { VaejsError } from '@vaejs/core';
import { osErrorLine, type Rephrasings, rephrase } from '@vaejs/training';
import { unpackArchiveOut } from './cli/archives';
import { encodeCommand } from './cli/encode';
import { evalCommand } from './cli/evaluate';
import { exportCommand } from './cli/export';
import { importCommand } from './cli/import';
import { applyConfigFile } from './cli/options';
import { UsageError } from './cli/parse';
import { priorTrainCommand } from './cli/prior-train';
import { sampleCommand } from './cli/sample';
import { trainCommand } from './cli/train';
import { VERSION } from './version';

/** Builds the program (a fresh one per call: commander keeps parsed values on its objects). */
export function createProgram(): Command {
  const program = new Command('vaejs')
    .description('train, evaluate and sample VAEs, VQ-VAEs and PixelCNN priors on TensorFlow.js')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--verbose', 'print stack traces of errors')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  const prior = new Command('prior').description('train a PixelCNN prior over VQ-VAE code maps').exitOverride();
  prior.addCommand(priorTrainCommand() as unknown as Command);
  for (const command of [
    trainCommand(),
    evalCommand(),
    sampleCommand(),
    encodeCommand(),
    exportCommand(),
    importCommand(),
  ]) {
    program.addCommand(command as unknown as Command);
  }
  program.addCommand(prior);
  program.addHelpText('after', EXAMPLES);
  for (const command of [program, ...program.commands, ...prior.commands]) {
    command
      .configureHelp({ optionDescription })
      .exitOverride()
      .configureOutput({ outputError: () => {} })
      .showSuggestionAfterError(true);
  }
  program.hook('preAction', async (_program, action) => {
    const config = action.getOptionValue('config') as string | undefined;
    if (config !== undefined) applyConfigFile(action, config);
    // `--resume --out run.zip` (a run a page downloaded): unpacked into run/, where training continues
    const fn = `vaejs ${action.parent?.name() === 'prior' ? 'prior ' : ''}${action.name()}`;
    await unpackArchiveOut(fn, action);
  });
  return program as unknown as Command;
}

const EXAMPLES = `
Examples:
  vaejs train --out runs/vae                       the PyTorch examples/vae model on MNIST, 10 epochs
  vaejs train --config mnist-vqvae --out runs/vq   a recipe (vaejs train --help lists them)
  vaejs eval --run runs/vae --iwae-k 50            scores on the test images, as a table (--json for scripts)
  vaejs sample --run runs/vae -n 64 --out s.png    a grid of new images
  vaejs encode --run runs/vq --out runs/codes      then: vaejs prior train --codes runs/codes --out runs/prior
  vaejs <command> --help                           a command's flags`;

/**
 * Commander's description of a flag, with "(required)" on the required ones, and the default of a boolean said once:
 * by "(default)" in the description of the form that is the default, not again as "(default: true)".
 */
function optionDescription(this: Help, option: Option): string {
  const text = Help.prototype.optionDescription.call(this, option);
  const once = option.isBoolean() && !option.negate ? text.replace(/\s*\(default: (true|false)\)$/, '') : text;
  return option.mandatory ? `${once} (required)` : once;
}

/** `vaejs train`, `vaejs prior train`, … the command a line of argv names, for messages. */
function commandName(argv: string[]): string {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  if (words[0] === 'prior' && words[1] === 'train') return 'vaejs prior train';
  return ['train', 'eval', 'sample', 'encode', 'prior', 'export', 'import'].includes(words[0] ?? '')
    ? `vaejs ${words[0]}`
    : 'vaejs';
}

/** Commander's own messages, and the one line in the project's form each becomes. */
const COMMANDER_MESSAGES: [RegExp, (match: RegExpExecArray, did: string, name: string) => string][] = [
  [/^unknown option '([^']+)'/, (m, did) => `expected a known option (see --help), got '${m[1]}'${did}.`],
  [
    /^unknown command '([^']+)'/,
    (m, did, name) =>
      `expected a command (${name === 'vaejs prior' ? 'train' : 'train, eval, sample, encode, prior train, export, import'}), got '${m[1]}'${did}.`,
  ],
  [/^required option '([^']+)' not specified/, (m) => `expected ${m[1]}, got nothing.`],
  [/^option '([^']+)' argument missing/, (m) => `expected a value after ${m[1]}, got nothing.`],
  [
    /^option '([^']+)' argument '([^']*)' is invalid\. Allowed choices are (.+)\.$/,
    (m) => `expected ${(m[1] ?? '').split(' ')[0]} one of ${m[3]}, got '${m[2]}'.`,
  ],
  // a value parser's own words (parse.ts): what it expects and what came
  [/^option '([^']+)' argument '.*' is invalid\. (.+)$/s, (m) => `expected ${(m[1] ?? '').split(/[ ,]/)[0]} ${m[2]}.`],
  [
    /^too many arguments.*Expected (\d+) arguments? but got (\d+)/,
    (m) => `expected flags of the form --name value, got ${m[2]} extra word(s).`,
  ],
];

/** Commander's own messages, rewritten as one line in the project's form. */
function usageLine(error: CommanderError, name: string): string {
  const message = error.message
    .replace(/^error: /, '')
    .replace(/\n+/g, ' ')
    .trim();
  const suggestion = /\(Did you mean (.+)\?\)/.exec(message)?.[1];
  const did = suggestion ? ` (did you mean ${suggestion}?)` : '';
  const base = message.replace(/\s*\(Did you mean .+\?\)/, '');
  for (const [pattern, format] of COMMANDER_MESSAGES) {
    const match = pattern.exec(base);
    if (match) return format(match, did, name);
  }
  return `${base}${did}`;
}

/** The libraries' lines the CLI says in its words: their argument names become its flags. */
const LIBRARY_WORDS: Rephrasings = {
  setupBackend: [
    [/options\.backend '([^']+)'/, '--backend $1'],
    [/options\.threads/, '--threads'],
  ],
  readCodesManifest: [
    [/^expected folder ('[^']+')/, 'expected --codes $1'],
    [' (from writeCodeMaps or vaejs encode)', ' (from vaejs encode)'],
  ],
  loadIdxFolder: [[/^expected (\w+) file in ('[^']+')/, 'expected --dataset $2 to hold the $1 file,']],
};

/** Runs the CLI; returns the exit code. Errors print one line (the stack too with --verbose). */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((arg) => arg !== '--verbose');
  const name = commandName(args);
  if (args.length === 0) {
    process.stderr.write(`${createProgram().helpInformation()}`);
    return 2;
  }
  try {
    await createProgram().parseAsync(args, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help asked for: 0; help shown because a command was missing (`vaejs prior`): 2, as `vaejs` alone
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) {
        return error.exitCode === 0 ? 0 : 2;
      }
      process.stderr.write(`${name}: ${usageLine(error, name)}\n`);
      return 2;
    }
    const osLine = osErrorLine(error);
    if (osLine) {
      process.stderr.write(`${name}: ${osLine}\n`);
      if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    const own = rephrase(message, name, LIBRARY_WORDS);
    if (own) {
      process.stderr.write(`${own}\n`);
      if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      return 2;
    }
    const known = VaejsError.isInstance(error) || error instanceof UsageError;
    const line = message.split('\n')[0] ?? message;
    process.stderr.write(
      `${error instanceof UsageError && !line.startsWith('vaejs') ? `${name}: ` : known ? '' : 'vaejs: '}${line}\n`,
    );
    if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    else if (!known) process.stderr.write('(run with --verbose for the stack trace)\n');
    return known ? 2 : 1;
  }
}
