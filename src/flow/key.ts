/**
 * The flow key: a numeric hash of the 4-tuple that is the same in both directions (gopacket's
 * Flow.FastHash idea), computed straight from the frame's bytes — no strings on the hot path.
 * Collisions are resolved by comparing the addresses (see FlowTable).
 *
 * Addresses are read as 32-bit words (one for IPv4, four for IPv6) and kept as signed int32 so that
 * V8 stores them as small integers: no Uint8Array per connection, and no view into the capture's
 * chunk buffer that would keep the whole chunk alive as long as the connection.
 */

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
