/**
 * IPv6 (RFC 8200) and its extension-header chain, read in place.
 */
import { pseudoHeaderSum6 } from './checksum.js';
import { IpProtocol, skipReasonForProtocol } from './ipproto.js';
import type { DecodeResult, Segment } from './segment.js';
import { decodeTcp, firstFragmentReason, NO_CHECKSUM } from './tcp.js';

export const IPV6_HEADER = 40;

/**
 * Decodes the IPv6 packet at `b[off..]` and the TCP segment at the end of its extension-header chain.
 *
 * - Extension headers walked: hop-by-hop (0), routing (43), fragment (44), destination options (60),
 *   AH (51, length in 4-byte units + 2, RFC 4302 §2.2), mobility (135), HIP (139), shim6 (140) — all
 *   but AH and fragment use the RFC 8200 §4 length in 8-byte units + 1.
 * - Fragment header: a non-first fragment → 'fragment'; a first fragment (offset 0, M set) is decoded
 *   when the whole TCP header is in it (payloadLength then counts only this fragment, checksum null);
 *   an atomic fragment (offset 0, M clear, RFC 6946) is an ordinary packet.
 * - A jumbogram (payload length 0 and a hop-by-hop header, RFC 2675) is not supported → 'bad_ip_header',
 *   nor is any extension header or TCP header that does not fit in the payload length.
 * - ESP (50), no-next-header (59), ICMPv6, UDP... → 'non_tcp'; IP-in-IP/GRE → 'tunnel'.
 * - The checksum pseudo-header uses the final destination (RFC 8200 §8.1): the last address of a
 *   type 0 or type 2 routing header, or segment list[0] of a segment routing header (RFC 8754), when
 *   segments are left; with another routing type and segments left, the checksum is not checked.
 */
export function decodeIPv6(b: Uint8Array, off: number, _wire: number, out: Segment): DecodeResult {
  const captured = out.capturedEnd;
  if (off + IPV6_HEADER > captured) return 'truncated';
  if (b[off] >> 4 !== 6) return 'bad_ip_header';
  const payloadLength = (b[off + 4] << 8) | b[off + 5];
  let next = b[off + 6];
  // Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675): not supported. Without one it
  // is simply an empty packet (nothing after the header can fit), which the checks below classify.
  if (payloadLength === 0 && next === IpProtocol.HopByHop) return 'bad_ip_header';
  const end = off + IPV6_HEADER + payloadLength;

  let p = off + IPV6_HEADER;
  let firstFragment = false;
  let finalDst = off + 24;
  let checksumKnown = true;
  for (;;) {
    if (next === IpProtocol.TCP) break;
    let len: number;
    switch (next) {
      case IpProtocol.HopByHop:
      case IpProtocol.DestinationOptions:
      case IpProtocol.Routing:
      case IpProtocol.Mobility:
      case IpProtocol.HIP:
      case IpProtocol.Shim6:
        if (p + 2 > end) return 'bad_ip_header';
        if (p + 2 > captured) return 'truncated';
        len = (b[p + 1] + 1) << 3;
        break;
      case IpProtocol.AH:
        if (p + 2 > end) return 'bad_ip_header';
        if (p + 2 > captured) return 'truncated';
        len = (b[p + 1] + 2) << 2;
        break;
      case IpProtocol.Fragment:
        len = 8;
        break;
      default:
        return skipReasonForProtocol(next);
    }
    if (p + len > end) return 'bad_ip_header';
    if (p + len > captured) return 'truncated';
    if (next === IpProtocol.Fragment) {
      const fo = (b[p + 2] << 8) | b[p + 3];
      if ((fo & 0xfff8) !== 0) return 'fragment';
      if ((fo & 1) !== 0) firstFragment = true;
    } else if (next === IpProtocol.Routing && b[p + 3] !== 0) {
      // Segments left > 0: the checksum is computed with the final destination.
      const type = b[p + 2];
      if (type === 0 && len >= 24) finalDst = p + len - 16;
      else if (type === 2 && len === 24) finalDst = p + 8;
      else if (type === 4 && len >= 24) finalDst = p + 8;
      else checksumKnown = false;
    }
    next = b[p];
    p += len;
  }

  const tcpLength = end - p;
  if (firstFragment) {
    const reason = firstFragmentReason(b, p, tcpLength, captured);
    if (reason !== null) return reason;
  }

  out.ipVersion = 6;
  out.srcOffset = off + 8;
  out.dstOffset = off + 24;
  out.addrLength = 16;
  out.ttl = b[off + 7];
  out.ipLength = IPV6_HEADER + payloadLength;
  out.ipChecksumOk = null;
  // No Identification field (the segment is reused: clear what an IPv4 frame left).
  out.ipId = -1;
  // Traffic class straddles bytes 0 and 1; ECN is its low two bits (RFC 3168 §5).
  out.ecn = (b[off + 1] >> 4) & 3;
  return decodeTcp(
    b,
    p,
    tcpLength,
    firstFragment || !checksumKnown ? NO_CHECKSUM : pseudoHeaderSum6(b, off + 8, finalDst, tcpLength),
    out,
  );
}
