/**
 * The trackers keep their yes/no facts as bits of one field, an endpoint's sequence numbers and
 * times in one array of doubles, and their state changes and events as packed numbers
 * (util/packed-fields.ts): each member reads back what was written, independently of the others, and
 * none is an own property (one field for all); the logs give back frames past 2^32, file indexes,
 * sides and nanosecond times exactly.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/model/events.js';
import { EndpointTrack } from '../../src/tracker/connection.js';
import { defineBitFlags, defineDoubleSlots, grownBy } from '../../src/util/packed-fields.js';
import { Conv } from './fixture.js';

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

describe('grownBy', () => {
  it('gives a new exact-size array with the old numbers while short, and grows in place past 40', () => {
    const a = [1, 2.5];
    const b = grownBy(a, 2);
    expect(b).not.toBe(a);
    expect(b.length).toBe(4);
    expect(b.slice(0, 2)).toEqual([1, 2.5]);
    expect(a).toEqual([1, 2.5]);
    const long = Array.from({ length: 40 }, (_, i) => i + 0.5);
    const c = grownBy(long, 2);
    expect(c).toBe(long);
    expect(c.length).toBe(42);
    expect(c[39]).toBe(39.5);
    // A shared empty array is never written to.
    const empty: number[] = [];
    grownBy(empty, 4);
    expect(empty).toEqual([]);
  });
});

describe('SYN times', () => {
  it('keep the first in a slot and the later ones in an array made at the second SYN', () => {
    const e = new EndpointTrack('client');
    const other = new EndpointTrack('client');
    expect(e.synTimes).toEqual([]);
    expect(e.laterSynTimes).toBe(other.laterSynTimes);
    expect(e.noteSyn(10.5)).toBe(10.5);
    expect(e.laterSynTimes).toBe(other.laterSynTimes);
    expect(e.noteSyn(11.5)).toBe(10.5);
    expect(e.noteSyn(13.5)).toBe(11.5);
    expect(e.synTimes).toEqual([10.5, 11.5, 13.5]);
    expect(other.synTimes).toEqual([]);
    expect(other.laterSynTimes).toEqual([]);
  });
});

describe('state and event logs', () => {
  it('give back frames past 2^32, inferred changes, a retraction, and nanosecond times', () => {
    const e = new EndpointTrack('client');
    const big = 2 ** 40 + 3;
    e.logState('SYN_SENT', big, 1700000000.000000001, 'observed');
    e.logState('ESTABLISHED', big + 1, 1700000000.25, 'inferred');
    expect(e.states).toEqual([
      { state: 'SYN_SENT', frame: big, time: 1700000000.000000001, how: 'observed' },
      { state: 'ESTABLISHED', frame: big + 1, time: 1700000000.25, how: 'inferred' },
    ]);
    // Only an inference to the named state is withdrawn.
    expect(e.retractInferred('CLOSE_WAIT')).toBe(false);
    expect(e.retractInferred('ESTABLISHED')).toBe(true);
    expect(e.retractInferred('SYN_SENT')).toBe(false);
    expect(e.states.map((x) => x.state)).toEqual(['SYN_SENT']);
  });

  it("keep each event's kind, side, frame, file, payload and detail, for the report and for an event sink", () => {
    const sunk: ConnectionEvent[] = [];
    const c = new Conv({ multiFile: true, onEvent: (ev) => sunk.push(ev) });
    c.frame = 2 ** 36;
    const syn = c.client.syn({ feed: false });
    syn.fileIndex = 2;
    c.feed(syn);
    c.server.synAck();
    c.client.ack();
    c.client.fin();
    c.server.fin();
    c.client.ack();
    const r = c.report();
    expect(r.events.map((ev) => [ev.kind, ev.by, ev.frame, ev.file, ev.detail])).toEqual([
      ['syn', 'client', 2 ** 36 + 1, 2, undefined],
      ['syn_ack', 'server', 2 ** 36 + 2, 0, undefined],
      ['handshake_complete', 'client', 2 ** 36 + 3, 0, undefined],
      ['fin', 'client', 2 ** 36 + 4, 0, 'client now FIN_WAIT_1'],
      ['fin', 'server', 2 ** 36 + 5, 0, 'server now LAST_ACK'],
      ['close_complete', 'client', 2 ** 36 + 6, 0, "final ACK of the server's FIN"],
    ]);
    expect(r.events[0]!.time).toBe(1_700_000_000.001);
    // Members in the report's order (where, the payload, its text), as the sink saw them too.
    expect(Object.keys(r.events[3]!)).toEqual(['kind', 'frame', 'time', 'by', 'file', 'state', 'afterRst', 'detail']);
    expect(r.events[3]).toMatchObject({ kind: 'fin', state: 'FIN_WAIT_1', afterRst: false });
    expect(r.events[5]).toMatchObject({ kind: 'close_complete', finOf: 'server' });
    expect(sunk).toEqual(r.events);
  });
});

describe('the segment scratch', () => {
  /** A connection with a retried SYN, data, a half-close and a simultaneous close, as a list of steps. */
  function script(c: Conv): (() => void)[] {
    return [
      () => c.client.syn(),
      () => c.client.syn({ dt: 1 }),
      () => c.server.synAck(),
      () => c.client.ack(),
      () => c.client.data(100),
      () => c.client.fin(),
      () => c.server.data(50),
      () => c.server.fin(),
      () => c.client.ack(),
      () => c.server.ack(),
    ];
  }

  it('is one per run: a run fed from inside another run’s event sink, mid-segment, reports as if alone', () => {
    const alone = new Conv({ client: '10.9.0.1:5000', server: '10.9.0.2:443' });
    for (const step of script(alone)) step();
    const expected = alone.finish();

    const inner = new Conv({ client: '10.9.0.1:5000', server: '10.9.0.2:443' });
    const innerSteps = script(inner);
    // Every event of the outer run feeds the inner run's next segment before the outer segment is done.
    const outer = new Conv({ onEvent: () => innerSteps.shift()?.() });
    for (const step of script(outer)) step();
    while (innerSteps.length > 0) innerSteps.shift()!();
    const outerReports = outer.finish();
    expect(inner.finish()).toEqual(expected);
    const outerAlone = new Conv();
    for (const step of script(outerAlone)) step();
    expect(outerReports).toEqual(outerAlone.finish());
  });
});
