/**
 * AYIYA, "Anything In Anything" (draft-massar-v6ops-ayiya-02), the tunnel of SixXS' IPv6 tunnel
 * brokers, UDP port 5072.
 */
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { DecodeResult, Segment } from './segment.js';
import { TunnelKind } from './tunnel.js';

/** Opcode "forward" (§6): the payload is a packet to forward. */
const OPCODE_FORWARD = 1;

/**
 * The AYIYA header at `b[off..end)` (§5): IDlen (4 bits, the identity is 2^IDlen bytes), IDtype (4),
 * SigLen (4, signature in 4-byte words), HshMeth (4), AutMeth (4), OpCode (4), Next Header (8: an IP
 * protocol number, 41 IPv6 or 4 IPv4), Epoch Time (32), then identity and signature; then the packet.
 */
export function decodeAyiya(b: Uint8Array, off: number, end: number, out: Segment): DecodeResult {
  if (off + 8 > end) return 'non_tcp';
  if (off + 8 > out.capturedEnd) return 'truncated';
  if ((b[off + 2]! & 0x0f) !== OPCODE_FORWARD) return 'non_tcp';
  const p = off + 8 + (1 << (b[off]! >> 4)) + ((b[off + 1]! >> 4) << 2);
  if (p > end) return 'non_tcp';
  out.tunnels[out.tunnelDepth - 1]!.kind = TunnelKind.ayiya;
  if (p >= out.capturedEnd) return 'truncated';
  switch (b[off + 3]) {
    case 41:
      return b[p]! >> 4 === 6 ? decodeIPv6(b, p, end, out) : 'non_tcp';
    case 4:
      return b[p]! >> 4 === 4 ? decodeIPv4(b, p, end, out) : 'non_tcp';
    default:
      return 'non_tcp';
  }
}
