/**
 * Linux NFLOG (LINKTYPE_NFLOG, 239): packets logged by netfilter's NFLOG target, as
 * `tcpdump -i nflog:N` writes them (tcpdump.org's LINKTYPE_NFLOG page).
 */
import { decodeIpByVersion } from './ipnext.js';
import type { DecodeResult, Segment } from './segment.js';

/** Address family (1), version (1), resource id (2, big-endian). */
export const NFLOG_HEADER = 4;
/** The TLV holding the packet itself, from its network header on. */
const NFULA_PAYLOAD = 9;
const AF_INET = 2;
const AF_INET6 = 10;

/**
 * The header, then TLVs: length (2 bytes, the TLV header included) and type (2 bytes), both in the
 * byte order of the host that captured, and the value padded to a multiple of 4 bytes. The order is
 * told from the first TLV's type, a small number (so one of its two bytes is 0). The NFULA_PAYLOAD
 * TLV holds the IP packet; the frame ends with it, so the packet may end no later than the frame.
 */
export function decodeNflog(b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  const captured = out.capturedEnd;
  if (off + NFLOG_HEADER > captured) return 'truncated';
  const family = b[off]!;
  if (family !== AF_INET && family !== AF_INET6) return 'non_ip';
  let p = off + NFLOG_HEADER;
  if (p + 4 > captured) return 'truncated';
  const littleEndian = b[p + 2] !== 0 && b[p + 3] === 0;
  while (p + 4 <= captured) {
    const length = littleEndian ? b[p]! | (b[p + 1]! << 8) : (b[p]! << 8) | b[p + 1]!;
    const type = littleEndian ? b[p + 2]! | (b[p + 3]! << 8) : (b[p + 2]! << 8) | b[p + 3]!;
    if (length < 4) return 'non_ip';
    if (type === NFULA_PAYLOAD) {
      const end = p + length;
      return decodeIpByVersion(b, p + 4, end < wire ? end : wire, out);
    }
    p += (length + 3) & ~3;
  }
  return p < wire ? 'truncated' : 'non_ip';
}
