import { describe, expect, it } from 'vitest';
import { checksumVerifies, fold16, internetChecksum, pseudoHeaderSum4, pseudoHeaderSum6, sum16 } from '../../src/decode/checksum.js';
import { V4_DATA, V6_DATA } from './fixtures.js';
import { naiveChecksum } from './helpers.js';

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('sum16 / fold16 (RFC 1071)', () => {
  it('reproduces the RFC 1071 §3 worked example', () => {
    // 00 01 f2 03 f4 f5 f6 f7: sum 2ddf0, folded ddf2.
    const b = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(fold16(sum16(b, 0, 8, 0))).toBe(0xddf2);
    expect(internetChecksum(b, 0, 8)).toBe(~0xddf2 & 0xffff);
  });

  it('pads an odd final byte with zero on the right', () => {
    const b = Uint8Array.from([0x12, 0x34, 0x56]);
    expect(fold16(sum16(b, 0, 3, 0))).toBe(0x1234 + 0x5600);
  });

  it('honours start and end inside a larger buffer', () => {
    const b = Uint8Array.from([0xff, 0xff, 0x00, 0x01, 0x00, 0x02, 0xff]);
    expect(fold16(sum16(b, 2, 6, 0))).toBe(3);
    expect(fold16(sum16(b, 2, 2, 7))).toBe(7);
  });

  it.each([
    [0, 1],
    [1, 2],
    [7, 3],
    [8, 4],
    [9, 5],
    [1499, 6],
    [1500, 7],
    [31_999, 8],
    [32_000, 9],
    [32_001, 10],
    [70_001, 11],
    [262_144, 12],
  ])('agrees with a naive sum on %i random bytes', (n, seed) => {
    const b = bytes(n, seed * 7919);
    expect(internetChecksum(b, 0, n)).toBe(naiveChecksum(b));
  });

  it('gives the same sum at every alignment of the bytes in their buffer (32-bit and byte paths)', () => {
    const backing = bytes(4000, 99);
    for (const n of [63, 64, 65, 66, 67, 1480, 1481]) {
      const expected = naiveChecksum(backing.subarray(8, 8 + n));
      for (let shift = 0; shift < 8; shift++) {
        const copy = new Uint8Array(n + 16);
        copy.set(backing.subarray(8, 8 + n), shift);
        // As a subarray of a larger buffer (byteOffset ≠ 0), and with start inside the view.
        expect(internetChecksum(copy.subarray(shift), 0, n)).toBe(expected);
        expect(internetChecksum(copy, shift, shift + n)).toBe(expected);
      }
    }
  });

  it('all-0xff input (the largest words) over a chunk boundary stays exact', () => {
    // 300 000 words: past the fold interval of both the 32-bit path and (odd-aligned) the byte path.
    const b = new Uint8Array(600_002).fill(0xff);
    for (const v of [b.subarray(0, 600_000), b.subarray(1, 600_001)]) {
      // Words of 0xffff are ≡ 0 (mod 0xffff); the initial 0xfffff is ≡ 0xf.
      expect(fold16(sum16(v, 0, v.length, 0xfffff))).toBe(0xf);
      expect(fold16(sum16(v, 0, v.length, 0))).toBe(0xffff);
    }
    const ramp = bytes(600_000, 5);
    expect(internetChecksum(ramp, 0, ramp.length)).toBe(naiveChecksum(ramp));
    expect(internetChecksum(ramp.subarray(1), 0, ramp.length - 1)).toBe(naiveChecksum(ramp.subarray(1)));
  });
});

describe('pseudo-header sums', () => {
  it('IPv4: a real segment verifies with the RFC 9293 §3.1 pseudo-header', () => {
    const ip = 14;
    const tcpLen = 57 - 20;
    expect(checksumVerifies(V4_DATA, ip + 20, ip + 20 + tcpLen, pseudoHeaderSum4(V4_DATA, ip, tcpLen))).toBe(true);
    // Any other length in the pseudo-header breaks it.
    expect(checksumVerifies(V4_DATA, ip + 20, ip + 20 + tcpLen, pseudoHeaderSum4(V4_DATA, ip, tcpLen + 1))).toBe(false);
  });

  it('IPv6: a real segment verifies with the RFC 8200 §8.1 pseudo-header', () => {
    const ip = 14;
    const tcpLen = 42;
    const sum = pseudoHeaderSum6(V6_DATA, ip + 8, ip + 24, tcpLen);
    expect(checksumVerifies(V6_DATA, ip + 40, ip + 40 + tcpLen, sum)).toBe(true);
    // Swapping source and destination keeps the sum (addition commutes); a different address does not.
    expect(checksumVerifies(V6_DATA, ip + 40, ip + 40 + tcpLen, pseudoHeaderSum6(V6_DATA, ip + 24, ip + 8, tcpLen))).toBe(true);
    expect(checksumVerifies(V6_DATA, ip + 40, ip + 40 + tcpLen, pseudoHeaderSum6(V6_DATA, ip + 8, ip + 8, tcpLen))).toBe(false);
  });
});
