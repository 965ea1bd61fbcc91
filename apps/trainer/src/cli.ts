// The `vaejs` executable: everything lives in main.ts, which tests call directly.
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`vaejs: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
