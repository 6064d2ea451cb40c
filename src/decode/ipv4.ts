/**
 * IPv4 (RFC 791), read in place.
 */
import { checksumVerifies, pseudoHeaderSum4 } from './checksum.js';
import { IpProtocol, skipReasonForProtocol } from './ipproto.js';
import { decodeIpPayload } from './ipnext.js';
import { CHECKSUMS_UNKNOWN, knownIpChecksum, type DecodeResult, type Segment } from './segment.js';
import { decodeTcp, firstFragmentReason, NO_CHECKSUM } from './tcp.js';
import { NoteKind, noteKey } from './tunnel.js';

export const IPV4_MIN_HEADER = 20;

/** Fragment field: More Fragments flag and the 13-bit fragment offset (RFC 791 §3.1). */
const MF = 0x2000;
const OFFSET_MASK = 0x1fff;

/**
 * Decodes the IPv4 packet at `b[off..]` and the TCP segment it carries. `wire` is the end of the
 * frame on the wire (its original length), used only when the total length is 0 (see below).
 *
 * - Version ≠ 4, IHL < 5, or a total length smaller than the header → 'bad_ip_header'.
 * - Header not all captured → 'truncated'.
 * - Fragments: with reassembly (Segment.reassembly, see reassembly.ts), every fragment goes there and
 *   the datagram is decoded once complete, in the frame of the fragment that completed it ('fragment'
 *   until then). Without it, only a first fragment (offset 0, MF set) that holds the whole TCP header
 *   is decoded (its payloadLength is then only the part in this fragment, and its checksum cannot be
 *   verified: it covers the reassembled datagram); any other fragment → 'fragment'.
 * - Total length 0: a segmentation-offload (TSO/GSO) capture on the sending host, where the stack
 *   had not filled it yet; as Wireshark does, the length is taken from the frame instead.
 * - A total length beyond the end of the frame as it was on the wire (`wire`; for a packet inside a
 *   tunnel, the end of the outer payload) cannot be: only the bytes on the wire are taken as the
 *   packet, so a header claiming 820 bytes in a 66-byte frame yields no payload, and the run warns.
 *   (A frame merely cut by the snap length keeps its IP length: its payload was on the wire.)
 * - Not TCP: UDP, GRE and IP-in-IP are handed to decodeIpPayload (tunnels, ipnext.ts).
 * - The header checksum is verified into `ipChecksumOk` (unless the reading thread did: see
 *   Segment.knownChecksums) and never used to drop the packet.
 * - An AH header (RFC 4302, length in 4-byte units + 2) between IP and TCP is skipped.
 */
export function decodeIPv4(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  const captured = out.capturedEnd;
  if (off + IPV4_MIN_HEADER > captured) return 'truncated';
  const vihl = b[off];
  if (vihl >> 4 !== 4) return 'bad_ip_header';
  const hl = (vihl & 0x0f) << 2;
  if (hl < IPV4_MIN_HEADER) return 'bad_ip_header';
  if (off + hl > captured) return 'truncated';
  let total = (b[off + 2] << 8) | b[off + 3];
  if (total === 0) total = wire - off;
  if (total < hl) return 'bad_ip_header';
  if (off + total > wire) {
    out.notes?.note(out.fileIndex, noteKey(NoteKind.ipLengthBeyondFrame, 0), out.frame, out.fileOffset);
    total = wire - off;
    if (total < hl) return 'truncated';
  }

  const frag = (b[off + 6] << 8) | b[off + 7];
  if ((frag & (OFFSET_MASK | MF)) !== 0 && out.reassembly !== null) return out.reassembly.addIPv4(b, off, hl, total, out, decodeIPv4);
  if ((frag & OFFSET_MASK) !== 0) return 'fragment';
  const firstFragment = (frag & MF) !== 0;

  let protocol = b[off + 9];
  let tcpOff = off + hl;
  if (protocol === IpProtocol.AH) {
    if (tcpOff + 2 > off + total) return 'bad_ip_header';
    if (tcpOff + 2 > captured) return 'truncated';
    protocol = b[tcpOff];
    tcpOff += (b[tcpOff + 1] + 2) << 2;
    if (tcpOff > off + total) return 'bad_ip_header';
  }
  if (protocol !== IpProtocol.TCP) {
    if (firstFragment) return skipReasonForProtocol(protocol);
    return decodeIpPayload(protocol, b, tcpOff, off + total, 4, off + 12, off + 16, out);
  }

  const tcpLength = off + total - tcpOff;
  if (firstFragment) {
    const reason = firstFragmentReason(b, tcpOff, tcpLength, captured);
    if (reason !== null) return reason;
  }

  out.ipVersion = 4;
  out.srcOffset = off + 12;
  out.dstOffset = off + 16;
  out.addrLength = 4;
  out.ttl = b[off + 8];
  out.ipLength = total;
  out.ecn = b[off + 1] & 3;
  out.ipId = (b[off + 4] << 8) | b[off + 5];
  out.ipChecksumOk = out.knownChecksums === CHECKSUMS_UNKNOWN ? checksumVerifies(b, off, off + hl) : knownIpChecksum(out.knownChecksums);
  return decodeTcp(b, tcpOff, tcpLength, firstFragment ? NO_CHECKSUM : pseudoHeaderSum4(b, off, tcpLength), out);
}
