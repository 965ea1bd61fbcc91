// The `vaejs` executable: everything lives in main.ts, which tests call directly.
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    // Exit explicitly: the wasm backend's worker threads would otherwise keep the process alive after the work is done.
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`vaejs: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
