/**
 * PPP (RFC 1661) and PPPoE sessions (RFC 2516).
 */
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import { decodeMpls } from './mpls.js';
import type { DecodeResult, Segment } from './segment.js';

/** PPP protocol numbers (RFC 1661 §2, IANA "PPP DLL Protocol Numbers"). */
export const PppProtocol = {
  IPv4: 0x0021,
  IPv6: 0x0057,
  /** MPLS unicast (RFC 3032 §4.3). */
  MPLS: 0x0281,
} as const;

/** Dispatches on the PPP protocol field: IPv4, IPv6 and MPLS are decoded, anything else (LCP, IPCP, ...) → 'non_ip'. */
export function decodePppPayload(protocol: number, b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  switch (protocol) {
    case PppProtocol.IPv4:
      return decodeIPv4(b, off, wire, out);
    case PppProtocol.IPv6:
      return decodeIPv6(b, off, wire, out);
    case PppProtocol.MPLS:
      return decodeMpls(b, off, wire, out);
    default:
      return 'non_ip';
  }
}

/** PPPoE header: VER/TYPE (0x11), CODE (0x00 in session stage), SESSION_ID, LENGTH; then the PPP protocol. */
export const PPPOE_HEADER = 6;

/**
 * A PPPoE session-stage packet (EtherType 0x8864, RFC 2516 §5.4) at `b[off..]`: 6-byte header,
 * 2-byte PPP protocol, then the datagram. The PPPoE LENGTH field is not used to bound the IP packet:
 * the IP length is what counts (some access concentrators get LENGTH wrong).
 */
export function decodePppoeSession(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + PPPOE_HEADER + 2 > out.capturedEnd) return 'truncated';
  // VER and TYPE are both 1 and CODE is 0 for session data (RFC 2516 §4); anything else is not a datagram.
  if (b[off] !== 0x11 || b[off + 1] !== 0x00) return 'non_ip';
  return decodePppPayload((b[off + 6] << 8) | b[off + 7], b, off + PPPOE_HEADER + 2, wire, out);
}

/**
 * LINKTYPE_PPP (9) / LINKTYPE_PPP_HDLC (50): optional HDLC-like address/control bytes 0xff 0x03
 * (RFC 1662 §3.1), then the protocol field, one byte when compressed (RFC 1661 §6.5: an odd first byte).
 */
export function decodePpp(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  const captured = out.capturedEnd;
  let p = off;
  if (p + 2 <= captured && b[p] === 0xff && b[p + 1] === 0x03) p += 2;
  if (p + 1 > captured) return 'truncated';
  if (b[p] & 1) return decodePppPayload(b[p], b, p + 1, wire, out);
  if (p + 2 > captured) return 'truncated';
  return decodePppPayload((b[p] << 8) | b[p + 1], b, p + 2, wire, out);
}
