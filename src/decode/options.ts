/**
 * TCP options (RFC 9293 §3.1 "Options"; kinds from the IANA "TCP Option Kind Numbers" registry).
 *
 * Parsed in place into a reused `TcpOptions` (its `sackBlocks` array too): nothing is allocated.
 * A malformed list is not fatal: the segment is still a segment, the flag says the options after
 * the fault are unknown (Wireshark and Zeek do the same).
 */
import type { TcpOptions } from './segment.js';

/** Option kinds tcpshake reads. */
export const TcpOptionKind = {
  /** End of option list (RFC 9293). */
  EOL: 0,
  /** No-operation, padding between options (RFC 9293). */
  NOP: 1,
  /** Maximum segment size, length 4 (RFC 9293 §3.7.1). */
  MSS: 2,
  /** Window scale shift count, length 3 (RFC 7323 §2). */
  WindowScale: 3,
  /** SACK permitted, length 2 (RFC 2018). */
  SackPermitted: 4,
  /** SACK blocks, length 2 + 8n (RFC 2018). */
  Sack: 5,
  /** Timestamps TSval/TSecr, length 10 (RFC 7323 §3). */
  Timestamps: 8,
  /** Multipath TCP (RFC 8684). */
  MPTCP: 30,
  /** TCP Fast Open cookie (RFC 7413 §4.1.1): length 2 = cookie request, 6..18 = cookie of 4..16 bytes. */
  FastOpen: 34,
  /** RFC 6994 experimental option; with ExID 0xF989 it is the pre-assignment TCP Fast Open cookie. */
  Experimental254: 254,
} as const;

/** RFC 6994 experiment identifier used by TCP Fast Open before kind 34 was assigned (RFC 7413 §4.1.1). */
export const TFO_EXPERIMENT_ID = 0xf989;

/** Clears every field for a new segment (the sackBlocks array is kept). */
export function resetTcpOptions(o: TcpOptions): void {
  o.mss = -1;
  o.windowScale = -1;
  o.sackPermitted = false;
  o.sackBlockCount = 0;
  o.hasTimestamps = false;
  o.tsVal = 0;
  o.tsEcr = 0;
  o.tfoCookieLength = -1;
  o.mptcp = false;
  o.unknownCount = 0;
  o.malformed = false;
  o.truncated = false;
}

/**
 * Parses the option bytes `b[start..headerEnd)` (headerEnd = TCP header start + data offset × 4),
 * reading no further than `captured` (the end of the captured bytes). Resets `o` first.
 *
 * - EOL ends the list (the rest is padding); NOP is skipped.
 * - A length below 2 or an option running past the header: `malformed`, parsing stops.
 * - A known kind with the wrong length (e.g. MSS of length 3): `malformed`, its value is not used,
 *   parsing goes on (the length itself is consistent, so the next option is still found).
 * - The capture ends inside the option list (snap length): `truncated`, parsing stops.
 */
export function parseTcpOptions(b: Uint8Array, start: number, headerEnd: number, captured: number, o: TcpOptions): void {
  resetTcpOptions(o);
  const end = headerEnd < captured ? headerEnd : captured;
  let p = start;
  while (p < end) {
    const kind = b[p];
    if (kind === 0) return; // EOL
    if (kind === 1) {
      p++; // NOP
      continue;
    }
    if (p + 1 >= end) {
      // No room for the length byte: cut by the capture, or an option list that ends mid-option.
      if (end < headerEnd) o.truncated = true;
      else o.malformed = true;
      return;
    }
    const len = b[p + 1];
    if (len < 2 || p + len > headerEnd) {
      o.malformed = true;
      return;
    }
    if (p + len > end) {
      o.truncated = true;
      return;
    }
    switch (kind) {
      case 2: // MSS
        if (len === 4) o.mss = (b[p + 2] << 8) | b[p + 3];
        else o.malformed = true;
        break;
      case 3: // window scale
        if (len === 3) o.windowScale = b[p + 2];
        else o.malformed = true;
        break;
      case 4: // SACK permitted
        if (len === 2) o.sackPermitted = true;
        else o.malformed = true;
        break;
      case 5: {
        // SACK: 1..4 blocks of two 32-bit edges (4 is the most 40 option bytes can hold).
        const n = (len - 2) >> 3;
        if (n === 0 || (len - 2) & 7) {
          o.malformed = true;
          break;
        }
        const blocks = o.sackBlocks;
        let q = p + 2;
        for (let i = 0; i < n && i < 4; i++, q += 8) {
          blocks[2 * i] = ((b[q] << 24) | (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3]) >>> 0;
          blocks[2 * i + 1] = ((b[q + 4] << 24) | (b[q + 5] << 16) | (b[q + 6] << 8) | b[q + 7]) >>> 0;
        }
        o.sackBlockCount = n < 4 ? n : 4;
        break;
      }
      case 8: // timestamps
        if (len === 10) {
          o.hasTimestamps = true;
          o.tsVal = ((b[p + 2] << 24) | (b[p + 3] << 16) | (b[p + 4] << 8) | b[p + 5]) >>> 0;
          o.tsEcr = ((b[p + 6] << 24) | (b[p + 7] << 16) | (b[p + 8] << 8) | b[p + 9]) >>> 0;
        } else o.malformed = true;
        break;
      case 30: // MPTCP: presence is all the tracker needs
        o.mptcp = true;
        break;
      case 34: // TFO: cookie request (len 2) or a 4..16-byte cookie
        if (len === 2 || (len >= 6 && len <= 18)) o.tfoCookieLength = len - 2;
        else o.malformed = true;
        break;
      case 254:
        if (len >= 4 && ((b[p + 2] << 8) | b[p + 3]) === TFO_EXPERIMENT_ID) o.tfoCookieLength = len - 4;
        else o.unknownCount++;
        break;
      default:
        o.unknownCount++;
    }
    p += len;
  }
  // Reached the end of what was captured without an EOL while the header goes on.
  if (end < headerEnd) o.truncated = true;
}
