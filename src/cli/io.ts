/**
 * Everything the CLI takes from its process, in one place: streams, terminal facts, environment.
 * Commands receive a CliIO so they can be driven in-process by tests or by other tools.
 */
import type { Readable } from 'node:stream';

/** How main() passes a bare `-` (standard input) through yargs; see main.ts. */
export const STDIN_TOKEN = '\u0000-';

export interface CliIO {
  stdin: Readable;
  /**
   * Write to standard output (returns after the data is handed to the stream). Bytes are UTF-8 text
   * too, possibly cut inside a character: only the concatenation of everything written is whole.
   */
  out(text: string | Uint8Array): void;
  /** Write to standard error. */
  err(text: string): void;
  /**
   * Resolves once what was written to standard output has left the process (a closed stdout ends
   * the process quietly before that, see processIO()). Optional: in-memory IO has nothing pending.
   */
  drained?(): Promise<void>;
  /**
   * While standard output holds more than its stream buffers (a pipe to a slower reader), a promise
   * that resolves when it has drained; otherwise undefined. Optional: in-memory IO never backs up.
   */
  backedUp?(): Promise<void> | undefined;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Terminal width of stdout, when it is a terminal. */
  columns: number | undefined;
  env: Record<string, string | undefined>;
  /** Milliseconds, monotonic; a parameter so progress output can be tested. */
  now(): number;
}

/** Thrown when stdout was closed under us (e.g. `| head -1`): the run ends quietly with exit 0. */
export class OutputClosed extends Error {
  constructor() {
    super('standard output closed');
    this.name = 'OutputClosed';
  }
}

export function processIO(): CliIO {
  let closed = false;
  // A reader that goes away (`tcpshake x.pcap | head -1`) makes writes fail with EPIPE,
  // reported asynchronously as an 'error' event: leave at once, successfully and quietly,
  // like other Unix filters do on SIGPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
      closed = true;
      process.exit(0);
    }
    process.stderr.write(`tcpshake: cannot write to standard output: ${e.message}\n`);
    process.exit(3);
  });
  return {
    stdin: process.stdin,
    out(text) {
      if (closed) throw new OutputClosed();
      process.stdout.write(text);
    },
    err(text) {
      process.stderr.write(text);
    },
    drained() {
      return new Promise<void>((resolve) => {
        if (closed) return;
        process.stdout.write('', () => resolve());
      });
    },
    backedUp() {
      if (closed || !process.stdout.writableNeedDrain) return undefined;
      return new Promise<void>((resolve) => {
        // 'close' too: a stream that goes away never drains (EPIPE ends the process anyway).
        const done = (): void => {
          process.stdout.off('drain', done);
          process.stdout.off('close', done);
          resolve();
        };
        process.stdout.on('drain', done);
        process.stdout.on('close', done);
      });
    },
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    env: process.env,
    now: () => performance.now(),
  };
}

/**
 * Colour only on a terminal, never with NO_COLOR set to a non-empty value (no-color.org), and as
 * `--color` / `--no-color` say when given.
 */
export function useColor(io: CliIO, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  const noColor = io.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return io.stdoutIsTTY;
}
