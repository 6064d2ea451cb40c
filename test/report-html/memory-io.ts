import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';

/** A CliIO that keeps stdout and stderr in memory, for running `main()` in-process. */
export function memoryIO(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdin: new PassThrough(),
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    columns: undefined,
    env: {},
    now: () => performance.now(),
  };
  return io;
}

