/**
 * Ethernet II / IEEE 802.3 (LINKTYPE_ETHERNET, 1).
 */
import { decodeEtherType } from './ethertype.js';
import type { DecodeResult, Segment } from './segment.js';

/** Destination MAC, source MAC, type/length. */
export const ETHERNET_HEADER = 14;

/** Decodes an Ethernet frame at `b[off..]`; VLAN stacks, MPLS, PPPoE... are handled by decodeEtherType. */
export function decodeEthernet(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + ETHERNET_HEADER > out.capturedEnd) return 'truncated';
  return decodeEtherType((b[off + 12] << 8) | b[off + 13], b, off + ETHERNET_HEADER, wire, out);
}

/**
 * Cisco HDLC (LINKTYPE_C_HDLC, 104): address, control, then an EtherType.
 */
export function decodeCiscoHdlc(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + 4 > out.capturedEnd) return 'truncated';
  return decodeEtherType((b[off + 2] << 8) | b[off + 3], b, off + 4, wire, out);
}
