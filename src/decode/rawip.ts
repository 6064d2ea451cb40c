/**
 * Raw IP link types: no link header, the packet starts with the IP header.
 */
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { DecodeResult, Segment } from './segment.js';

/** LINKTYPE_RAW (101) and the DLT_RAW values 12/14 found in old files: IPv4 or IPv6 by the version nibble. */
export function decodeRawIp(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off >= out.capturedEnd) return 'truncated';
  switch (b[off] >> 4) {
    case 4:
      return decodeIPv4(b, off, wire, out);
    case 6:
      return decodeIPv6(b, off, wire, out);
    default:
      return 'non_ip';
  }
}
