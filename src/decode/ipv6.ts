/**
 * IPv6 (RFC 8200) and its extension-header chain, read in place.
 */
import { pseudoHeaderSum6 } from './checksum.js';
import { IpProtocol, skipReasonForProtocol } from './ipproto.js';
import { decodeIpPayload } from './ipnext.js';
import type { DecodeResult, Segment } from './segment.js';
import { decodeTcp, firstFragmentReason, NO_CHECKSUM } from './tcp.js';
import { NoteKind, noteKey } from './tunnel.js';

/** Hop-by-hop option type of the Jumbo Payload option (RFC 2675 §2). */
const JUMBO_OPTION = 0xc2;

export const IPV6_HEADER = 40;

/**
 * Decodes the IPv6 packet at `b[off..]` and the TCP segment at the end of its extension-header chain.
 *
 * - Extension headers walked: hop-by-hop (0), routing (43), fragment (44), destination options (60),
 *   AH (51, length in 4-byte units + 2, RFC 4302 §2.2), mobility (135), HIP (139), shim6 (140) — all
 *   but AH and fragment use the RFC 8200 §4 length in 8-byte units + 1.
 * - Fragment header: with reassembly (Segment.reassembly, see reassembly.ts) the fragment goes there
 *   and the datagram is decoded once complete. Without it, a non-first fragment → 'fragment'; a first
 *   fragment (offset 0, M set) is decoded when the whole TCP header is in it (payloadLength then
 *   counts only this fragment, checksum null). An atomic fragment (offset 0, M clear, RFC 6946) is an
 *   ordinary packet either way.
 * - A jumbogram (payload length 0 and a hop-by-hop header holding a Jumbo Payload option, RFC 2675
 *   §2, as Linux's BIG TCP sends) takes its length from the option; payload length 0 with a hop-by-hop
 *   header but no such option → 'bad_ip_header', as is any extension header or TCP header that does
 *   not fit in the payload length.
 * - A packet longer than the frame was on the wire is cut to the frame (and noted), as for IPv4.
 * - ESP (50), no-next-header (59), ICMPv6... → 'non_tcp'; UDP, GRE and IP-in-IP are handed to
 *   decodeIpPayload (tunnels, ipnext.ts).
 * - The checksum pseudo-header uses the final destination (RFC 8200 §8.1): the last address of a
 *   type 0 or type 2 routing header, or segment list[0] of a segment routing header (RFC 8754), when
 *   segments are left; with another routing type and segments left, the checksum is not checked.
 */
export function decodeIPv6(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  const captured = out.capturedEnd;
  if (off + IPV6_HEADER > captured) return 'truncated';
  if (b[off] >> 4 !== 6) return 'bad_ip_header';
  let payloadLength = (b[off + 4] << 8) | b[off + 5];
  let next = b[off + 6];
  // Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675). Without one it is simply an
  // empty packet (nothing after the header can fit), which the checks below classify.
  if (payloadLength === 0 && next === IpProtocol.HopByHop) {
    payloadLength = jumboPayloadLength(b, off + IPV6_HEADER, captured);
    if (payloadLength < 0) return payloadLength === -2 ? 'truncated' : 'bad_ip_header';
  } else if (payloadLength === 0 && next !== IpProtocol.NoNextHeader && wire - off > IPV6_HEADER) {
    // A segmentation-offload capture (GSO, or BIG TCP without the hop-by-hop option, as Linux sends it
    // since 6.x) on the sending host: as for an IPv4 total length of 0, the frame gives the length.
    payloadLength = wire - off - IPV6_HEADER;
  }
  let end = off + IPV6_HEADER + payloadLength;
  if (end > wire) {
    out.notes?.note(out.fileIndex, noteKey(NoteKind.ipLengthBeyondFrame, 0), out.frame, out.fileOffset);
    end = wire;
    payloadLength = end - off - IPV6_HEADER;
  }

  let p = off + IPV6_HEADER;
  /** Where the next-header value now in `next` was read (patched when a datagram is reassembled). */
  let nextAt = off + 6;
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
        if (firstFragment) return skipReasonForProtocol(next);
        return decodeIpPayload(next, b, p, end, 16, off + 8, off + 24, out);
    }
    if (p + len > end) return 'bad_ip_header';
    if (p + len > captured) return 'truncated';
    if (next === IpProtocol.Fragment) {
      const fo = (b[p + 2] << 8) | b[p + 3];
      // An atomic fragment (offset 0, M clear: RFC 6946) is no fragment at all.
      if ((fo & 0xfff9) !== 0 && out.reassembly !== null) return out.reassembly.addIPv6(b, off, p, nextAt, end, out, decodeIPv6);
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
    nextAt = p;
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

/**
 * The Jumbo Payload Length (RFC 2675 §2) of the hop-by-hop header at `b[p..]`: the packet's length
 * past the IPv6 header, hop-by-hop header included. -1 when the header holds no valid Jumbo Payload
 * option (§3: its length must exceed 65,535), -2 when the header is not all captured.
 */
function jumboPayloadLength(b: Uint8Array, p: number, captured: number): number {
  if (p + 2 > captured) return -2;
  const end = p + ((b[p + 1] + 1) << 3);
  if (end > captured) return -2;
  for (let q = p + 2; q < end; ) {
    const type = b[q];
    if (type === 0) {
      q++; // Pad1
      continue;
    }
    if (q + 2 > end) return -1;
    const len = b[q + 1];
    if (type === JUMBO_OPTION) {
      if (len !== 4 || q + 6 > end) return -1;
      const jumbo = ((b[q + 2] << 24) | (b[q + 3] << 16) | (b[q + 4] << 8) | b[q + 5]) >>> 0;
      return jumbo > 0xffff ? jumbo : -1;
    }
    q += 2 + len;
  }
  return -1;
}
