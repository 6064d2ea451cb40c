/**
 * MPLS label stacks (RFC 3032): 4-byte entries, the S bit marks the bottom of the stack.
 */
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { DecodeResult, Segment } from './segment.js';

/**
 * Skips the label stack at `b[off..]` and decodes what follows the bottom-of-stack entry. MPLS does
 * not say what it carries: as routers and Wireshark do, the first nibble is taken as the IP version
 * (4 or 6); anything else (a pseudowire control word, Ethernet over MPLS...) → 'non_ip'.
 */
export function decodeMpls(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  const captured = out.capturedEnd;
  let p = off;
  for (;;) {
    if (p + 4 > captured) return 'truncated';
    const bottom = b[p + 2] & 1;
    p += 4;
    if (bottom) break;
  }
  if (p >= captured) return 'truncated';
  switch (b[p] >> 4) {
    case 4:
      return decodeIPv4(b, p, wire, out);
    case 6:
      return decodeIPv6(b, p, wire, out);
    default:
      return 'non_ip';
  }
}
