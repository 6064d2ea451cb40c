/**
 * GTP-U, the user plane of the GPRS Tunnelling Protocol (3GPP TS 29.281), UDP port 2152.
 */
import { decodeIpByVersion } from './ipnext.js';
import type { DecodeResult, Segment } from './segment.js';
import { TunnelKind } from './tunnel.js';

export const GTPU_HEADER = 8;
/** Message type of a G-PDU: a user packet (T-PDU) follows (TS 29.281 §6.1). */
const G_PDU = 255;
/** E, S, PN flags (TS 29.281 §5.1): any of them makes the optional 4-byte field present. */
const OPTIONAL_FIELDS = 0x07;
const FLAG_E = 0x04;

/**
 * The GTP-U header at `b[off..end)` (TS 29.281 §5.1): Version (3 bits, 1), PT (1, must be 1 for GTP
 * rather than GTP'), a spare bit, E, S, PN flags; message type; length (of what follows the first 8
 * bytes); TEID. When E, S or PN is set: sequence number (2), N-PDU number (1), next extension header
 * type (1); then extension headers (§5.2), each a length in 4-byte units (covering its own length and
 * next-type bytes), contents, and the next type, until a next type of 0. Only a G-PDU carries a user
 * packet (IPv4 or IPv6 by its version nibble); echo and error messages are 'non_tcp'.
 *
 * The TEID (the layer's identifier) names the tunnel endpoint of the receiver (§5.1), so the two
 * directions of one flow carry different ones (see flow/table.ts).
 */
export function decodeGtpU(b: Uint8Array, off: number, end: number, out: Segment): DecodeResult {
  const captured = out.capturedEnd;
  if (off + GTPU_HEADER > end) return 'non_tcp';
  if (off + GTPU_HEADER > captured) return 'truncated';
  const flags = b[off]!;
  if (flags >> 5 !== 1 || (flags & 0x10) === 0) return 'non_tcp';
  if (b[off + 1] !== G_PDU) return 'non_tcp';
  const layer = out.tunnels[out.tunnelDepth - 1]!;
  layer.kind = TunnelKind.gtp;
  layer.id = ((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0;
  const length = (b[off + 2]! << 8) | b[off + 3]!;
  const pduEnd = off + GTPU_HEADER + length <= end ? off + GTPU_HEADER + length : end;
  let p = off + GTPU_HEADER;
  if ((flags & OPTIONAL_FIELDS) !== 0) {
    if (p + 4 > pduEnd) return 'non_tcp';
    if (p + 4 > captured) return 'truncated';
    let next = (flags & FLAG_E) !== 0 ? b[p + 3]! : 0;
    p += 4;
    // Extension headers: bounded by the PDU, each at least 4 bytes, so the walk ends.
    while (next !== 0) {
      if (p + 1 > captured) return 'truncated';
      const len = b[p]! << 2;
      if (len === 0 || p + len > pduEnd) return 'non_tcp';
      if (p + len > captured) return 'truncated';
      next = b[p + len - 1]!;
      p += len;
    }
  }
  return decodeIpByVersion(b, p, pduEnd, out);
}
