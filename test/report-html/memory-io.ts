import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { CliIO } from '../../src/cli/io.js';

/** A CliIO that keeps stdout and stderr in memory, for running `main()` in-process. */
export function memoryIO(now: () => number = () => performance.now()): CliIO & { stdout: string; stderr: string } {
  // Bytes may end inside a UTF-8 character: the decoder keeps the partial one for the next write.
  const utf8 = new StringDecoder('utf8');
  const io = {
    stdin: new PassThrough(),
    stdout: '',
    stderr: '',
    out(t: string | Uint8Array) {
      io.stdout += typeof t === 'string' ? t : utf8.write(Buffer.from(t.buffer, t.byteOffset, t.byteLength));
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
