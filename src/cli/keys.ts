import { keysCliDirectory } from '../config';
import { keysCommand } from './keys.command';

// A CLI of its own: it needs no database and no secret, only the key directory.
keysCommand(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  now: () => new Date(),
  defaultDir: keysCliDirectory(),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
