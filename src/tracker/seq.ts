/**
 * Wrap-safe 32-bit sequence-number arithmetic (RFC 9293 §3.4: "all arithmetic dealing with sequence
 * numbers must be performed modulo 2**32"). Sequence numbers are plain unsigned 32-bit `number`s;
 * comparisons look at the signed 32-bit difference, so they hold across the wrap as long as the two
 * numbers are less than 2^31 apart (which a TCP window always is).
 */

/** Signed distance a − b, in −2^31 .. 2^31−1. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n modulo 2^32, as an unsigned number. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** a is before b. */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a is before or equal to b. */
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** a is after b. */
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** a is after or equal to b. */
export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** The later of two sequence numbers. */
export function seqMax(a: number, b: number): number {
  return ((a - b) | 0) >= 0 ? a : b;
}

/** lo ≤ x < lo + size (size ≥ 0), wrap-safe. */
export function seqInWindow(x: number, lo: number, size: number): boolean {
  const d = (x - lo) | 0;
  return d >= 0 && d < size;
}
