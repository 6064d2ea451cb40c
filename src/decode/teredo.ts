/**
 * Teredo (RFC 4380): IPv6 over UDP through NATs. Servers and relays listen on port 3544; a relay
 * and a client then talk between whatever ports their NATs mapped, so Teredo is also recognised on
 * any port by its shape (as Zeek's Teredo analyser detects it): an IPv6 packet filling the datagram
 * exactly, to or from a Teredo address (2001:0::/32, RFC 4380 §2.6) or a link-local one (the bubbles
 * of §5.2.4 and the router solicitations of qualification).
 */
import { decodeIPv6 } from './ipv6.js';
import type { DecodeResult, Segment } from './segment.js';
import { TunnelKind } from './tunnel.js';

/**
 * Where the IPv6 packet of the Teredo payload at `b[off..end)` starts, or -1 when it is not one
 * (RFC 4380 §5.1.1): an optional authentication indicator (0x0001, ID-len, AU-len, client
 * identifier, authentication value, 8-byte nonce, confirmation byte), then an optional origin
 * indication (0x0000, obfuscated port and address: 8 bytes), then the IPv6 packet, which must fill
 * the datagram as its payload length says. -2: not all of it was captured.
 */
export function teredoPacketAt(b: Uint8Array, off: number, end: number, captured: number): number {
  let p = off;
  if (p + 2 <= end && p + 2 <= captured && b[p] === 0 && b[p + 1] === 1) {
    if (p + 4 > captured) return -2;
    p += 4 + b[p + 2]! + b[p + 3]! + 8 + 1;
  }
  if (p + 2 <= end && p + 2 <= captured && b[p] === 0 && b[p + 1] === 0) p += 8;
  if (p + 40 > end) return -1;
  if (p + 40 > captured) return -2;
  if (b[p]! >> 4 !== 6 || p + 40 + ((b[p + 4]! << 8) | b[p + 5]!) !== end) return -1;
  return p;
}

/** 2001:0::/32 (Teredo) or fe80::/10 (link-local) at `b[a..]`. */
function teredoOrLinkLocal(b: Uint8Array, a: number): boolean {
  return (b[a] === 0x20 && b[a + 1] === 0x01 && b[a + 2] === 0 && b[a + 3] === 0) || (b[a] === 0xfe && (b[a + 1]! & 0xc0) === 0x80);
}

/** The Teredo payload at `b[off..end)` on the Teredo port; anything else there (no IPv6 inside) is 'non_tcp'. */
export function decodeTeredo(b: Uint8Array, off: number, end: number, out: Segment): DecodeResult {
  const p = teredoPacketAt(b, off, end, out.capturedEnd);
  if (p === -2) return 'truncated';
  if (p < 0) return 'non_tcp';
  out.tunnels[out.tunnelDepth - 1]!.kind = TunnelKind.teredo;
  return decodeIPv6(b, p, end, out);
}

/**
 * The UDP payload at `b[off..end)` on a port that is no tunnel's, when it is Teredo by its shape and
 * addresses (see above); null when it is not Teredo.
 */
export function decodeTeredoByShape(b: Uint8Array, off: number, end: number, out: Segment): DecodeResult | undefined {
  const p = teredoPacketAt(b, off, end, out.capturedEnd);
  if (p < 0 || !(teredoOrLinkLocal(b, p + 8) || teredoOrLinkLocal(b, p + 24))) return undefined;
  out.tunnels[out.tunnelDepth - 1]!.kind = TunnelKind.teredo;
  return decodeIPv6(b, p, end, out);
}
