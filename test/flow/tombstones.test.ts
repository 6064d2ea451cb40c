/**
 * The TIME_WAIT tombstone store: a 4-tuple and a dozen numbers per reported connection, found in
 * either direction, swept by capture time in lay order, grown past its first size.
 */
import { describe, expect, it } from 'vitest';
import { newSegment, TcpFlag, type Segment } from '../../src/decode/segment.js';
import { FlowTable } from '../../src/flow/table.js';
import { TombstoneStore } from '../../src/flow/tombstones.js';
import { TimeWaitTombstone } from '../../src/tracker/connection.js';
import { eventDetail } from '../../src/model/event-detail.js';
import type { EventPayloads } from '../../src/model/events.js';

const reuseText = (p: EventPayloads['time_wait_reuse']): string | undefined => eventDetail({ kind: 'time_wait_reuse', frame: 1, time: 0, by: 'client', ...p });

function seg(src: number[], sport: number, dst: number[], dport: number, seq = 1): Segment {
  const s = newSegment();
  const n = src.length;
  const bytes = new Uint8Array(2 * n);
  bytes.set(src, 0);
  bytes.set(dst, n);
  s.bytes = bytes;
  s.srcOffset = 0;
  s.dstOffset = n;
  s.addrLength = n;
  s.ipVersion = n === 16 ? 6 : 4;
  s.srcPort = sport;
  s.dstPort = dport;
  s.flags = TcpFlag.SYN;
  s.seq = seq;
  return s;
}

const end = (sndNxt: number) => ({ sndKnown: true, sndNxt, tsKnown: false, lastTsVal: 0 });

/** A tombstone for connection `id` whose A (the client) holds TIME_WAIT since `since`. */
function tomb(id: number, since: number, s: Segment, aSnd = 1000): TimeWaitTombstone {
  return new TimeWaitTombstone(id, 30, 'client', since, true, s.ipVersion, 0, 0, 0, 0, s.srcPort, end(aSnd), end(9000));
}

