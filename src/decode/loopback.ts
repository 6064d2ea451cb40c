/**
 * BSD loopback encapsulations: a 4-byte address family before the IP packet.
 * LINKTYPE_NULL (0) stores it in the capturing host's byte order, LINKTYPE_LOOP (108, OpenBSD) in
 * network byte order. AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD, BSD/OS), 28
 * (FreeBSD, DragonFly) or 30 (Darwin), so all three are accepted.
 */
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { DecodeResult, Segment } from './segment.js';

export const LOOPBACK_HEADER = 4;

function byFamily(family: number, b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  switch (family) {
    case 2:
      return decodeIPv4(b, off, wire, out);
    case 24:
    case 28:
    case 30:
      return decodeIPv6(b, off, wire, out);
    default:
      return 'non_ip';
  }
}

/** LINKTYPE_NULL: the family in either byte order (the file does not say which host wrote it). */
export function decodeNull(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + LOOPBACK_HEADER > out.capturedEnd) return 'truncated';
  // The known families are < 256, so exactly one of the two readings can be small.
  const family = b[off] === 0 && b[off + 1] === 0 && b[off + 2] === 0 ? b[off + 3] : b[off + 1] === 0 && b[off + 2] === 0 && b[off + 3] === 0 ? b[off] : -1;
  return byFamily(family, b, off + LOOPBACK_HEADER, wire, out);
}

/** LINKTYPE_LOOP: the family in network byte order. */
export function decodeLoop(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + LOOPBACK_HEADER > out.capturedEnd) return 'truncated';
  const family = b[off] === 0 && b[off + 1] === 0 && b[off + 2] === 0 ? b[off + 3] : -1;
  return byFamily(family, b, off + LOOPBACK_HEADER, wire, out);
}
