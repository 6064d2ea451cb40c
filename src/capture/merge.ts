/**
 * Several inputs as one timeline: a k-way merge of the inputs' frame streams by timestamp.
 */
import { CaptureError, type Frame } from './frame.js';
import type { OpenedCapture } from './open.js';

/** Frames per merged batch at most (a batch is also yielded whenever an input must be read on). */
const MERGED_BATCH = 4096;

/**
 * Merges several captures into one timeline ordered by timestamp. Stable: frames with equal timestamps
 * come in input order (the order of `captures`), and each input's own order is kept as it is, even
 * where the file itself is not in time order. Frame numbers stay per file (`fileIndex` tells which).
 *
 * Errors: when one input throws a {@link CaptureError} (it has already yielded every good frame before
 * it), the merge records nothing itself; the error stays available from that input's `error()`; the
 * merge drops the input and goes on with the others, so one corrupt file does not lose the other
 * files' frames. Callers must therefore check `error()` of every capture after the merge ends. Any
 * other exception (a bug, not a file problem) is rethrown. Ending the iteration early closes every input.
 */
export async function* mergeCaptures(captures: OpenedCapture[]): AsyncGenerator<Frame[], void, undefined> {
  const n = captures.length;
  const iterators = captures.map((c) => c.batches()[Symbol.asyncIterator]());
  const batches: Frame[][] = new Array<Frame[]>(n);
  const positions = new Array<number>(n).fill(0);
  const active: number[] = [];

  /** Next non-empty batch of input k; false when it ended or failed (failure kept by its error()). */
  async function refill(k: number): Promise<boolean> {
    for (;;) {
      let r: IteratorResult<Frame[]>;
      try {
        r = await iterators[k]!.next();
      } catch (e) {
        if (e instanceof CaptureError) return false;
        throw e;
      }
      if (r.done === true) return false;
      if (r.value.length > 0) {
        batches[k] = r.value;
        positions[k] = 0;
        return true;
      }
    }
  }

  let finished = false;
  try {
    // Start every input at once so their first reads overlap.
    const started = await Promise.all(iterators.map((_, k) => refill(k)));
    for (let k = 0; k < n; k++) if (started[k]) active.push(k);

    let out: Frame[] = [];
    while (active.length > 0) {
      // The input whose next frame is earliest (first in input order on a tie), and the earliest
      // frame among the others: the chosen input's frames can be taken in a run up to that one.
      let bestSlot = 0;
      let best = active[0]!;
      let bestFrame = batches[best]![positions[best]!]!;
      let second = -1;
      let secondFrame: Frame | null = null;
      for (let slot = 1; slot < active.length; slot++) {
        const k = active[slot]!;
        const f = batches[k]![positions[k]!]!;
        if (f.tsSec < bestFrame.tsSec || (f.tsSec === bestFrame.tsSec && f.tsNsec < bestFrame.tsNsec)) {
          second = best;
          secondFrame = bestFrame;
          best = k;
          bestFrame = f;
          bestSlot = slot;
        } else if (
          secondFrame === null ||
          f.tsSec < secondFrame.tsSec ||
          (f.tsSec === secondFrame.tsSec && f.tsNsec < secondFrame.tsNsec)
        ) {
          second = k;
          secondFrame = f;
        }
      }
      // `active` is in input order, so a strict comparison above keeps ties in input order; in the run
      // below a tie with `second` goes to `best` only when `best` comes first.
      const batch = batches[best]!;
      let p = positions[best]!;
      if (secondFrame === null) {
        while (p < batch.length) out.push(batch[p++]!);
      } else {
        const sSec = secondFrame.tsSec;
        const sNsec = secondFrame.tsNsec;
        const tieToBest = best < second;
        while (p < batch.length) {
          const f = batch[p]!;
          if (f.tsSec > sSec || (f.tsSec === sSec && (f.tsNsec > sNsec || (f.tsNsec === sNsec && !tieToBest)))) break;
          out.push(f);
          p++;
        }
      }
      positions[best] = p;
      if (p === batch.length) {
        if (out.length > 0) {
          yield out;
          out = [];
        }
        if (!(await refill(best))) active.splice(bestSlot, 1);
      } else if (out.length >= MERGED_BATCH) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
    finished = true;
  } finally {
    if (!finished) {
      // Closing early (or a bug): let every input close its file.
      await Promise.allSettled(iterators.map((it) => it.return?.()));
    }
  }
}

/**
 * The frames of the run in batches: one input's batches as they come, several inputs merged by time.
 * As with mergeCaptures(), a CaptureError ends that input (after its good frames) and is kept by its
 * `error()`; anything else is rethrown.
 */
export async function* captureTimeline(captures: OpenedCapture[]): AsyncGenerator<Frame[], void, undefined> {
  if (captures.length !== 1) {
    yield* mergeCaptures(captures);
    return;
  }
  try {
    yield* captures[0]!.batches();
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
  }
}
