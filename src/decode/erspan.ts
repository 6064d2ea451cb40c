/**
 * ERSPAN, Cisco's Encapsulated Remote SPAN (draft-foschiano-erspan-03), carried in GRE with
 * protocol type 0x88be (types I and II) or 0x22eb (type III). The mirrored frame inside is what
 * tcpshake analyses; the ERSPAN session id is the tunnel's identifier.
 */
import { decodeEthernet } from './ethernet.js';
import { decodeIpByVersion } from './ipnext.js';
import type { DecodeResult, Segment } from './segment.js';
import { TunnelKind } from './tunnel.js';

export const ERSPAN_II_HEADER = 8;
export const ERSPAN_III_HEADER = 12;
/** Type III's optional platform-specific subheader, present when the O bit is set. */
const ERSPAN_III_SUBHEADER = 8;

/**
 * The ERSPAN payload of type `type` at `b[off..end)` (the GRE layer on top becomes `erspan`).
 *
 * - Type I: no header, the mirrored Ethernet frame follows GRE at once.
 * - Type II (§4.2): Ver (4 bits, 1), VLAN (12), COS (3), En (2), T (1), Session ID (10), Reserved
 *   (12), Index (20); then the Ethernet frame.
 * - Type III (§4.3): Ver (2), VLAN, COS, BSO, T, Session ID as type II; Timestamp (32); SGT (16),
 *   P (1), FT (5, frame type: 0 Ethernet, 2 IP), Hw ID (6), D (1), Gra (2), O (1); when O, an 8-byte
 *   platform-specific subheader; then the frame.
 */
export function decodeErspan(type: 1 | 2 | 3, b: Uint8Array, off: number, end: number, out: Segment): DecodeResult {
  const layer = out.tunnels[out.tunnelDepth - 1]!;
  layer.kind = TunnelKind.erspan;
  layer.detail = type;
  if (type === 1) return decodeEthernet(b, off, end, out);
  const header = type === 2 ? ERSPAN_II_HEADER : ERSPAN_III_HEADER;
  if (off + header > end) return 'non_ip';
  if (off + header > out.capturedEnd) return 'truncated';
  if (b[off]! >> 4 !== type - 1) return 'non_ip';
  layer.id = ((b[off + 2]! & 0x03) << 8) | b[off + 3]!;
  if (type === 2) return decodeEthernet(b, off + header, end, out);
  let p = off + header;
  if ((b[off + 11]! & 0x01) !== 0) p += ERSPAN_III_SUBHEADER;
  switch ((b[off + 10]! >> 2) & 0x1f) {
    case 0:
      return decodeEthernet(b, p, end, out);
    case 2:
      return decodeIpByVersion(b, p, end, out);
    default:
      return 'non_ip';
  }
}
