/**
 * The streaming machinery every output runs on, for the CLI and the library alike: analyze() hands
 * each connection to a stage as soon as it is over and keeps none, so a run holds the connections open
 * at once, not the capture. What a stage keeps until the end (a line per connection, to write them in
 * id or capture order under a header that needs the whole run) goes to a temporary file (LineSpool),
 * not the heap.
 *
 * This module knows no output format: pipeline/ sits below report/ (imports run util ← model ←
 * capture ← decode ← tracker ← flow ← pipeline ← report ← check ← cli), so the renderers are the
 * stages' business — report/outputs.ts builds one stage per format from these parts, and the CLI only
 * picks the format and writes to its stdout.
 */
import type { ConnectionReport, Report } from '../model/report.js';
import { analyze, type AnalyzeOptions, type CaptureInput } from './analyze.js';
import { CaptureOrder } from './capture-order.js';
import { LineSpool, type SpooledLine } from './line-spool.js';

/** Where an output goes: text or bytes (UTF-8) in order; optional backpressure. */
export interface OutputSink {
  write(chunk: string | Uint8Array): void;
  /**
   * While the sink holds more than it should (a pipe to a slower reader), a promise that resolves
   * once it has drained; otherwise undefined.
   */
  backedUp?(): Promise<void> | undefined;
}

/** Text gathered into chunks of about this many characters before a write (a write per line is slow). */
export const OUTPUT_CHUNK_CHARS = 1 << 16;

/** Text to a sink in chunks, bytes as they are, in one order. */
export class OutputWriter {
  private pending = '';

  constructor(private readonly sink: OutputSink) {}

  text(s: string): void {
    this.pending += s;
    if (this.pending.length >= OUTPUT_CHUNK_CHARS) this.flush();
  }

  /** Writes out the text gathered so far. */
  flush(): void {
    if (this.pending.length === 0) return;
    const p = this.pending;
    this.pending = '';
    this.sink.write(p);
  }

  /** Bytes (after any pending text); resolves once the sink has room again. */
  async bytes(b: Uint8Array): Promise<void> {
    this.flush();
    this.sink.write(b);
    const wait = this.sink.backedUp?.();
    if (wait !== undefined) await wait;
  }

  /** The sink's backpressure (see OutputSink.backedUp). */
  backedUp(): Promise<void> | undefined {
    return this.sink.backedUp?.();
  }
}

/** What an output does with a run's connections. */
export interface ConnectionStage {
  /** Each connection of the run (shown or not: some outputs must know of all), as soon as it is over. */
  add(c: ConnectionReport): void;
  /** Writes what is left once every connection was added; `report` holds no connections. */
  end(report: Report, out: OutputWriter): Promise<void>;
  /** Frees what the stage holds (its spool file); safe after a failure and more than once. */
  close(): void;
}

/**
 * Runs analyze() keeping no connection: each goes to `stage` (and `options.onConnection`) as soon as
 * it is over. Text the stage writes during the run leaves after each chunk of input (so a live
 * `tcpdump | tcpshake -` shows it as it comes), and reading waits while `out` is backed up. Returns
 * analyze()'s report (no connections); the caller then calls `stage.end()` (after its progress line
 * is cleared, say) and `stage.close()`.
 */
export async function streamAnalysis(
  inputs: CaptureInput[],
  options: AnalyzeOptions,
  stage: ConnectionStage,
  out: OutputWriter,
): Promise<Report> {
  const { onConnection, onProgress, backpressure } = options;
  const report = await analyze(inputs, {
    ...options,
    keepConnections: false,
    onConnection: (c) => {
      onConnection?.(c);
      stage.add(c);
    },
    onProgress: (p) => {
      out.flush();
      onProgress?.(p);
    },
    backpressure: () => out.backedUp() ?? backpressure?.(),
  });
  out.flush();
  return report;
}

/**
 * One rendered line per connection, spooled by id and taken back in capture order (text, csv, Zeek):
 * memory holds the spool's 12 bytes and the order's 20 bytes a connection, whatever the lines' size.
 */
export class CaptureOrderedLines {
  private readonly spool = new LineSpool();
  private readonly order = new CaptureOrder();

  put(c: ConnectionReport, line: string): void {
    this.order.note(c);
    this.spool.put(c.id, line);
  }

  get size(): number {
    return this.order.size;
  }

  /** The lines in capture order (see LineSpool.linesInOrder for how long each one's bytes hold). */
  async lines(multiFile: boolean): Promise<Iterable<SpooledLine>> {
    await this.spool.settle();
    return this.spool.linesInOrder(this.order.order(multiFile));
  }

  close(): void {
    this.spool.close();
  }
}

/**
 * Writes spooled lines to `out` as bytes, each followed by nothing (lines carry their own ends), in
 * blocks of about 1 MiB, waiting whenever `out` is backed up.
 */
export async function writeSpooledLines(lines: Iterable<SpooledLine>, out: OutputWriter): Promise<void> {
  const BLOCK = 1 << 20;
  let block = Buffer.allocUnsafe(BLOCK);
  let used = 0;
  for (const line of lines) {
    let start = line.start;
    while (start < line.end) {
      if (used === BLOCK) {
        await out.bytes(block);
        block = Buffer.allocUnsafe(BLOCK);
        used = 0;
      }
      const k = Math.min(line.end - start, BLOCK - used);
      line.bytes.copy(block, used, start, start + k);
      used += k;
      start += k;
    }
  }
  if (used > 0) await out.bytes(block.subarray(0, used));
}
