/**
 * Addresses as text. Not for the per-packet path: call it when a connection is first seen or reported.
 */

/**
 * Dotted-quad IPv4 for 4 bytes; RFC 5952 text for 16 bytes (lower-case hex, no leading zeros, the
 * longest run of two or more zero groups — the first one on a tie — replaced by "::", and
 * IPv4-mapped addresses as ::ffff:a.b.c.d per RFC 5952 §5). Any other length: colon-separated hex bytes.
 */
export function formatAddress(bytes: Uint8Array, offset: number, length: number): string {
  if (length === 4) return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  if (length !== 16) {
    const parts: string[] = [];
    for (let i = 0; i < length; i++) parts.push((bytes[offset + i] ?? 0).toString(16).padStart(2, '0'));
    return parts.join(':');
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[offset + i] << 8) | bytes[offset + i + 1]);
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${bytes[offset + 12]}.${bytes[offset + 13]}.${bytes[offset + 14]}.${bytes[offset + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}
