import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';

/** A CliIO that keeps stdout and stderr in memory, for running `main()` in-process. */
export function memoryIO(now: () => number = () => performance.now()): CliIO & { stdout: string; stderr: string } {
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
    now,
  };
  return io;
}

/**
 * `main(args)` in-process with a memoryIO whose clock stands still (timings in JUnit files are 0).
 * main is imported on first use, so a test file's vi.mock of a module main uses still applies.
 */
export async function runMain(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import('../../src/cli/main.js');
  const io = memoryIO(() => 0);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}
