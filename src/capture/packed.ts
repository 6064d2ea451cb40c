/**
 * Frames packed into a region of a buffer, to move them between threads (see threaded.ts): the
 * regions are slots of one SharedArrayBuffer that both threads see, so handing frames over costs
 * the analysing thread no allocation and no copying beyond a view per frame.
 *
 * Each record is 8-byte aligned: a header of two float64 (byte offset of the record in its file,
 * seconds) and six uint32 (file index, frame number, nanoseconds, link type, original length,
 * captured length), then the captured bytes, padded to a multiple of 8.
 */
import type { Frame } from './frame.js';

/** Bytes of a record's header. */
export const RECORD_HEADER = 40;
/** Size of the regions frames are packed into (a frame longer than this gets a buffer of its own). */
export const PACK_BYTES = 1 << 20;

/** Space a frame of `length` captured bytes takes in a packed buffer. */
export function packedSize(length: number): number {
  return RECORD_HEADER + ((length + 7) & ~7);
}

/** Fills a region of a buffer with frames, one after the other. */
export class FramePacker {
  private readonly f64: Float64Array;
  private readonly u32: Uint32Array;
  private readonly bytes: Uint8Array;
  /** Bytes used so far. */
  used = 0;
  /** Frames packed so far. */
  count = 0;

  /** `buffer[start, start + length)`, `start` a multiple of 8. */
  constructor(
    readonly buffer: ArrayBufferLike,
    readonly start: number,
    length: number,
  ) {
    this.f64 = new Float64Array(buffer, start, length >>> 3);
    this.u32 = new Uint32Array(buffer, start, length >>> 2);
    this.bytes = new Uint8Array(buffer, start, length);
  }

  /** Room for a frame of `length` captured bytes. */
  fits(length: number): boolean {
    return this.used + packedSize(length) <= this.bytes.length;
  }

  /** Appends `frame` (the caller has checked fits()). */
  add(frame: Frame): void {
    const at = this.used;
    const w = at >>> 2;
    const data = frame.data;
    this.f64[at >>> 3] = frame.offset;
    this.f64[(at >>> 3) + 1] = frame.tsSec;
    this.u32[w + 4] = frame.fileIndex;
    this.u32[w + 5] = frame.number;
    this.u32[w + 6] = frame.tsNsec;
    this.u32[w + 7] = frame.linkType;
    this.u32[w + 8] = frame.originalLength;
    this.u32[w + 9] = data.length;
    this.bytes.set(data, at + RECORD_HEADER);
    this.used = at + packedSize(data.length);
    this.count++;
  }
}

/**
 * The `count` frames packed from `buffer[start]` on, as Frame objects whose `data` are views into
 * the buffer: valid only until the region is handed back to be filled again.
 */
export function unpackFrames(buffer: ArrayBufferLike, start: number, count: number): Frame[] {
  const f64 = new Float64Array(buffer);
  const u32 = new Uint32Array(buffer);
  const out = new Array<Frame>(count);
  let at = start;
  for (let i = 0; i < count; i++) {
    const w = at >>> 2;
    const length = u32[w + 9]!;
    out[i] = {
      fileIndex: u32[w + 4]!,
      number: u32[w + 5]!,
      offset: f64[at >>> 3]!,
      tsSec: f64[(at >>> 3) + 1]!,
      tsNsec: u32[w + 6]!,
      linkType: u32[w + 7]!,
      originalLength: u32[w + 8]!,
      data: new Uint8Array(buffer, at + RECORD_HEADER, length),
    };
    at += packedSize(length);
  }
  return out;
}
