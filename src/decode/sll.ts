/**
 * Linux "cooked" captures, what `tcpdump -i any` writes: SLL (LINKTYPE_LINUX_SLL, 113) and
 * SLL2 (LINKTYPE_LINUX_SLL2, 276), as described on tcpdump.org's link-layer header type pages.
 */
import { decodeEtherType } from './ethertype.js';
import type { DecodeResult, Segment } from './segment.js';

/** Packet type, ARPHRD type, address length, 8 address bytes, protocol type. */
export const SLL_HEADER = 16;
/** Protocol type, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes. */
export const SLL2_HEADER = 20;

/** ARPHRD_NETLINK: the protocol field is a netlink family, not an EtherType. */
const ARPHRD_NETLINK = 824;

/**
 * The protocol field is an EtherType (values below 0x0600 are Linux ETH_P_* pseudo-types such as
 * 0x0004 "802.2 LLC follows", which decodeEtherType treats like an 802.3 LLC frame).
 */
export function decodeSll(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + SLL_HEADER > out.capturedEnd) return 'truncated';
  if (((b[off + 2] << 8) | b[off + 3]) === ARPHRD_NETLINK) return 'non_ip';
  return decodeEtherType((b[off + 14] << 8) | b[off + 15], b, off + SLL_HEADER, wire, out);
}

export function decodeSll2(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + SLL2_HEADER > out.capturedEnd) return 'truncated';
  if (((b[off + 8] << 8) | b[off + 9]) === ARPHRD_NETLINK) return 'non_ip';
  return decodeEtherType((b[off] << 8) | b[off + 1], b, off + SLL2_HEADER, wire, out);
}
