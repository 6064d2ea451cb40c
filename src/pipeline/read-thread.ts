/**
 * The reading thread (see capture/threaded.ts): opens the capture files, reads and merges them exactly as
 * analyze() does on its own thread, and packs the frames into the slots of the shared buffer, naming
 * each filled slot in a message; the analysing thread names it back once done with its frames. With
 * every slot out, reading waits: the analysing thread sets the pace, and memory stays at a few
 * megabytes whatever the file size.
 *
 * This thread also decodes each frame once, to pack its checksum verdicts with it: summing every
 * byte of every segment is the one costly part of decoding, and this thread has time to spare while
 * the analysing thread is the one the run waits for. That is why this module sits beside analyze.ts,
 * above both the capture and decode layers, and is handed to readOnWorker() by analyze().
 */
import { parentPort, workerData } from 'node:worker_threads';
import { captureTimeline } from '../capture/merge.js';
import { openCapture, type OpenedCapture } from '../capture/open.js';
import { FramePacker, PACK_BYTES, packedSize } from '../capture/packed.js';
import type { WorkerMessage, WorkerSetup } from '../capture/threaded.js';
import { checksumVerdicts, CHECKSUMS_UNKNOWN, decodeFrame, newSegment } from '../decode/index.js';

const port = parentPort!;
const { paths, shared, slots } = workerData as WorkerSetup;
const captures: OpenedCapture[] = paths.map((p, i) => openCapture(p, i));
/** Where each frame is decoded for its checksum verdicts. */
const seg = newSegment();

/** Slots of the shared buffer free to fill (all at first; the analysing thread hands them back). */
const free: number[] = Array.from({ length: slots }, (_, i) => slots - 1 - i);
let wake: (() => void) | null = null;
port.on('message', (slot: number) => {
  free.push(slot);
  wake?.();
});

async function freeSlot(): Promise<FramePacker> {
  for (;;) {
    const slot = free.pop();
    if (slot !== undefined) return new FramePacker(shared, slot * PACK_BYTES, PACK_BYTES);
    await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
  }
}

function bytesRead(): number[] {
  return captures.map((c) => c.bytesRead());
}

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function send(packer: FramePacker): void {
  if (packer.buffer === shared) {
    post({ type: 'batch', slot: packer.start / PACK_BYTES, count: packer.count, bytesRead: bytesRead() });
  } else {
    const buffer = packer.buffer as ArrayBuffer;
    post({ type: 'batch', slot: -1, buffer, count: packer.count, bytesRead: bytesRead() }, [buffer]);
  }
}

async function run(): Promise<void> {
  let packer = await freeSlot();
  for await (const batch of captureTimeline(captures)) {
    for (const frame of batch) {
      if (!packer.fits(frame.data.length)) {
        if (packer.count > 0) {
          send(packer);
          packer = await freeSlot();
        }
        // Longer than a whole slot: a buffer of its own, handed over (the slot stays free).
        if (!packer.fits(frame.data.length)) {
          const size = packedSize(frame.data.length);
          free.push(packer.start / PACK_BYTES);
          packer = new FramePacker(new ArrayBuffer(size), 0, size);
        }
      }
      packer.add(frame, decodeFrame(frame, seg) === null ? checksumVerdicts(seg) : CHECKSUMS_UNKNOWN);
    }
    // Sent at the end of a chunk once half full: a buffer holds a dozen chunks' frames or so, and
    // progress is still reported as the file is read.
    if (packer.count > 0 && packer.used >= PACK_BYTES / 2) {
      send(packer);
      packer = await freeSlot();
    }
  }
  if (packer.count > 0) send(packer);
  post({
    type: 'end',
    infos: captures.map((c) => c.info),
    errors: captures.map((c) => {
      const e = c.error();
      return e === null ? null : { file: e.file, frame: e.frame, offset: e.offset, message: e.message };
    }),
    bytesRead: bytesRead(),
  });
}

run()
  .catch((e: unknown) => {
    post({ type: 'fail', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? (e.stack ?? '') : '' });
  })
  // Nothing more to wait for: let the thread end (what was posted is still delivered).
  .finally(() => port.unref());
