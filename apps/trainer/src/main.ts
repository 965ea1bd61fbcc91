import { VaejsError } from '@vaejs/core';
import { COMMANDS, type Command } from './commands';

const USAGE = `vaejs — train, evaluate and sample VAEs, VQ-VAEs and PixelCNN priors on TensorFlow.js

Usage: vaejs <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(14)} ${command.summary}`)
  .join('\n')}

Run 'vaejs <command> --help' for a command's options.`;

/** Runs the CLI; returns the exit code. Errors print one line (the stack too with --verbose). */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((arg) => arg !== '--verbose');
  const name = args[0] === 'prior' && args[1] && !args[1].startsWith('-') ? `prior ${args[1]}` : args[0];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 1;
  }
  const command: Command | undefined = COMMANDS[name];
  if (!command) {
    process.stderr.write(`vaejs: expected a command (${Object.keys(COMMANDS).join(', ')}), got '${name}'.\n`);
    return 2;
  }
  const rest = args.slice(name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help()}\n`);
    return 0;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const known = VaejsError.isInstance(error);
    process.stderr.write(`${known ? '' : 'vaejs: '}${message.split('\n')[0]}\n`);
    if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    else if (!known) process.stderr.write('(run with --verbose for the stack trace)\n');
    return known ? 2 : 1;
  }
}
