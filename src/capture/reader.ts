/**
 * What the format readers (pcap, pcapng) share: a push parser fed chunk by chunk, whatever the chunk
 * boundaries, that appends complete frames to the batch it is given.
 */
import type { CaptureError, CaptureInfo, Frame } from './frame.js';

export interface RecordReader {
  /**
   * Parse one chunk of the (decompressed) file, the next bytes after everything pushed so far, and
   * append each complete record to `out`. After a problem that stops reading, `error` is set, every
   * frame before it has been appended, and further input is ignored.
   */
  push(chunk: Buffer, out: Frame[]): void;
  /** End of input: a record cut short becomes a warning in `info.warnings`; a cut file header an error. */
  finish(): void;
  /** Set once the file cannot be read on. */
  readonly error: CaptureError | null;
  /** Number of the next frame (1 + frames delivered), for errors raised outside the reader. */
  nextFrame(): number;
}

/** Where a reader reports to: the file being read and the info it fills in. */
export interface ReaderContext {
  file: string;
  fileIndex: number;
  info: CaptureInfo;
}

/** Records `linkType` in `info.linkTypes` unless already there (order of first appearance). */
export function noteLinkType(info: CaptureInfo, linkType: number): void {
  if (!info.linkTypes.includes(linkType)) info.linkTypes.push(linkType);
}

/**
 * Keeps free-text comments bounded: a file with a comment on every packet must not grow memory
 * without limit, so after this many the rest are counted in one warning.
 */
export const MAX_COMMENTS = 10_000;

/**
 * Largest block/record tcpshake buffers. Wireshark's own ceiling for a pcapng block is about
 * 128 MiB (the D-Bus maximum packet size plus room for options); anything bigger is corruption.
 */
export const MAX_RECORD_BYTES = 128 * 1024 * 1024;
