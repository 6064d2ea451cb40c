/**
 * The TCP header (RFC 9293 §3.1), read in place into a reused Segment.
 */
import { fold16, sum16 } from './checksum.js';
import { parseTcpOptions } from './options.js';
import { CHECKSUMS_UNKNOWN, knownTcpChecksum, knownTcpChecksumPartial, TcpFlag, type DecodeResult, type Segment } from './segment.js';

/** Size of the TCP header without options. */
export const TCP_MIN_HEADER = 20;

/**
 * A first fragment (IPv4 offset 0 with MF, IPv6 fragment header with offset 0) is decodable only when
 * it holds the whole TCP header; otherwise the header continues in a later fragment, which tcpshake
 * does not reassemble. Returns null when the header is all here.
 */
export function firstFragmentReason(b: Uint8Array, tcpOff: number, tcpLength: number, captured: number): DecodeResult {
  if (tcpLength < TCP_MIN_HEADER) return 'fragment';
  if (tcpOff + TCP_MIN_HEADER > captured) return 'truncated';
  if ((b[tcpOff + 12]! >> 4) << 2 > tcpLength) return 'fragment';
  return null;
}

/** Pass as `pseudoSum` when the checksum cannot be verified (a first IP fragment: the sum covers the whole datagram). */
export const NO_CHECKSUM = -1;

/**
 * Decodes the TCP segment at `b[off..]`, which the IP layer says is `tcpLength` bytes long
 * (header + payload; the captured bytes may be fewer). `pseudoSum` is the unfolded IP
 * pseudo-header sum, or NO_CHECKSUM.
 *
 * Order of checks, so the reason names the first thing that is wrong:
 * - IP says the segment is shorter than a bare TCP header → 'bad_ip_header' (the IP length is impossible);
 * - the fixed 20-byte header is not all captured → 'truncated';
 * - data offset < 5 (RFC 9293 §3.1: "the TCP header ... is at least 20 octets") → 'bad_tcp_header';
 * - the IP length cannot hold the header the data offset announces → 'bad_ip_header'.
 *
 * Options cut by the snap length do not drop the segment (the fixed header is what connection
 * tracking needs; Wireshark and Zeek keep such segments too): `options.truncated` says so.
 *
 * The payload length comes from the IP length, never from the captured length, so Ethernet padding
 * does not become data and a snap length does not hide it.
 *
 * The checksum is verified when every byte the IP length announces was captured, and only
 * reported: a capture taken on the sending host carries offloaded, not-yet-filled checksums.
 */
export function decodeTcp(b: Uint8Array, off: number, tcpLength: number, pseudoSum: number, out: Segment): DecodeResult {
  if (tcpLength < TCP_MIN_HEADER) return 'bad_ip_header';
  const captured = out.capturedEnd;
  if (off + TCP_MIN_HEADER > captured) return 'truncated';
  const hl = (b[off + 12] >> 4) << 2;
  if (hl < TCP_MIN_HEADER) return 'bad_tcp_header';
  if (hl > tcpLength) return 'bad_ip_header';

  out.srcPort = (b[off] << 8) | b[off + 1];
  out.dstPort = (b[off + 2] << 8) | b[off + 3];
  out.seq = ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0;
  out.ack = ((b[off + 8] << 24) | (b[off + 9] << 16) | (b[off + 10] << 8) | b[off + 11]) >>> 0;
  out.headerLength = hl;
  // The 12 flag bits: the low nibble of byte 12 holds AE (RFC 9768, former NS) and 3 reserved bits.
  out.flags = ((b[off + 12] & 0x0f) << 8) | b[off + 13];
  out.window = (b[off + 14] << 8) | b[off + 15];
  out.urgent = (b[off + 18] << 8) | b[off + 19];

  const payloadOffset = off + hl;
  const payloadLength = tcpLength - hl;
  out.payloadOffset = payloadOffset;
  out.payloadLength = payloadLength;
  const avail = captured - payloadOffset;
  out.capturedPayload = avail <= 0 ? 0 : avail < payloadLength ? avail : payloadLength;

  parseTcpOptions(b, off + TCP_MIN_HEADER, payloadOffset, captured, out.options);

  const end = off + tcpLength;
  if (out.knownChecksums !== CHECKSUMS_UNKNOWN) {
    out.checksumOk = knownTcpChecksum(out.knownChecksums);
    out.checksumPartial = knownTcpChecksumPartial(out.knownChecksums);
  } else {
    out.checksumOk = pseudoSum < 0 || end > captured ? null : fold16(sum16(b, off, end, pseudoSum)) === 0xffff;
    // Linux hands a segment to a NIC that computes checksums with CHECKSUM_PARTIAL: the field holds
    // the pseudo-header's sum (tcp_v4_send_check / tcp_v6_send_check: ~csum_tcpudp_magic(..., 0)),
    // which the NIC completes over the header and payload. A capture on the sending host sees it
    // before that: wrong, but by exactly this value, which corruption practically never produces.
    out.checksumPartial = out.checksumOk === false && ((b[off + 16] << 8) | b[off + 17]) === fold16(pseudoSum);
  }
  return null;
}

/** Flag names in bit order, as Wireshark's Info column lists them. */
const FLAG_NAMES: readonly (readonly [number, string])[] = [
  [TcpFlag.FIN, 'FIN'],
  [TcpFlag.SYN, 'SYN'],
  [TcpFlag.RST, 'RST'],
  [TcpFlag.PSH, 'PSH'],
  [TcpFlag.ACK, 'ACK'],
  [TcpFlag.URG, 'URG'],
  [TcpFlag.ECE, 'ECE'],
  [TcpFlag.CWR, 'CWR'],
  [TcpFlag.AE, 'AE'],
];

/** The three reserved bits of the 12-bit flag field. */
export const TCP_RESERVED_FLAGS = 0xe00;

/**
 * Wireshark-style flag text: "SYN, ACK"; "Reserved" when a reserved bit is set; "<None>" for none.
 * For display (ladders, reports), not for the per-packet path.
 */
export function flagsToString(flags: number): string {
  const parts: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) parts.push(name);
  if (flags & TCP_RESERVED_FLAGS) parts.push('Reserved');
  return parts.length === 0 ? '<None>' : parts.join(', ');
}
