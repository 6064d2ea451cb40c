/** The shape of a tcpshake sub-command, as registered in commands.ts. */
import type { Argv } from 'yargs';
import type { CliIO } from './io.js';

export interface CliCommand {
  /** yargs command string(s), e.g. `['analyze <captures..>', '$0 <captures..>']`. */
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  /**
   * Runs the command and resolves to the exit code (see report/exitcode.ts). Throw UsageError
   * (cli/errors.ts) for a usage problem found late: it is printed with the usage hint, exit 2.
   * Write only through `io`.
   */
  run: (argv: Record<string, unknown>, io: CliIO) => Promise<number>;
}
