/**
 * VXLAN (RFC 7348), UDP port 4789 (and 8472, Linux's default before IANA's assignment), and its
 * Generic Protocol Extension (VXLAN-GPE, draft-ietf-nvo3-vxlan-gpe §3.2) when the P bit says
 * what follows.
 */
import { decodeEthernet } from './ethernet.js';
import { decodeIpByVersion } from './ipnext.js';
import type { DecodeResult, Segment } from './segment.js';
import { TunnelKind } from './tunnel.js';

export const VXLAN_HEADER = 8;

/** The I flag (RFC 7348 §5): the VNI is valid; it must be set. */
const FLAG_I = 0x08;
/** The P flag of VXLAN-GPE: byte 3 names the next protocol. */
const FLAG_P = 0x04;

/**
 * The VXLAN header at `b[off..end)`: flags (8 bits), 24 reserved bits, the 24-bit VXLAN Network
 * Identifier, 8 reserved bits (RFC 7348 §5); then an Ethernet frame (or, with VXLAN-GPE's P flag,
 * next protocol 1 IPv4, 2 IPv6, 3 Ethernet). The VNI is the tunnel's identifier.
 */
export function decodeVxlan(b: Uint8Array, off: number, end: number, out: Segment): DecodeResult {
  if (off + VXLAN_HEADER > end) return 'non_tcp';
  if (off + VXLAN_HEADER > out.capturedEnd) return 'truncated';
  const flags = b[off]!;
  if ((flags & FLAG_I) === 0) return 'non_tcp';
  const layer = out.tunnels[out.tunnelDepth - 1]!;
  layer.kind = TunnelKind.vxlan;
  layer.id = (b[off + 4]! << 16) | (b[off + 5]! << 8) | b[off + 6]!;
  const p = off + VXLAN_HEADER;
  if ((flags & FLAG_P) !== 0) {
    switch (b[off + 3]) {
      case 1:
      case 2:
        return decodeIpByVersion(b, p, end, out);
      case 3:
        return decodeEthernet(b, p, end, out);
      default:
        return 'non_ip';
    }
  }
  return decodeEthernet(b, p, end, out);
}
