import { CLOSED_GRACE } from '../../src/flow/manager.js';
import { describe, expect, it } from 'vitest';
import { newSegment, type Segment } from '../../src/decode/segment.js';
import { combineSymmetric, endpointHash } from '../../src/flow/key.js';
import { rolesByPort } from '../../src/flow/roles.js';
import { FlowTable, segmentFlowHash } from '../../src/flow/table.js';
import { Conv, kinds } from '../tracker/fixture.js';

function seg(src: number[], sport: number, dst: number[], dport: number): Segment {
  const s = newSegment();
  const b = new Uint8Array(64);
  b.set(src, 4);
  b.set(dst, 30);
  s.bytes = b;
  s.srcOffset = 4;
  s.dstOffset = 30;
  s.addrLength = src.length;
  s.ipVersion = src.length === 16 ? 6 : 4;
  s.srcPort = sport;
  s.dstPort = dport;
  return s;
}

describe('flow key', () => {
  it('is the same in both directions', () => {
    const ab = seg([10, 0, 0, 1], 40000, [10, 0, 0, 2], 80);
    const ba = seg([10, 0, 0, 2], 80, [10, 0, 0, 1], 40000);
    expect(segmentFlowHash(ab)).toBe(segmentFlowHash(ba));
    const other = seg([10, 0, 0, 1], 40001, [10, 0, 0, 2], 80);
    expect(segmentFlowHash(other)).not.toBe(segmentFlowHash(ab));
  });
  it('symmetric combination', () => {
    const h1 = endpointHash(new Uint8Array([1, 2, 3, 4]), 0, 4, 80);
    const h2 = endpointHash(new Uint8Array([5, 6, 7, 8]), 0, 4, 443);
    expect(combineSymmetric(h1, h2)).toBe(combineSymmetric(h2, h1));
  });
});

describe('FlowTable', () => {
  it('finds an entry from either direction and tells which', () => {
    const t = new FlowTable<string>();
    const ab = seg([10, 0, 0, 1], 40000, [10, 0, 0, 2], 80);
    expect(t.lookup(ab)).toBeNull();
    const e = t.insert(ab, 'x');
    expect(t.lookup(ab)).toBe(e);
    expect(t.fromA).toBe(true);
    expect(t.lookup(seg([10, 0, 0, 2], 80, [10, 0, 0, 1], 40000))).toBe(e);
    expect(t.fromA).toBe(false);
    expect(t.lookup(seg([10, 0, 0, 2], 80, [10, 0, 0, 3], 40000))).toBeNull();
    t.remove(e);
    expect(t.size).toBe(0);
    expect(t.lookup(ab)).toBeNull();
  });
  it('keeps colliding entries apart by comparing bytes', () => {
    const t = new FlowTable<number>();
    // Force collisions: insert many, all must be found again.
    const segs: Segment[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = seg([10, 0, (i >> 8) & 255, i & 255], 1000 + (i % 7), [10, 1, 0, 1], 80);
      segs.push(s);
      t.insert(s, i);
    }
    segs.forEach((s, i) => expect(t.lookup(s)!.value).toBe(i));
    // Remove every other one, including chain heads and middles.
    for (let i = 0; i < 2000; i += 2) t.remove(t.lookup(segs[i]!)!);
    segs.forEach((s, i) => (i % 2 === 0 ? expect(t.lookup(s)).toBeNull() : expect(t.lookup(s)!.value).toBe(i)));
    expect(t.size).toBe(1000);
  });
  it('IPv4 and IPv6 addresses never match each other', () => {
    const t = new FlowTable<number>();
    t.insert(seg([0, 0, 0, 0], 1, [0, 0, 0, 0], 2), 1);
    expect(t.lookup(seg(new Array(16).fill(0), 1, new Array(16).fill(0), 2))).toBeNull();
  });
});

describe('roles by port', () => {
  it.each([
    [40000, 80, true, 'well_known_port'],
    [443, 50000, false, 'well_known_port'],
    [50000, 5432, true, 'well_known_port'],
    [6379, 40000, false, 'well_known_port'],
    [50000, 40000, true, 'lower_port'],
    [80, 443, false, 'lower_port'],
    [7777, 7777, true, 'first_packet'],
  ] as const)('A port %i, B port %i → A is client %s (%s)', (a, b, aIsClient, by) => {
    expect(rolesByPort(a, b)).toEqual({ aIsClient, decidedBy: by });
  });
});

