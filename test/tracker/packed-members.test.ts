/**
 * The trackers keep their yes/no facts as bits of one field, and an endpoint's sequence numbers and
 * times in one array of doubles (util/packed-fields.ts): each member reads back what was written,
 * independently of the others, and none is an own property (one field for all).
 */
import { describe, expect, it } from 'vitest';
import { EndpointTrack } from '../../src/tracker/connection.js';
import { defineBitFlags, defineDoubleSlots } from '../../src/util/packed-fields.js';

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

describe('defineDoubleSlots', () => {
  it('keeps each member in its own slot, from its initial value, in a fresh array per object', () => {
    class Numbers {
      doubles: number[] = SLOTS.fresh();
      declare seq: number;
      declare time: number;
    }
    const SLOTS = defineDoubleSlots(Numbers, { seq: 0, time: -Infinity });
    const x = new Numbers();
    const y = new Numbers();
    expect([x.seq, x.time]).toEqual([0, -Infinity]);
    x.seq = 0xffffffff;
    x.time = 1700000000.000126;
    expect([x.seq, x.time]).toEqual([0xffffffff, 1700000000.000126]);
    expect([y.seq, y.time]).toEqual([0, -Infinity]);
    expect(Object.keys(x)).toEqual(['doubles']);
  });

  it("holds an endpoint tracker's sequence numbers and times", () => {
    const e = new EndpointTrack('server');
    expect([e.isn, e.synTsVal, e.prevTime]).toEqual([0, -1, -Infinity]);
    e.sndNxt = 4294967295;
    e.lastAck = 2147483648;
    e.synTime = 12.000000001;
    expect([e.sndNxt, e.lastAck, e.synTime, e.isn]).toEqual([4294967295, 2147483648, 12.000000001, 0]);
    expect(Object.keys(e)).not.toContain('sndNxt');
  });
});
