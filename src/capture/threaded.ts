/**
 * Reading on a second thread. Reading a classic pcap (the file, pcap-parser's per-record objects,
 * tcpshake's record checks) is about a sixth of a run's time on one thread; on a machine with a
 * second core it can run beside the analysis. A worker thread (its script, src/pipeline/read-thread.ts, is
 * given by the caller: it also decodes each frame for its checksums) opens and reads the
 * files exactly as analyze() does on its own thread — same readers, same merge, same warnings and
 * errors — and hands the frames over packed into the slots of a SharedArrayBuffer (packed.ts); a
 * message names the slot, and the slot's number goes back once its frames have been analysed.
 * (Transferring an ArrayBuffer per batch instead cost the analysing thread a millisecond or so a
 * message: about a second for the bench's large preset.)
 *
 * Only paths: a stream (standard input, a caller's Readable) belongs to this thread.
 */
import { setImmediate } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { CaptureError, emptyCaptureInfo, type CaptureInfo } from './frame.js';
import type { OpenedCapture } from './open.js';
import { PACK_BYTES, PackedFrames } from './packed.js';

/** What the reading thread is given. */
export interface WorkerSetup {
  paths: string[];
  /** `slots` regions of PACK_BYTES each: the reading thread fills them, this thread reads them. */
  shared: SharedArrayBuffer;
  slots: number;
}

/** What the reading thread posts. */
export type WorkerMessage =
  /** Frames in slot `slot` of the shared buffer, or (slot −1: a frame longer than a slot) in `buffer`. */
  | { type: 'batch'; slot: number; buffer?: ArrayBuffer; count: number; bytesRead: number[] }
  | {
      type: 'end';
      infos: CaptureInfo[];
      errors: ({ file: string; frame: number; offset: number; message: string } | null)[];
      bytesRead: number[];
    }
  | { type: 'fail'; message: string; stack: string };

/**
 * Slots of the shared buffer: one being analysed, the rest filled ahead. Four megabytes in all, and
 * enough that the reader is rarely the one waiting.
 */
const SLOTS = 4;

/**
 * The reading thread's young generation (MB). What it allocates (pcap-parser's objects per record)
 * dies at once, so a small one costs nothing in speed; V8's default would let it take 32 MB more.
 */
const WORKER_YOUNG_GENERATION_MB = 4;

/**
 * The inputs (paths) opened on a reading thread: `captures` stand for them as openCapture() would
 * (their `info` and `error()` are complete once `frames` has ended), `frames` is the run's timeline
 * as analyze() reads it on its own thread (one input's batches, or several merged), each batch the
 * frames packed in a buffer that goes back to the reader when the next batch is asked for: decode
 * them before that (decodePacked), or copy them. `script` is the thread's module (read-thread.ts).
 */
export function readOnWorker(paths: string[], script: URL): { captures: OpenedCapture[]; frames: AsyncGenerator<PackedFrames, void, undefined> } {
  const infos: CaptureInfo[] = paths.map((p) => emptyCaptureInfo(p));
  const errors: (CaptureError | null)[] = paths.map(() => null);
  let bytes: number[] = paths.map(() => 0);
  const captures: OpenedCapture[] = paths.map((_, i) => ({
    get info() {
      return infos[i]!;
    },
    batches() {
      throw new Error('read on a worker thread: iterate frames instead');
    },
    bytesRead: () => bytes[i]!,
    error: () => errors[i]!,
  }));

  async function* frames(): AsyncGenerator<PackedFrames, void, undefined> {
    const setup: WorkerSetup = { paths, shared: new SharedArrayBuffer(SLOTS * PACK_BYTES), slots: SLOTS };
    const worker = new Worker(script, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const queue: WorkerMessage[] = [];
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    const notify = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    worker.on('message', (m: WorkerMessage) => {
      queue.push(m);
      notify();
    });
    worker.on('error', (e) => {
      failure ??= e;
      notify();
    });
    worker.on('exit', (code) => {
      failure ??= new Error(`reading thread exited (code ${code}) before the end of input`);
      notify();
    });
    try {
      for (;;) {
        const m = queue.shift();
        if (m === undefined) {
          if (failure !== null) throw failure;
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (m.type === 'fail') {
          const e = new Error(`reading thread: ${m.message}`);
          e.stack = m.stack;
          throw e;
        }
        bytes = m.bytesRead;
        if (m.type === 'end') {
          for (let i = 0; i < paths.length; i++) {
            infos[i] = m.infos[i]!;
            const e = m.errors[i];
            if (e) errors[i] = rebuildCaptureError(e);
          }
          return;
        }
        yield m.slot >= 0 ? new PackedFrames(setup.shared, m.slot * PACK_BYTES, m.count) : new PackedFrames(m.buffer!, 0, m.count);
        // The batch has been analysed: its slot goes back to be filled again.
        if (m.slot >= 0) worker.postMessage(m.slot);
        // And the event loop turns, as it does between chunks read on this thread: otherwise, with
        // batches always waiting, completions of other I/O (the json spool's background writes)
        // would wait for the end of input.
        await setImmediate();
      }
    } finally {
      await worker.terminate();
    }
  }

  return { captures, frames: frames() };
}

/** The CaptureError the reading thread met, with its message as it was (file, frame and offset). */
function rebuildCaptureError(e: { file: string; frame: number; offset: number; message: string }): CaptureError {
  const prefix = `${e.file}: frame ${e.frame} at byte offset ${e.offset}: `;
  return new CaptureError(e.file, e.frame, e.offset, e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message);
}