describe('connections on a 4-tuple', () => {
  function closeCleanly(c: Conv): void {
    c.client.fin();
    c.server.fin();
    c.client.ack();
  }
  it('a new SYN with a new ISN while the client holds TIME_WAIT → new connection, time_wait_reuse (ISN above)', () => {
    const c = new Conv({ start: 0 });
    c.handshake();
    c.client.data(100);
    closeCleanly(c);
    c.client.isn = 50_000;
    c.client.nxt = 50_000;
    c.server.isn = 90_000;
    c.server.nxt = 90_000;
    // Within the grace: the old connection is still live when the SYN comes.
    c.client.syn({ at: CLOSED_GRACE - 0.5 });
    c.server.synAck();
    c.client.ack();
    const rs = c.finish();
    expect(rs.map((r) => r.id)).toEqual([1, 2]);
    // The client's own SYN ended its TIME_WAIT (RFC 6191 reuse): CLOSED, observed, at the new SYN.
    expect(rs[0]!.finalState.client).toBe('CLOSED');
    expect(rs[0]!.states.client.at(-1)).toMatchObject({ state: 'CLOSED', frame: 8, how: 'observed' });
    const e = rs[1]!.events.find((x) => x.kind === 'time_wait_reuse')!;
    expect(e.by).toBe('client');
    expect(e.detail).toMatch(/10\.0\.0\.1:40000/);
    expect(e.detail).toMatch(/client\) held TIME_WAIT/);
    expect(e.detail).toMatch(/above the old sequence space/);
    expect(rs[1]!.handshake.kind).toBe('three_way');
    // The tuple was reused: both filters carry frame bounds.
    expect(rs[0]!.displayFilter).toBe('ip.addr==10.0.0.1 && tcp.port==40000 && ip.addr==10.0.0.2 && tcp.port==80 && frame.number>=1 && frame.number<=7');
    expect(rs[1]!.displayFilter).toMatch(/frame\.number>=8 && frame\.number<=10$/);
  });
  it('the same reuse after the grace (the old connection already reported) is found on its tombstone', () => {
    const c = new Conv({ start: 0 });
    c.handshake();
    c.client.data(100);
    closeCleanly(c);
    c.client.isn = 50_000;
    c.client.nxt = 50_000;
    c.client.syn({ at: CLOSED_GRACE + 2 });
    c.server.synAck();
    c.client.ack();
    const rs = c.finish();
    expect(rs.map((r) => r.id)).toEqual([1, 2]);
    // Handed over before the reuse, the old report keeps TIME_WAIT; the new connection's event tells.
    expect(rs[0]!.finalState.client).toBe('TIME_WAIT');
    const e = rs[1]!.events.find((x) => x.kind === 'time_wait_reuse')!;
    expect(e.by).toBe('client');
    expect(e.detail).toMatch(/^10\.0\.0\.1:40000 \(the old connection 1's client\) held TIME_WAIT for 4\.99\d* s of 60 s; new ISN 50000 is above/);
    expect(rs[1]!.handshake.kind).toBe('three_way');
    expect(rs[1]!.displayFilter).toMatch(/frame\.number>=8 && frame\.number<=10$/);
  });
  it('ISN below the old sequence space is flagged (RFC 6191)', () => {
    const c = new Conv({ start: 0, clientIsn: 1_000_000 });
    c.handshake();
    closeCleanly(c);
    c.client.isn = 10;
    c.client.nxt = 10;
    c.client.syn({ at: 5 });
    const e = c.finish()[1]!.events.find((x) => x.kind === 'time_wait_reuse')!;
    expect(e.detail).toMatch(/below the old sequence space/);
  });
  it('the server holding TIME_WAIT (server closed first) is named', () => {
    const c = new Conv({ start: 0 });
    c.handshake();
    c.server.fin();
    c.client.fin();
    c.server.ack();
    c.client.isn = 7_000_000;
    c.client.nxt = 7_000_000;
    c.client.syn({ at: 3 });
    const e = c.finish()[1]!.events.find((x) => x.kind === 'time_wait_reuse')!;
    expect(e.detail).toMatch(/10\.0\.0\.2:80 \(the old connection 1's server\)/);
  });
  it('after TIME_WAIT expired, a new SYN starts a new connection without time_wait_reuse', () => {
    const c = new Conv({ start: 0, msl: 1 });
    c.handshake();
    closeCleanly(c);
    c.client.isn = 9_000_000;
    c.client.nxt = 9_000_000;
    c.client.syn({ at: 10 });
    const rs = c.finish();
    expect(rs).toHaveLength(2);
    expect(kinds(rs[1]!)).not.toContain('time_wait_reuse');
  });
  it('the same ISN again is a retransmission, not a new connection', () => {
    const c = new Conv();
    c.client.syn();
    c.client.syn({ dt: 1 });
    expect(c.finish()).toHaveLength(1);
  });
  it('a SYN on an open connection does not split it', () => {
    const c = new Conv();
    c.handshake();
    c.client.syn({ seq: 123456, noAdvance: true });
    expect(c.finish()).toHaveLength(1);
  });
  it('a new connect() with a new ISN after an unanswered SYN is a new connection', () => {
    const c = new Conv();
    c.client.syn({ at: 1 });
    c.client.isn = 777_777;
    c.client.syn({ at: 30 });
    const rs = c.finish();
    expect(rs.map((r) => r.handshake.kind)).toEqual(['unanswered', 'unanswered']);
  });
  it('a new SYN after a RST starts a new connection', () => {
    const c = new Conv();
    c.handshake();
    c.server.rstAck();
    c.client.isn = 424242;
    c.client.nxt = 424242;
    c.client.syn();
    const rs = c.finish();
    expect(rs).toHaveLength(2);
    expect(rs[0]!.close.kind).toBe('reset');
  });
});

describe('expiry and memory', () => {
  it('idle timeout expires a connection with idle_timeout and idleExpired', () => {
    const c = new Conv({ start: 0, idleTimeout: 10 });
    c.handshake();
    c.tick(30);
    const rs = c.finish();
    const r = rs[0]!;
    expect(r.idleExpired).toBe(true);
    expect(kinds(r)).toContain('idle_timeout');
    expect(c.reports[0]!.id).toBe(1);
  });
  it('a segment after the idle limit starts a new (midstream) connection', () => {
    const c = new Conv({ start: 0, idleTimeout: 10 });
    c.handshake();
    c.client.data(10, { at: 50 });
    const rs = c.finish();
    expect(rs).toHaveLength(2);
    expect(rs[0]!.idleExpired).toBe(true);
    expect(rs[1]!.handshake.kind).toBe('not_captured');
  });
  it('onConnection: over ones when over, the rest at the end in id order', () => {
    const c = new Conv({ start: 0, msl: 1 });
    // conn 1 stays open, conn 2 closes and expires
    c.client.syn({ at: 0 });
    c.server.synAck();
    c.client.ack();
    const other = new Conv({ start: 0, client: '10.0.0.5:1234', server: '10.0.0.6:80' });
    // feed conn 2 through the same manager
    const feed = (s: ReturnType<typeof other.client.syn>) => c.feed(s);
    other.feed = feed;
    other.time = 0.1;
    other.handshake();
    other.client.fin();
    other.server.fin();
    other.client.ack();
    c.tick(10);
    const order = c.reports.map((r) => r.id);
    expect(order).toEqual([2]);
    c.finish();
    expect(c.reports.map((r) => r.id)).toEqual([2, 1, 3]);
  });
  it('a long capture of sequential connections keeps the live set bounded', () => {
    const c = new Conv({ start: 0, msl: 1 });
    let maxLive = 0;
    for (let i = 0; i < 3000; i++) {
      const p = new Conv({ start: 0, client: `10.1.${(i >> 8) & 255}.${i & 255}:${20000 + (i % 1000)}`, server: '10.0.0.2:80' });
      p.feed = (s) => c.feed(s);
      p.time = i * 0.1;
      p.handshake();
      p.client.data(100);
      p.server.data(1000);
      p.client.fin();
      p.server.fin();
      p.client.ack();
      maxLive = Math.max(maxLive, c.manager.liveCount);
    }
    c.finish();
    expect(c.reports).toHaveLength(3000);
    // 2×MSL = 2 s at one connection per 0.1 s: about 20 in TIME_WAIT at once (+ sweep slack).
    expect(maxLive).toBeLessThan(40);
  });
  it('an unanswered SYN quiet for 4×MSL is over before the end of input', () => {
    const c = new Conv({ start: 0, msl: 1 });
    c.client.syn({ at: 0 });
    c.client.syn({ at: 1 });
    c.tick(4.5);
    expect(c.reports).toHaveLength(0);
    c.tick(5.5);
    expect(c.reports.map((r) => r.handshake.kind)).toEqual(['unanswered']);
  });
  it('ids follow the order of first frames', () => {
    const c = new Conv();
    const a = new Conv({ client: '10.0.0.7:1111', server: '10.0.0.8:22' });
    a.feed = (s) => c.feed(s);
    c.client.syn({ at: 1 });
    a.time = 2;
    a.client.syn();
    c.server.synAck({ at: 3 });
    const rs = c.finish();
    expect(rs.map((r) => r.client.port)).toEqual([40000, 1111]);
  });
  it('IPv6 connections get ipv6.addr display filters', () => {
    const c = new Conv({ client: '[2001:db8::1]:40000', server: '[2001:db8::2]:443' });
    c.handshake();
    const r = c.report();
    expect(r.client.ip).toBe('2001:db8::1');
    expect(r.displayFilter).toBe('ipv6.addr==2001:db8::1 && tcp.port==40000 && ipv6.addr==2001:db8::2 && tcp.port==443');
  });
});
