// The `vaejs` executable: everything lives in main.ts, which tests call directly.
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    // The command's exit code; a process whose work is done exits by itself (no wasm worker holds it).
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`vaejs: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
