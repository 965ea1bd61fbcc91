import { encodeCommand } from './encode';
import { evalCommand } from './evaluate';
import { priorTrainCommand } from './prior';
import { sampleCommand } from './sample';
import { trainCommand } from './train';

export interface Command {
  summary: string;
  help(): string;
  run(argv: string[]): Promise<void>;
}

export const COMMANDS: Record<string, Command> = {
  train: trainCommand,
  eval: evalCommand,
  sample: sampleCommand,
  encode: encodeCommand,
  'prior train': priorTrainCommand,
};
