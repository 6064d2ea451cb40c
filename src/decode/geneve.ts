/**
 * GENEVE (RFC 8926), UDP port 6081.
 */
import { decodeEthernet } from './ethernet.js';
import { decodeEtherType } from './ethertype.js';
import type { DecodeResult, Segment } from './segment.js';
import { TunnelKind } from './tunnel.js';

export const GENEVE_HEADER = 8;

/** Protocol type of an Ethernet payload ("Transparent Ethernet Bridging", RFC 8926 §3.4). */
export const TRANSPARENT_ETHERNET_BRIDGING = 0x6558;

/**
 * The GENEVE header at `b[off..end)` (RFC 8926 §3.4): Ver (2 bits, must be 0), Opt Len (6 bits, in
 * 4-byte words), O and C flags, reserved bits, Protocol Type (an EtherType), the 24-bit VNI, 8
 * reserved bits, then Opt Len × 4 bytes of options — skipped by their total length, as a transit
 * device does (§3.5: options are for the endpoints). The VNI is the tunnel's identifier.
 */
export function decodeGeneve(b: Uint8Array, off: number, end: number, out: Segment): DecodeResult {
  if (off + GENEVE_HEADER > end) return 'non_tcp';
  if (off + GENEVE_HEADER > out.capturedEnd) return 'truncated';
  if (b[off]! >> 6 !== 0) return 'non_tcp';
  const p = off + GENEVE_HEADER + ((b[off]! & 0x3f) << 2);
  if (p > end) return 'non_tcp';
  const layer = out.tunnels[out.tunnelDepth - 1]!;
  layer.kind = TunnelKind.geneve;
  layer.id = (b[off + 4]! << 16) | (b[off + 5]! << 8) | b[off + 6]!;
  const protocol = (b[off + 2]! << 8) | b[off + 3]!;
  layer.detail = protocol;
  if (protocol === TRANSPARENT_ETHERNET_BRIDGING) return decodeEthernet(b, p, end, out);
  return decodeEtherType(protocol, b, p, end, out);
}
