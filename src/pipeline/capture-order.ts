/**
 * The order a report lists connections in — by first frame, or with several files merged by start
 * time, then file, then first frame (ties by id) — found without keeping the connections: each one
 * leaves only its sort key (20 bytes, in typed arrays indexed by id) as it goes by, and order() sorts
 * the ids once at the end. Connections are reported as they end, in no particular order; text, csv
 * and Zeek output list them in capture order, so they spool each connection's rendered line by id
 * (see LineSpool) and take the lines back in this order.
 */
import type { ConnectionReport } from '../model/report.js';

export type OrderedConnection = Pick<ConnectionReport, 'id' | 'start' | 'firstFrame' | 'firstFile'>;

/** Connections in the order of their first frame (by time first when several files are merged). */
export function compareCaptureOrder(a: OrderedConnection, b: OrderedConnection, multiFile: boolean): number {
  return multiFile
    ? a.start - b.start || (a.firstFile ?? 0) - (b.firstFile ?? 0) || a.firstFrame - b.firstFrame || a.id - b.id
    : a.firstFrame - b.firstFrame || a.id - b.id;
}

/** A sorted copy of `connections` in capture order (see compareCaptureOrder). */
export function inCaptureOrder<T extends OrderedConnection>(connections: readonly T[], multiFile: boolean): T[] {
  return connections.slice().sort((a, b) => compareCaptureOrder(a, b, multiFile));
}

export class CaptureOrder {
  private start = new Float64Array(1024);
  private firstFrame = new Float64Array(1024);
  private firstFile = new Uint32Array(1024);
  private present = new Uint8Array(1024);
  private limit = 0;
  private count = 0;

  /** Notes connection `c`'s place (a connection noted twice keeps its last key). */
  note(c: OrderedConnection): void {
    const id = c.id;
    if (id >= this.present.length) this.grow(id);
    if (this.present[id] === 0) this.count++;
    this.present[id] = 1;
    this.start[id] = c.start;
    this.firstFrame[id] = c.firstFrame;
    this.firstFile[id] = c.firstFile ?? 0;
    if (id >= this.limit) this.limit = id + 1;
  }

  /** How many connections were noted. */
  get size(): number {
    return this.count;
  }

  /** The ids noted, in capture order (see compareCaptureOrder). */
  order(multiFile: boolean): Uint32Array {
    const ids = new Uint32Array(this.count);
    let n = 0;
    for (let id = 0; id < this.limit; id++) if (this.present[id] === 1) ids[n++] = id;
    const key = (id: number): OrderedConnection => ({
      id,
      start: this.start[id]!,
      firstFrame: this.firstFrame[id]!,
      firstFile: this.firstFile[id]!,
    });
    // Ids are given as connections are first seen, so they are nearly always in order already.
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = compareCaptureOrder(key(ids[i - 1]!), key(ids[i]!), multiFile) <= 0;
    if (!sorted) {
      const { start, firstFrame, firstFile } = this;
      ids.sort((a, b) =>
        multiFile
          ? start[a]! - start[b]! || firstFile[a]! - firstFile[b]! || firstFrame[a]! - firstFrame[b]! || a - b
          : firstFrame[a]! - firstFrame[b]! || a - b,
      );
    }
    return ids;
  }

  private grow(id: number): void {
    let size = this.present.length;
    while (size <= id) size *= 2;
    const widen = <A extends Float64Array | Uint32Array | Uint8Array>(old: A, make: (n: number) => A): A => {
      const a = make(size);
      a.set(old);
      return a;
    };
    this.start = widen(this.start, (k) => new Float64Array(k));
    this.firstFrame = widen(this.firstFrame, (k) => new Float64Array(k));
    this.firstFile = widen(this.firstFile, (k) => new Uint32Array(k));
    this.present = widen(this.present, (k) => new Uint8Array(k));
  }
}
