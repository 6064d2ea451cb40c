/**
 * The trackers keep their yes/no facts as bits of one field (util/bits.ts): each member reads back
 * what was written, independently of the others, and none is an own property (one field for all).
 */
import { describe, expect, it } from 'vitest';
import { EndpointTrack } from '../../src/tracker/connection.js';
import { defineBitFlags } from '../../src/util/bits.js';

describe('defineBitFlags', () => {
  it('gives each member its own bit', () => {
    class Facts {
      bits = 0;
      declare a: boolean;
      declare b: boolean;
      declare c: boolean;
    }
    defineBitFlags(Facts, ['a', 'b', 'c']);
    const f = new Facts();
    expect([f.a, f.b, f.c]).toEqual([false, false, false]);
    f.b = true;
    expect([f.a, f.b, f.c]).toEqual([false, true, false]);
    f.a = true;
    f.c = true;
    f.b = false;
    expect([f.a, f.b, f.c]).toEqual([true, false, true]);
    expect(f.bits).toBe(0b101);
    expect(Object.keys(f)).toEqual(['bits']);
  });

  it('refuses more members than a 31-bit field holds', () => {
    class Many {
      bits = 0;
    }
    expect(() => defineBitFlags(Many, Array.from({ length: 32 }, (_, i) => `m${i}`))).toThrow(/31/);
  });

  it("holds an endpoint tracker's facts apart", () => {
    const e = new EndpointTrack('client');
    const names = ['everEstablished', 'isnKnown', 'sndKnown', 'ackKnown', 'finSent', 'finAcked', 'holeActive', 'rstSent'] as const;
    for (const n of names) expect(e[n], n).toBe(false);
    for (const [i, n] of names.entries()) {
      e[n] = true;
      for (const [j, m] of names.entries()) expect(e[m], `${n} set, ${m}`).toBe(j <= i);
    }
    expect(Object.keys(e)).not.toContain('finSent');
  });
});