describe('TombstoneStore', () => {
  it('finds a tombstone from either direction, once, and keeps what reuse() needs', () => {
    const table = new FlowTable<null>();
    const store = new TombstoneStore(30);
    const s = seg([10, 0, 0, 1], 40000, [10, 0, 0, 2], 80);
    const entry = table.insert(s, null);
    store.add(entry, tomb(7, 100, s, 0xfffffff0));
    expect(store.size).toBe(1);
    const back = seg([10, 0, 0, 2], 80, [10, 0, 0, 1], 40000);
    expect(store.take(seg([10, 0, 0, 2], 81, [10, 0, 0, 1], 40000))).toBeNull();
    const t = store.take(back)!;
    expect(store.fromA).toBe(false);
    expect(t.id).toBe(7);
    expect(t.timeWaitSince).toBe(100);
    expect(t.holderIsA).toBe(true);
    expect(t.aSndNxt).toBe(0xfffffff0);
    expect(t.bSndNxt).toBe(9000);
    expect(store.size).toBe(0);
    expect(store.take(back)).toBeNull();
    // reuse() from the materialised tombstone: a new SYN from the old client, 5 s into TIME_WAIT.
    const r = t.reuse(seg([10, 0, 0, 1], 40000, [10, 0, 0, 2], 80, 5), true, 105)!;
    expect(r.event).toEqual({
      holder: { ip: '10.0.0.1', port: 40000 },
      holderSide: 'client',
      oldConnection: 7,
      heldFor: 5,
      timeWaitLimit: 60,
      isn: 5,
      isnAbove: true,
      oldSndNxt: 4294967280,
      timestampAbove: null,
    });
    expect(reuseText(r.event)).toMatch(/^10\.0\.0\.1:40000 \(the old connection 7's client\) held TIME_WAIT for 5 s of 60 s; new ISN 5 is above the old sequence space \(next was 4294967280\)/);
  });

  it('IPv6 tuples differing only in a low address word are told apart', () => {
    const table = new FlowTable<null>();
    const store = new TombstoneStore(30);
    const a = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const b = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    const c = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3];
    const s = seg(a, 1, b, 2);
    store.add(table.insert(s, null), tomb(1, 0, s));
    expect(store.take(seg(a, 1, c, 2))).toBeNull();
    expect(store.take(seg(a, 1, b, 2))!.id).toBe(1);
  });

  it('sweeps by capture time in lay order, grows past its first size, and forgets taken ones', () => {
    const table = new FlowTable<null>();
    const store = new TombstoneStore(30);
    const segs: Segment[] = [];
    for (let i = 0; i < 5000; i++) {
      const s = seg([10, 1, i >> 8, i & 255], 1024 + i, [10, 0, 0, 2], 80);
      segs.push(s);
      store.add(table.insert(s, null), tomb(i + 1, i / 100, s));
    }
    expect(store.size).toBe(5000);
    expect(store.take(segs[10]!)!.id).toBe(11);
    // TIME_WAIT of tombstone i ends at i/100 + 60.
    store.sweep(60 + 19.995);
    expect(store.size).toBe(5000 - 2000 + 1 - 1);
    expect(store.take(segs[1999]!)).toBeNull();
    expect(store.take(segs[2000]!)!.id).toBe(2001);
    // After the sweep, new ones still go in and are found (the ring wraps).
    for (let i = 0; i < 1500; i++) {
      const s = seg([10, 2, i >> 8, i & 255], 2000 + i, [10, 0, 0, 2], 80);
      store.add(table.insert(s, null), tomb(10_000 + i, 80, s));
    }
    expect(store.take(seg([10, 0, 0, 2], 80, [10, 2, 5, 219], 2000 + 1500 - 1))!.id).toBe(10_000 + 1499);
    expect(store.take(segs[4999]!)!.id).toBe(5000);
    store.sweep(1000);
    expect(store.size).toBe(0);
    store.clear();
    expect(store.take(segs[3000]!)).toBeNull();
  });

  it('keeps IPv4 and IPv6 tombstones apart, each found from either direction, through growth', () => {
    const table = new FlowTable<null>();
    const store = new TombstoneStore(30);
    const v6 = (i: number) => [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i >> 8, i & 255];
    const server6 = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
    for (let i = 0; i < 3000; i++) {
      // The same low address bytes and ports in both families.
      const s4 = seg([0, 0, i >> 8, i & 255], 5000 + i, [0, 0, 0xff, 0xff], 443);
      const s6 = seg(v6(i), 5000 + i, server6, 443);
      store.add(table.insert(s4, null), tomb(i + 1, 0, s4));
      store.add(table.insert(s6, null), tomb(100_000 + i, 0, s6, 0x80000000 + i));
    }
    expect(store.size).toBe(6000);
    const t6 = store.take(seg(server6, 443, v6(2999), 5000 + 2999))!;
    expect(store.fromA).toBe(false);
    expect(t6.id).toBe(102_999);
    expect(t6.aSndNxt).toBe(0x80000000 + 2999);
    const t4 = store.take(seg([0, 0, 11, 183], 5000 + 2999, [0, 0, 0xff, 0xff], 443))!;
    expect(store.fromA).toBe(true);
    expect(t4.id).toBe(3000);
    // The port pair is matched as a pair: swapped ports alone are another 4-tuple.
    expect(store.take(seg([0, 0, 0, 7], 443, [0, 0, 0xff, 0xff], 5007))).toBeNull();
    expect(store.size).toBe(5998);
    // The tombstone of a reused tuple names the holder's address and port.
    const r = t6.reuse(seg(v6(2999), 5000 + 2999, server6, 443, 5), true, 3)!;
    expect(r.event.holder).toEqual({ ip: '2001:db8::bb7', port: 7999 });
    expect(reuseText(r.event)).toMatch(/^\[2001:db8::bb7\]:7999 \(the old connection 102999's client\)/);
    store.sweep(61);
    expect(store.size).toBe(0);
  });
});
