/**
 * The capture layer: bytes in, {@link Frame}s out. Classic pcap (microsecond and nanosecond, either
 * byte order) through pcap-parser, pcapng through tcpshake's own streaming reader, either of them
 * gzip-compressed, from a path or a stream, several inputs merged into one timeline.
 */
export { CaptureError, compareTime, timeOf } from './frame.js';
export type { CaptureFormat, CaptureInfo, CaptureWarning, Frame } from './frame.js';
export { openCapture, type OpenedCapture } from './open.js';
export { captureTimeline, mergeCaptures } from './merge.js';
export { linkTypeName } from './linktype.js';
