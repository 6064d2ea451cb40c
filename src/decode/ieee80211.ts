/**
 * IEEE 802.11 data frames (LINKTYPE_IEEE802_11, 105), behind a radiotap header
 * (LINKTYPE_IEEE802_11_RADIOTAP, 127; radiotap.org) or a PPI header (LINKTYPE_PPI, 192; the CACE
 * "Per-Packet Information Header Specification" 1.0.10). Only unencrypted data frames can carry
 * readable TCP: their LLC/SNAP header (RFC 1042) gives the EtherType.
 */
import { decodeEtherType, type LayerDecoder } from './ethertype.js';
import { LINK_TYPE_DECODERS } from './linktype.js';
import type { DecodeResult, Segment } from './segment.js';

/** Frame control, duration, three addresses, sequence control (IEEE 802.11-2020 §9.3.2.1). */
export const IEEE80211_HEADER = 24;
const TYPE_DATA = 2;
/** Frame control flags (second byte). */
const TO_DS_FROM_DS = 0x03;
const PROTECTED = 0x40;
const ORDER = 0x80;

/**
 * The 802.11 frame at `b[off..]`: a data frame (type 2) whose subtype carries data (not the null
 * function subtypes, bit 2 of the subtype), not protected (WEP/TKIP/CCMP bodies cannot be read),
 * header of 24 bytes plus the fourth address (to-DS and from-DS both set), the QoS control (QoS
 * subtypes, bit 3) and the HT control (QoS with the order bit); then LLC/SNAP with the EtherType.
 * A-MSDU aggregates (QoS control bit 7) are not opened. Management and control frames → 'non_ip';
 * protected data frames too (an encrypted body shows nothing).
 */
export function decodeIeee80211(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  const captured = out.capturedEnd;
  if (off + IEEE80211_HEADER > captured) return 'truncated';
  const fc0 = b[off]!;
  const fc1 = b[off + 1]!;
  if ((fc0 & 0x03) !== 0 || ((fc0 >> 2) & 0x03) !== TYPE_DATA) return 'non_ip';
  const subtype = fc0 >> 4;
  if ((subtype & 0x04) !== 0 || (fc1 & PROTECTED) !== 0) return 'non_ip';
  let p = off + IEEE80211_HEADER;
  if ((fc1 & TO_DS_FROM_DS) === TO_DS_FROM_DS) p += 6;
  if ((subtype & 0x08) !== 0) {
    if (p + 2 > captured) return 'truncated';
    if ((b[p]! & 0x80) !== 0) return 'non_ip';
    p += 2;
    if ((fc1 & ORDER) !== 0) p += 4;
  }
  if (p + 8 > captured) return 'truncated';
  if (b[p] !== 0xaa || b[p + 1] !== 0xaa || b[p + 2] !== 0x03 || b[p + 3] !== 0 || b[p + 4] !== 0 || b[p + 5] !== 0) return 'non_ip';
  return decodeEtherType((b[p + 6]! << 8) | b[p + 7]!, b, p + 8, wire, out);
}

/** Radiotap: version (0), pad, length (2, little-endian), present flags...; the 802.11 frame follows after `length` bytes. */
export function decodeRadiotap(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + 4 > out.capturedEnd) return 'truncated';
  if (b[off] !== 0) return 'non_ip';
  const length = b[off + 2]! | (b[off + 3]! << 8);
  if (length < 8) return 'non_ip';
  return decodeIeee80211(b, off + length, wire, out);
}

/** PPI: version (0), flags, length (2, little-endian), DLT of the packet (4, little-endian); the packet follows after `length` bytes. */
export function decodePpi(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + 8 > out.capturedEnd) return 'truncated';
  if (b[off] !== 0) return 'non_ip';
  const length = b[off + 2]! | (b[off + 3]! << 8);
  if (length < 8) return 'non_ip';
  const dlt = (b[off + 4]! | (b[off + 5]! << 8) | (b[off + 6]! << 16) | (b[off + 7]! << 24)) >>> 0;
  const decoder: LayerDecoder | undefined = dlt === 105 ? decodeIeee80211 : dlt === 192 ? undefined : LINK_TYPE_DECODERS.get(dlt);
  if (decoder === undefined) return 'unsupported_link_type';
  return decoder(b, off + length, wire, out);
}
