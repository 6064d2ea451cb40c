/**
 * PKTAP (LINKTYPE_PKTAP, 258; written as LINKTYPE_USER2, 149, by macOS, where DLT_PKTAP is 149):
 * what macOS `tcpdump -i any` and `tcpdump -k` capture — a per-packet header naming the interface,
 * process and the packet's own link type, then the packet. Layout as tcpdump's print-pktap.c reads
 * it; the fields are little-endian (Apple's hosts all are).
 */
import { LINK_TYPE_DECODERS } from './linktype.js';
import type { DecodeResult, Segment } from './segment.js';

/** The header as Darwin defines it (struct pktap_header), without later extensions. */
export const PKTAP_HEADER = 108;
/** Record type: a packet follows the header. */
const PKT_REC_PACKET = 1;

function le32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/**
 * pth_length (4, the header's own length, at least 108), pth_type_next (4, record type), pth_dlt (4,
 * the packet's DLT), interface name, flags, protocol family, process id and name...; the packet
 * follows after pth_length bytes and is decoded by its own link type.
 */
export function decodePktap(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  if (off + 12 > out.capturedEnd) return 'truncated';
  const length = le32(b, off);
  if (length < PKTAP_HEADER || off + length > wire) return 'non_ip';
  if (le32(b, off + 4) !== PKT_REC_PACKET) return 'non_ip';
  const dlt = le32(b, off + 8);
  // DLT_RAW is 12 on Darwin, as in LINK_TYPE_DECODERS; a PKTAP inside a PKTAP is refused.
  const decoder = dlt === 258 || dlt === 149 ? undefined : LINK_TYPE_DECODERS.get(dlt);
  if (decoder === undefined) return 'unsupported_link_type';
  if (off + length > out.capturedEnd) return 'truncated';
  return decoder(b, off + length, wire, out);
}
