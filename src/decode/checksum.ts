/**
 * The Internet checksum (RFC 1071): the one's-complement sum of 16-bit big-endian words.
 *
 * `sum16` returns the *unfolded* running sum so that a caller can chain the pseudo-header, the
 * header and the payload, then fold once with `fold16` at the end. A packet whose stored checksum
 * is right sums (checksum field included) to 0xffff once folded.
 *
 * This runs on every TCP segment. Short or odd-aligned ranges are summed two bytes at a time into an
 * int32 accumulator folded every CHUNK bytes (so V8 never falls back to doubles); longer ranges four
 * bytes per load through a Uint32Array view of the frame's buffer (see sumWide).
 */

/** Bytes summed between two folds: 16 000 words × 0xffff < 2^30, so the sum stays a small integer. */
const CHUNK = 32_000;

/** Ranges at least this long are summed 32 bits at a time (below it the set-up does not pay). */
const WIDE_MIN = 64;

/** 32-bit words summed between two folds: 65 536 × 2^32 = 2^48, exact in a double. */
const WIDE_CHUNK = 65_536;

/** Typed arrays use the host byte order; the wide path below is written for little-endian hosts. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A Uint32Array over the whole ArrayBuffer of the last frame summed. The frames of a capture chunk
 * share one buffer, so this view is made once per chunk, not per packet.
 */
let wordsBuffer: ArrayBufferLike | null = null;
let words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/**
 * Adds the bytes `b[start..end)` as big-endian 16-bit words to `initial` (which must be < 2^20).
 * An odd final byte is padded with a zero byte on the right (RFC 1071 §4.1 / RFC 9293 §3.1).
 * The result is not folded and is below 2^21.
 */
export function sum16(b: Uint8Array, start: number, end: number, initial: number): number {
  if (LITTLE_ENDIAN && end - start >= WIDE_MIN && ((b.byteOffset + start) & 1) === 0) return sumWide(b, start, end, initial);
  return sumBytes(b, start, end, initial);
}

/** Two bytes at a time, unrolled by four words. */
function sumBytes(b: Uint8Array, start: number, end: number, initial: number): number {
  let s = initial;
  let i = start;
  const evenEnd = end - ((end - start) & 1);
  while (i < evenEnd) {
    let stop = i + CHUNK;
    if (stop > evenEnd) stop = evenEnd;
    const stop8 = stop - ((stop - i) & 7);
    for (; i < stop8; i += 8) {
      s += ((b[i] << 8) | b[i + 1]) + ((b[i + 2] << 8) | b[i + 3]) + ((b[i + 4] << 8) | b[i + 5]) + ((b[i + 6] << 8) | b[i + 7]);
    }
    for (; i < stop; i += 2) s += (b[i] << 8) | b[i + 1];
    s = (s & 0xffff) + (s >>> 16);
  }
  if (i < end) s += b[i] << 8;
  return s;
}

/**
 * Four bytes per load through a Uint32Array view. The one's-complement sum does not depend on byte
 * order (RFC 1071 §2(B)): little-endian words are summed, folded to 16 bits, and the result swapped.
 * `b.byteOffset + start` must be even; a leading 16-bit word brings it to a multiple of 4.
 */
function sumWide(b: Uint8Array, start: number, end: number, initial: number): number {
  const buffer = b.buffer;
  if (buffer !== wordsBuffer) {
    wordsBuffer = buffer;
    words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  const u = words;
  let s = initial;
  let i = start;
  if (((b.byteOffset + i) & 2) !== 0) {
    s += (b[i] << 8) | b[i + 1];
    i += 2;
  }
  const n = (end - i) >>> 2;
  let w = (b.byteOffset + i) >>> 2;
  const wEnd = w + n;
  let le = 0;
  while (w < wEnd) {
    let stop = w + WIDE_CHUNK;
    if (stop > wEnd) stop = wEnd;
    let part = 0;
    const stop4 = stop - ((stop - w) & 3);
    for (; w < stop4; w += 4) part += u[w] + u[w + 1] + u[w + 2] + u[w + 3];
    for (; w < stop; w++) part += u[w];
    // Fold the (up to 48-bit) part into 16 bits; % and / because it exceeds 32 bits.
    while (part > 0xffff) part = (part % 0x10000) + Math.floor(part / 0x10000);
    le += part;
  }
  while (le > 0xffff) le = (le & 0xffff) + (le >>> 16);
  s += ((le & 0xff) << 8) | (le >>> 8);
  i += n << 2;
  for (; i + 1 < end; i += 2) s += (b[i] << 8) | b[i + 1];
  if (i < end) s += b[i] << 8;
  return s;
}

/** Folds a running sum (below 2^31) to 16 bits with end-around carry. */
export function fold16(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/**
 * The checksum a sender would store for these bytes (their stored checksum field taken as zero),
 * e.g. to build test packets or to show the expected value next to a wrong one.
 */
export function internetChecksum(b: Uint8Array, start: number, end: number, initial = 0): number {
  return ~fold16(sum16(b, start, end, initial)) & 0xffff;
}

/** True when the bytes, their stored checksum included, verify (fold to 0xffff). */
export function checksumVerifies(b: Uint8Array, start: number, end: number, initial = 0): boolean {
  return fold16(sum16(b, start, end, initial)) === 0xffff;
}

/**
 * Sum of the IPv4 pseudo-header (RFC 9293 §3.1: source, destination, zero, PTCL, TCP length)
 * for the IPv4 header at `ipOffset`, for a TCP segment of `tcpLength` bytes.
 */
export function pseudoHeaderSum4(b: Uint8Array, ipOffset: number, tcpLength: number): number {
  const a = ipOffset + 12;
  return (
    ((b[a] << 8) | b[a + 1]) +
    ((b[a + 2] << 8) | b[a + 3]) +
    ((b[a + 4] << 8) | b[a + 5]) +
    ((b[a + 6] << 8) | b[a + 7]) +
    6 +
    tcpLength
  );
}

/**
 * Sum of the IPv6 pseudo-header (RFC 8200 §8.1: source, final destination, upper-layer packet
 * length as 32 bits, three zero bytes, next header 6). `dstOffset` is the *final* destination:
 * the last address of a routing header when one is present with segments left.
 */
export function pseudoHeaderSum6(b: Uint8Array, srcOffset: number, dstOffset: number, tcpLength: number): number {
  return sum16(b, srcOffset, srcOffset + 16, sum16(b, dstOffset, dstOffset + 16, 6 + (tcpLength >>> 16) + (tcpLength & 0xffff)));
}
