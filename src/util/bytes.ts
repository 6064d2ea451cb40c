/** Reading numbers out of packet bytes. */

/** The 32-bit big-endian word at `offset` of `bytes`, as a signed int32 (a V8 small integer). */
export function word32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}
