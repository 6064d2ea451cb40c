/**
 * The flow key: a numeric hash of the 4-tuple that is the same in both directions (gopacket's
 * Flow.FastHash idea), computed straight from the frame's bytes — no strings on the hot path.
 * Collisions are resolved by comparing the addresses (see FlowTable).
 *
 * Addresses are read as 32-bit words (one for IPv4, four for IPv6) and kept as signed int32 so that
 * V8 stores them as small integers: no Uint8Array per connection, and no view into the capture's
 * chunk buffer that would keep the whole chunk alive as long as the connection.
 *
 * A tunnelled segment's key also covers its tunnel path (tunnelPathHash, tunnelIdentity): the same
 * inner 4-tuple in two VNIs, GRE keys or outer address pairs is two connections.
 */
import type { Segment } from '../decode/segment.js';
import type { TunnelLayer } from '../decode/tunnel.js';
import { word32 } from '../util/bytes.js';

/** FNV-1a over an address and a port (bytes form, kept for tests and tools). */
export function endpointHash(bytes: Uint8Array, offset: number, length: number, port: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) {
    h ^= bytes[offset + i]!;
    h = Math.imul(h, 0x01000193);
  }
  h ^= port & 0xff;
  h = Math.imul(h, 0x01000193);
  h ^= port >>> 8;
  h = Math.imul(h, 0x01000193);
  h ^= length;
  h = Math.imul(h, 0x01000193);
  return h >>> 0;
}

/**
 * Hash of one endpoint from its address words and port: a multiply-xorshift mix per word, cheaper
 * than a byte loop and as well spread once finished by {@link combineSymmetric}.
 */
export function endpointHashWords(w0: number, w1: number, w2: number, w3: number, port: number, v6: boolean): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  if (v6) {
    h = Math.imul(h ^ (h >>> 15) ^ w1, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 13) ^ w2, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 16) ^ w3, 0xc2b2ae35);
  }
  h = Math.imul(h ^ (h >>> 15) ^ (port | (v6 ? 0x10000 : 0)), 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Murmur3's finaliser: spreads the bits of a 32-bit value. */
export function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Symmetric combination: flowHash(a, b) === flowHash(b, a). Kept to 30 bits so the Map key is a V8
 * small integer: larger numbers are boxed, and every lookup would allocate and hash a heap number.
 */
export function combineSymmetric(h1: number, h2: number): number {
  return fmix32(((h1 + h2) | 0) ^ Math.imul(h1 ^ h2, 0x9e3779b1)) & 0x3fffffff;
}

/**
 * The tunnel part of a connection's identity: for each opened encapsulation of the segment (see
 * decode/tunnel.ts), its kind and outer address pair, unordered so that both directions of the inner
 * flow agree. Outer UDP ports are left out (a VXLAN or GENEVE sender picks its source port from a
 * hash of the inner flow, so the two directions differ), and so are the tunnels' identifiers (VNI,
 * GRE key, TEID...), which may differ by direction too: FlowTable learns them per direction (see
 * tunnelDirection and FlowTable.lookup).
 */
export const TUNNEL_WORDS_PER_LAYER = 10;

/** Hash of one outer address. */
function addressHash(b: Uint8Array, off: number, length: number): number {
  if (length === 16) return endpointHashWords(word32(b, off), word32(b, off + 4), word32(b, off + 8), word32(b, off + 12), 0, true);
  if (length === 4) return endpointHashWords(word32(b, off), 0, 0, 0, 0, false);
  return 0;
}

/** Symmetric hash of the segment's tunnel path (kinds and outer address pairs); mixed into the flow hash. */
export function tunnelPathHash(seg: Segment): number {
  let h = 0x2545f491;
  const b = seg.bytes;
  for (let i = 0; i < seg.tunnelDepth; i++) {
    const t = seg.tunnels[i]!;
    const x = addressHash(b, t.srcOffset, t.addrLength);
    const y = addressHash(b, t.dstOffset, t.addrLength);
    h = Math.imul(h ^ t.kind, 0x01000193);
    h = Math.imul(h ^ ((x + y) | 0) ^ Math.imul(x ^ y, 0x9e3779b1), 0xc2b2ae35);
  }
  return fmix32(h);
}

/**
 * True when the outer source address of layer `t` sorts after its destination (word by word, as
 * signed int32s): the identity stores the smaller address first.
 */
function sourceSortsAfter(b: Uint8Array, t: TunnelLayer): boolean {
  const n = t.addrLength >> 2;
  for (let k = 0; k < n; k++) {
    const s = word32(b, t.srcOffset + 4 * k);
    const d = word32(b, t.dstOffset + 4 * k);
    if (s !== d) return s > d;
  }
  return false;
}

/** The segment's tunnel path as numbers (TUNNEL_WORDS_PER_LAYER per layer), made when a connection is first seen. */
export function tunnelIdentity(seg: Segment): Int32Array {
  const out = new Int32Array(seg.tunnelDepth * TUNNEL_WORDS_PER_LAYER);
  const b = seg.bytes;
  for (let i = 0; i < seg.tunnelDepth; i++) {
    const t = seg.tunnels[i]!;
    const o = i * TUNNEL_WORDS_PER_LAYER;
    out[o] = t.kind;
    out[o + 1] = t.addrLength;
    const swap = sourceSortsAfter(b, t);
    const lo = swap ? t.dstOffset : t.srcOffset;
    const hi = swap ? t.srcOffset : t.dstOffset;
    for (let k = 0; k < t.addrLength >> 2; k++) {
      out[o + 2 + k] = word32(b, lo + 4 * k);
      out[o + 6 + k] = word32(b, hi + 4 * k);
    }
  }
  return out;
}

/** True when the segment's tunnel path is `identity` (see tunnelIdentity); null: untunnelled. */
export function tunnelMatches(seg: Segment, identity: Int32Array | null): boolean {
  if (identity === null) return seg.tunnelDepth === 0;
  if (identity.length !== seg.tunnelDepth * TUNNEL_WORDS_PER_LAYER) return false;
  const b = seg.bytes;
  for (let i = 0; i < seg.tunnelDepth; i++) {
    const t = seg.tunnels[i]!;
    const o = i * TUNNEL_WORDS_PER_LAYER;
    if (identity[o] !== t.kind || identity[o + 1] !== t.addrLength) return false;
    const swap = sourceSortsAfter(b, t);
    const lo = swap ? t.dstOffset : t.srcOffset;
    const hi = swap ? t.srcOffset : t.dstOffset;
    for (let k = 0; k < t.addrLength >> 2; k++) {
      if (identity[o + 2 + k] !== word32(b, lo + 4 * k) || identity[o + 6 + k] !== word32(b, hi + 4 * k)) return false;
    }
  }
  return true;
}

/**
 * The identifiers of the segment's tunnels (VNI, key, TEID...) as one non-negative number — the
 * identifier itself for a single tunnel — or -1 when none of its tunnels has one (IP-in-IP, Teredo).
 */
export function tunnelDirection(seg: Segment): number {
  if (seg.tunnelDepth === 1) {
    const id = seg.tunnels[0]!.id;
    return id < 0 ? -1 : id;
  }
  let h = 0;
  let any = false;
  for (let i = 0; i < seg.tunnelDepth; i++) {
    const id = seg.tunnels[i]!.id;
    h = Math.imul(h ^ id, 0x01000193);
    if (id >= 0) any = true;
  }
  return any ? fmix32(h) : -1;
}
