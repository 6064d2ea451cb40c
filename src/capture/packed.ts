/**
 * Frames packed into a region of a buffer, to move them between threads (see threaded.ts): the
 * regions are slots of one SharedArrayBuffer that both threads see, so handing frames over costs
 * the analysing thread no allocation and no copying: it decodes each frame where it lies
 * (decodePacked in decode/index.ts), with no Frame object or view per frame.
 *
 * Each record is 8-byte aligned: a header of two float64 (byte offset of the record in its file, a
 * Frame field the analysis does not read; seconds) and six uint32 (file index, frame number,
 * nanoseconds, link type in the low 16 bits with the checksum verdicts above them, original length,
 * captured length), then the captured bytes, padded to a multiple of 8. Link types are 16-bit numbers (pcapng's field is 16 bits; a classic
 * pcap header's upper bits are FCS information, masked off when it is read).
 */
import type { Frame } from './frame.js';

/** A link type's bits in its header word. */
const LINK_TYPE_MASK = 0xffff;

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

  /**
   * Appends `frame` (the caller has checked fits()), with the verdicts of its checksums when the
   * packing thread worked them out (Segment.knownChecksums: a number below 2^16), so that the
   * analysing thread does not sum its bytes again.
   */
  add(frame: Frame, checksums = 0): void {
    const at = this.used;
    const w = at >>> 2;
    const data = frame.data;
    this.f64[at >>> 3] = frame.offset;
    this.f64[(at >>> 3) + 1] = frame.tsSec;
    this.u32[w + 4] = frame.fileIndex;
    this.u32[w + 5] = frame.number;
    this.u32[w + 6] = frame.tsNsec;
    this.u32[w + 7] = (frame.linkType & LINK_TYPE_MASK) | (checksums << 16);
    this.u32[w + 8] = frame.originalLength;
    this.u32[w + 9] = data.length;
    this.bytes.set(data, at + RECORD_HEADER);
    this.used = at + packedSize(data.length);
    this.count++;
  }
}

/**
 * The `count` frames packed from `buffer[start]` on, read where they lie: a frame is named by the
 * byte offset of its record (`start` for the first, then `next(at)`), and its fields are read from
 * there. Valid only until the region is handed back to be filled again.
 */
export class PackedFrames {
  /** The whole buffer, as bytes: a frame's captured bytes are `bytes[dataStart(at), dataStart(at) + length(at))`. */
  readonly bytes: Uint8Array;
  private readonly f64: Float64Array;
  private readonly u32: Uint32Array;

  constructor(
    buffer: ArrayBufferLike,
    readonly start: number,
    readonly count: number,
  ) {
    this.bytes = new Uint8Array(buffer);
    this.f64 = new Float64Array(buffer, 0, buffer.byteLength >>> 3);
    this.u32 = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  }

  /** Byte offset of the record after the one at `at`. */
  next(at: number): number {
    return at + packedSize(this.u32[(at >>> 2) + 9]!);
  }

  tsSec(at: number): number {
    return this.f64[(at >>> 3) + 1]!;
  }

  /** Byte offset of the frame's record in its file. */
  fileOffset(at: number): number {
    return this.f64[at >>> 3]!;
  }

  fileIndex(at: number): number {
    return this.u32[(at >>> 2) + 4]!;
  }

  number(at: number): number {
    return this.u32[(at >>> 2) + 5]!;
  }

  tsNsec(at: number): number {
    return this.u32[(at >>> 2) + 6]!;
  }

  linkType(at: number): number {
    return this.u32[(at >>> 2) + 7]! & LINK_TYPE_MASK;
  }

  /** The checksum verdicts packed with the frame (Segment.knownChecksums; 0 when not worked out). */
  checksums(at: number): number {
    return this.u32[(at >>> 2) + 7]! >>> 16;
  }

  originalLength(at: number): number {
    return this.u32[(at >>> 2) + 8]!;
  }

  /** Captured length. */
  length(at: number): number {
    return this.u32[(at >>> 2) + 9]!;
  }

  dataStart(at: number): number {
    return at + RECORD_HEADER;
  }
}
