/**
 * analyze() as an async iterator of connections, for programs embedding tcpshake: each connection
 * is handed over as soon as its verdict can no longer change (see AnalyzeOptions.onConnection) and
 * none is kept, so the program is as bounded as the CLI. A consumer slower than the analysis holds
 * it back: reading waits, after the chunk of input it is in, while {@link QUEUE_HIGH} connections
 * wait to be taken.
 *
 *   const run = analyzeConnections(['big.pcap']);
 *   for await (const c of run) if (c.close.kind === 'reset') console.log(c.id, c.close.rstBy);
 *   const { captures, summary } = await run.report;
 */
import type { ConnectionReport, Report } from '../model/report.js';
import { analyze, type AnalyzeOptions, type CaptureInput } from './analyze.js';

/** Connections waiting to be taken at which the analysis waits for the consumer. */
export const QUEUE_HIGH = 1024;

/** Why `report` rejects when the consumer stopped taking connections before the end (`break`). */
export class AnalysisStopped extends Error {
  constructor() {
    super('the analysis was stopped before the end of the captures');
    this.name = 'AnalysisStopped';
  }
}

export interface ConnectionStream extends AsyncIterable<ConnectionReport> {
  /**
   * The run's report once the captures are read — captures, summary over every connection, and no
   * connections (they were handed over one by one). Rejects as analyze() does, or with
   * AnalysisStopped when the iteration ended early.
   */
  readonly report: Promise<Report>;
}

/**
 * Starts analysing `inputs` at once; iterate the result (once) for the connections. `options` are
 * analyze()'s; `keepConnections` is always false here.
 */
export function analyzeConnections(inputs: CaptureInput[], options: Omit<AnalyzeOptions, 'keepConnections'> = {}): ConnectionStream {
  const queue: ConnectionReport[] = [];
  let head = 0;
  let wakeConsumer: (() => void) | null = null;
  let wakeProducer: (() => void) | null = null;
  let finished = false;
  let failure: unknown = null;
  let stopped = false;

  const waiting = (): number => queue.length - head;
  const wake = (): void => {
    const w = wakeConsumer;
    wakeConsumer = null;
    w?.();
  };
  const report = analyze(inputs, {
    ...options,
    keepConnections: false,
    onConnection: (c) => {
      options.onConnection?.(c);
      queue.push(c);
      wake();
    },
    backpressure: () => {
      if (stopped) throw new AnalysisStopped();
      const theirs = options.backpressure?.();
      if (waiting() < QUEUE_HIGH) return theirs;
      const ours = new Promise<void>((resolve) => (wakeProducer = resolve));
      return theirs === undefined ? ours : Promise.all([ours, theirs]).then(() => undefined);
    },
  }).then(
    (r) => {
      finished = true;
      wake();
      return r;
    },
    (e: unknown) => {
      finished = true;
      failure = stopped ? new AnalysisStopped() : e;
      wake();
      throw failure;
    },
  );
  // The caller may never look at `report` (a for-await that ends on the failure is enough).
  report.catch(() => undefined);

  const release = (): void => {
    const w = wakeProducer;
    wakeProducer = null;
    w?.();
  };

  return {
    report,
    [Symbol.asyncIterator](): AsyncIterator<ConnectionReport> {
      return {
        async next(): Promise<IteratorResult<ConnectionReport>> {
          for (;;) {
            if (waiting() > 0) {
              const c = queue[head]!;
              queue[head++] = undefined as unknown as ConnectionReport;
              // Compact once the taken half is large: the array never holds more than a batch or so.
              if (head >= QUEUE_HIGH && head * 2 >= queue.length) {
                queue.splice(0, head);
                head = 0;
              }
              if (waiting() < QUEUE_HIGH / 2) release();
              return { value: c, done: false };
            }
            if (finished) {
              if (failure !== null && !stopped) throw failure;
              return { value: undefined, done: true };
            }
            await new Promise<void>((resolve) => (wakeConsumer = resolve));
          }
        },
        async return(): Promise<IteratorResult<ConnectionReport>> {
          // `break` (or a throw) in the consumer's loop: stop reading at the next chunk.
          if (!finished) stopped = true;
          queue.length = 0;
          head = 0;
          release();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
