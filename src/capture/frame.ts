/**
 * What the capture layer hands to the decoders: one captured record, in file order.
 *
 * Timestamps are kept as two integers (seconds, nanoseconds) so that epoch nanoseconds are never
 * rounded through a float; `timeOf()` turns them into float seconds only for display.
 */
import type { CaptureFormat, CaptureWarning } from '../model/capture.js';

export type { CaptureFormat, CaptureWarning };

export interface Frame {
  /** Index of the input among the files of the run (0-based), for merged timelines. */
  fileIndex: number;
  /** 1-based record number within its file: Wireshark's `frame.number`. */
  number: number;
  /** Byte offset of the record header within the (decompressed) file. */
  offset: number;
  /** Seconds since the Unix epoch. */
  tsSec: number;
  /** Nanoseconds within the second, 0..999_999_999. */
  tsNsec: number;
  /** LINKTYPE_* value of the interface the frame was captured on. */
  linkType: number;
  /** Length on the wire (the record's original length). */
  originalLength: number;
  /** The captured bytes (may be shorter than originalLength: snap length). */
  data: Uint8Array;
}

/**
 * Raised (as a rejected promise / thrown from an async iterator) when a capture cannot be read on,
 * e.g. unknown magic or a corrupt record header. Every frame before `frame` has already been delivered.
 */
export class CaptureError extends Error {
  readonly file: string;
  readonly frame: number;
  readonly offset: number;
  constructor(file: string, frame: number, offset: number, message: string) {
    super(`${file}: frame ${frame} at byte offset ${offset}: ${message}`);
    this.name = 'CaptureError';
    this.file = file;
    this.frame = frame;
    this.offset = offset;
  }
}

/** What is known about one input once it has been read (or once reading stopped). */
export interface CaptureInfo {
  file: string;
  format: CaptureFormat;
  gzip: boolean;
  /** Link type numbers seen, in order of first appearance. */
  linkTypes: number[];
  frames: number;
  firstTsSec: number | null;
  firstTsNsec: number;
  lastTsSec: number | null;
  lastTsNsec: number;
  warnings: CaptureWarning[];
  /** pcapng: comments and interface names/descriptions (free text from the file: escape before display). */
  comments: string[];
  interfaces: { name?: string; description?: string; linkType: number }[];
}

/** What is known of an input before any of it is read. */
export function emptyCaptureInfo(file: string): CaptureInfo {
  return {
    file,
    format: 'pcap',
    gzip: false,
    linkTypes: [],
    frames: 0,
    firstTsSec: null,
    firstTsNsec: 0,
    lastTsSec: null,
    lastTsNsec: 0,
    warnings: [],
    comments: [],
    interfaces: [],
  };
}

/** Float seconds for display and JSON (microsecond-or-better precision is kept in Frame). */
export function timeOf(sec: number, nsec: number): number {
  return sec + nsec / 1e9;
}

/** Negative, zero or positive as a is before, equal to or after b. */
export function compareTime(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  return aSec !== bSec ? aSec - bSec : aNsec - bNsec;
}
