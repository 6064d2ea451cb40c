/**
 * ARCNET (ANSI/ATA 878.1), as BSD (LINKTYPE_ARCNET_BSD, 7) and Linux (LINKTYPE_ARCNET_LINUX, 129)
 * capture it; header layouts as tcpdump's print-arcnet.c reads them. RFC 1051 framing (the old system
 * codes 240/241) has a 3-byte header; RFC 1201 framing adds a split flag and sequence id, and a
 * 4-byte exception form when the flag is 0xff.
 */
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { DecodeResult, Segment } from './segment.js';

/** ARCNET system codes (the protocol field). */
const ArcType = {
  IPv4Rfc1051: 240,
  ArpRfc1051: 241,
  Diagnose: 0x80,
  IPv4: 212,
  IPv6: 0xc4,
} as const;

function byType(type: number, b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  switch (type) {
    case ArcType.IPv4:
    case ArcType.IPv4Rfc1051:
      return decodeIPv4(b, off, wire, out);
    case ArcType.IPv6:
      return decodeIPv6(b, off, wire, out);
    default:
      return 'non_ip';
  }
}

function oldFraming(type: number): boolean {
  return type === ArcType.IPv4Rfc1051 || type === ArcType.ArpRfc1051 || type === ArcType.Diagnose;
}

/**
 * BSD: source, destination, system code; for RFC 1201 system codes a split flag and 2-byte sequence
 * id (flag 0xff: the exception form, system code, flag and sequence id again). A packet split over
 * several frames (RFC 1201 §5): its later pieces (an even, non-zero flag) are skipped as 'fragment'.
 */
export function decodeArcnetBsd(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  const captured = out.capturedEnd;
  if (off + 3 > captured) return 'truncated';
  const type = b[off + 2]!;
  if (oldFraming(type)) return byType(type, b, off + 3, wire, out);
  if (off + 6 > captured) return 'truncated';
  let flag = b[off + 3]!;
  let p = off + 6;
  if (flag === 0xff) {
    if (off + 10 > captured) return 'truncated';
    flag = b[off + 7]!;
    p = off + 10;
  }
  if (flag !== 0 && (flag & 1) === 0) return 'fragment';
  return byType(type, b, p, wire, out);
}

/** Linux: source, destination, a 2-byte offset, system code; for RFC 1201 codes a split flag and sequence id. */
export function decodeArcnetLinux(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + 5 > out.capturedEnd) return 'truncated';
  const type = b[off + 4]!;
  if (oldFraming(type)) return byType(type, b, off + 5, wire, out);
  if (off + 8 > out.capturedEnd) return 'truncated';
  return byType(type, b, off + 8, wire, out);
}
