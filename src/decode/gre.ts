/**
 * GRE (RFC 2784, with the key and sequence number of RFC 2890), over IP (protocol 47) or over UDP
 * port 4754 (GRE-in-UDP, RFC 8086); and the enhanced GRE of PPTP (RFC 2637 §4.1, version 1).
 */
import { decodeErspan } from './erspan.js';
import { decodeEthernet } from './ethernet.js';
import { decodeEtherType, ETHERTYPE_DECODERS, EtherType, NON_IP_ETHERTYPES } from './ethertype.js';
import { decodeIPv4 } from './ipv4.js';
import { decodePpp } from './pppoe.js';
import type { DecodeResult, Segment } from './segment.js';
import { NoteKind, noteKey, TunnelKind } from './tunnel.js';

/** Flags of the first header byte (RFC 2784 §2, RFC 2890 §2). */
const GRE_C = 0x80;
const GRE_R = 0x40;
const GRE_K = 0x20;
const GRE_S = 0x10;
/** Version 1's acknowledgment-present flag (RFC 2637 §4.1), in the second byte. */
const GRE_A = 0x80;

/** GRE protocol types beyond the EtherTypes of ethertype.ts. */
export const GreProtocol = {
  /** Transparent Ethernet Bridging (an Ethernet frame; Linux gretap). */
  TransparentEthernet: 0x6558,
  /** ERSPAN type I (no sequence number) and type II (with one). */
  ErspanII: 0x88be,
  /** ERSPAN type III. */
  ErspanIII: 0x22eb,
  /** PPP, as PPTP carries it. */
  Ppp: 0x880b,
  /** Cisco WCCP redirection (draft-mclaggan-wccp-v2rev1 §4.12): a 4-byte redirect header (v2) or none (v1), then IPv4. */
  Wccp: 0x883e,
} as const;

/**
 * The GRE header at `b[off..end)`; the caller pushed a tunnel layer for it (kind still 0).
 *
 * Version 0 (RFC 2784 §2.1): C, R, K, S flags, reserved bits, version, protocol type; then the
 * checksum and reserved field (4 bytes) when C — or R, in the older RFC 1701, whose source routes
 * tcpshake does not follow — the key (4 bytes) when K, the sequence number (4 bytes) when S. The key
 * is the tunnel's identifier (RFC 2890 §2.1: it identifies a flow within the tunnel). Protocol type
 * 0x88be/0x22eb is ERSPAN (the layer becomes `erspan`); 0x6558 an Ethernet frame; otherwise an
 * EtherType. A protocol type tcpshake does not know is noted for a warning.
 *
 * Version 1 (PPTP): K always set, the key holding payload length and call id (the identifier);
 * sequence number when S, acknowledgment number when A; then a PPP frame.
 */
export function decodeGre(b: Uint8Array, off: number, end: number, out: Segment): DecodeResult {
  if (off + 4 > end) return 'bad_ip_header';
  if (off + 4 > out.capturedEnd) return 'truncated';
  const flags = b[off]!;
  const version = b[off + 1]! & 0x07;
  const protocol = (b[off + 2]! << 8) | b[off + 3]!;
  const layer = out.tunnels[out.tunnelDepth - 1]!;
  layer.kind = TunnelKind.gre;
  layer.detail = protocol;
  let p = off + 4;
  if (version === 1) {
    if ((flags & GRE_K) === 0 || protocol !== GreProtocol.Ppp) return 'non_ip';
    if (p + 4 > out.capturedEnd) return 'truncated';
    layer.id = (b[p + 2]! << 8) | b[p + 3]!;
    p += 4;
    if ((flags & GRE_S) !== 0) p += 4;
    if ((b[off + 1]! & GRE_A) !== 0) p += 4;
    // A bare acknowledgment has no payload.
    if (p >= end) return 'non_ip';
    return decodePpp(b, p, end, out);
  }
  if (version !== 0 || (flags & GRE_R) !== 0) {
    out.notes?.note(out.fileIndex, noteKey(NoteKind.greUnsupported, version !== 0 ? version : 0xffff), out.frame, out.fileOffset);
    return 'tunnel';
  }
  if ((flags & GRE_C) !== 0) p += 4;
  if ((flags & GRE_K) !== 0) {
    if (p + 4 > out.capturedEnd) return 'truncated';
    layer.id = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
    p += 4;
  }
  const sequenced = (flags & GRE_S) !== 0;
  if (sequenced) p += 4;
  if (p > end) return 'bad_ip_header';
  switch (protocol) {
    case GreProtocol.TransparentEthernet:
      return decodeEthernet(b, p, end, out);
    case GreProtocol.ErspanII:
      // Type I has no sequence number and no ERSPAN header; type II has both (draft-foschiano-erspan-03 §4.1).
      return decodeErspan(sequenced ? 2 : 1, b, p, end, out);
    case GreProtocol.ErspanIII:
      return decodeErspan(3, b, p, end, out);
    case GreProtocol.Ppp:
      return decodePpp(b, p, end, out);
    case GreProtocol.Wccp:
      if (p >= out.capturedEnd) return 'truncated';
      // WCCPv1 puts the packet right after GRE; v2 first a redirect header, whose first nibble is never 4.
      return decodeIPv4(b, b[p]! >> 4 === 4 ? p : p + 4, end, out);
    default:
      break;
  }
  if (!ETHERTYPE_DECODERS.has(protocol) && !NON_IP_ETHERTYPES.has(protocol) && protocol !== EtherType.VLAN) {
    out.notes?.note(out.fileIndex, noteKey(NoteKind.unknownGre, protocol), out.frame, out.fileOffset);
    return 'tunnel';
  }
  return decodeEtherType(protocol, b, p, end, out);
}
