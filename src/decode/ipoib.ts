/**
 * IP over InfiniBand (RFC 4391) as Linux captures it (LINKTYPE_IPOIB, 242): a 44-byte pseudo
 * header — 20-byte destination hardware address, 20 bytes the kernel leaves for the source, the
 * EtherType (2) and 2 reserved bytes — as tcpdump's print-ipoib.c reads it.
 */
import { decodeEtherType } from './ethertype.js';
import type { DecodeResult, Segment } from './segment.js';

export const IPOIB_HEADER = 44;

export function decodeIpoib(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + IPOIB_HEADER > out.capturedEnd) return 'truncated';
  return decodeEtherType((b[off + 40]! << 8) | b[off + 41]!, b, off + IPOIB_HEADER, wire, out);
}
