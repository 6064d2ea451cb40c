import { describe, expect, it } from 'vitest';
import { TimestampConverter } from '../../src/capture/timestamp.js';

/** The exact answer, with BigInt. */
function reference(tsresol: number, offset: number, units: bigint): [number, number] {
  const k = BigInt(tsresol & 0x7f);
  const per = (tsresol & 0x80) === 0 ? 10n ** k : 1n << k;
  return [Number(units / per) + offset, Number(((units % per) * 1_000_000_000n) / per)];
}

describe('TimestampConverter is exact', () => {
  // Decimal 10^0..10^12 and binary 2^0..2^40, covering the fast paths and the BigInt fallback.
  const resolutions = [
    ...Array.from({ length: 13 }, (_, k) => k),
    ...Array.from({ length: 41 }, (_, k) => 0x80 | k),
  ];
  let seed = 0x9e3779b9;
  const rand32 = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  for (const r of resolutions) {
    it(`if_tsresol 0x${r.toString(16)}`, () => {
      const conv = new TimestampConverter(r, 7);
      const edge = [
        [0, 0],
        [0, 1],
        [0xffffffff, 0xffffffff],
        [0x0180_0000, 0xffffffff],
        [1, 0],
      ];
      const samples = [...edge, ...Array.from({ length: 300 }, () => [rand32() >>> (rand32() % 32), rand32()])];
      for (const [high, low] of samples) {
        const units = (BigInt(high!) << 32n) | BigInt(low!);
        const [sec, nsec] = reference(r, 7, units);
        conv.convert(high!, low!);
        // Seconds beyond 2^53 cannot be exact in a Number for any method; compare within that range.
        if (Math.abs(sec) < 2 ** 53) expect([conv.sec, conv.nsec]).toEqual([sec, nsec]);
        else expect(conv.nsec).toBe(nsec);
      }
    });
  }
});
