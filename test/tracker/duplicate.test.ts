/**
 * The same segment captured twice (`tcpdump -i any` on a bridge or VM host, SPAN ports, duplicated
 * records): counted, marked `duplicate`, noted once per direction, and never taken for a
 * retransmission, a keep-alive, a lost SYN-ACK or a lost final ACK. Grouped by the state the copy
 * arrives in; each case has a counterpart showing that a real retransmission is still one.
 */
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/decode/segment.js';
import type { ConnectionReport } from '../../src/model/report.js';
import { DUPLICATE_MAX_INTERVAL } from '../../src/tracker/connection.js';
import { Conv, kinds, type ConvOptions } from './fixture.js';

/** Feed a copy of `seg` (same bytes, next frame number) `dt` seconds after the latest segment. */
function again(c: Conv, seg: Segment, dt: number, change: Partial<Segment> = {}): Segment {
  c.time += dt;
  const tsSec = Math.floor(c.time);
  const copy: Segment = {
    ...seg,
    options: { ...seg.options, sackBlocks: seg.options.sackBlocks.slice() },
    frame: ++c.frame,
    tsSec,
    tsNsec: Math.round((c.time - tsSec) * 1e9),
    ...change,
  };
  c.feed(copy);
  return copy;
}

function count(r: ConnectionReport, kind: string): number {
  return r.events.filter((e) => e.kind === kind).length;
}

const V6: ConvOptions = { client: '[fd00::1]:40000', server: '[fd00::2]:80' };

describe('SYN_SENT / SYN_RECEIVED', () => {
  it('+ the SYN-ACK captured twice within 0 µs → not syn_ack_lost, not a SYN-ACK retransmission', () => {
    const c = new Conv({ recordSegments: true });
    c.client.syn();
    const sa = c.server.synAck({ ipId: 0 });
    again(c, sa, 0);
    c.client.ack();
    const r = c.report();
    expect(r.handshake).toMatchObject({ kind: 'three_way', synAckRetransmits: 0 });
    expect(kinds(r)).not.toContain('syn_ack_lost');
    expect(kinds(r)).not.toContain('syn_ack_retransmit');
    const d = r.events.find((e) => e.kind === 'duplicate')!;
    expect(d).toMatchObject({ by: 'server', frame: 3 });
    expect(d.detail).toMatch(/frame 3 is the server's frame 2 captured again 0 µs later .*IP ID 0/);
    expect(r.stats.server).toMatchObject({ packets: 2, retransmits: 0 });
    expect(r.segments!.map((s) => s.marks)).toEqual([[], [], ['duplicate'], []]);
    expect(r.close.kind).toBe('open');
  });

  it('+ the same SYN-ACK 0 µs later with a new IP ID → still a retransmission (syn_ack_lost)', () => {
    const c = new Conv();
    c.client.syn();
    const sa = c.server.synAck();
    again(c, sa, 0, { ipId: sa.ipId + 1 });
    c.client.ack();
    const r = c.report();
    expect(r.handshake.synAckRetransmits).toBe(1);
    expect(kinds(r)).toContain('syn_ack_lost');
    expect(kinds(r)).not.toContain('duplicate');
  });

  it('+ a byte-identical SYN-ACK 61 µs later answering a retransmitted SYN → a retransmission, not a duplicate', () => {
    // Linux resends its SYN-ACK (IP ID 0, same timestamps) at once when a retransmitted SYN arrives;
    // the client's segment in between tells it from a capture duplicate.
    const c = new Conv();
    c.client.syn({ at: 10 });
    c.client.syn({ at: 11.017653 });
    const sa = c.server.synAck({ at: 11.017704, ipId: 0 });
    c.client.ack({ at: 11.017739 });
    again(c, sa, 0.000061);
    const r = c.report();
    expect(r.handshake).toMatchObject({ kind: 'three_way', synRetransmits: 1, synAckRetransmits: 1 });
    expect(kinds(r)).toContain('syn_ack_retransmit');
    expect(kinds(r)).not.toContain('duplicate');
  });

  it('+ the SYN captured twice → one SYN, no retransmission', () => {
    const c = new Conv();
    const syn = c.client.syn();
    again(c, syn, 0.000002);
    c.server.synAck();
    c.client.ack();
    const r = c.report();
    expect(r.handshake).toMatchObject({ kind: 'three_way', synRetransmits: 0, rtt: { synBackoff: [] } });
    expect(kinds(r)).not.toContain('syn_retransmit');
    expect(r.events.find((e) => e.kind === 'duplicate')).toMatchObject({ by: 'client', frame: 2 });
  });

  it('+ an unanswered SYN captured twice, then its retransmission 1 s later → one retry', () => {
    const c = new Conv();
    const syn = c.client.syn({ at: 5 });
    again(c, syn, 0);
    c.client.syn({ at: 6, ipId: syn.ipId });
    const r = c.report();
    expect(r.handshake).toMatchObject({ kind: 'unanswered', synRetransmits: 1 });
    expect(count(r, 'syn_retransmit')).toBe(1);
    expect(count(r, 'duplicate')).toBe(1);
  });
});

describe('ESTABLISHED', () => {
  it('+ a data segment captured twice → not a retransmission; counted in packets, marked duplicate', () => {
    const c = new Conv({ recordSegments: true });
    c.handshake();
    const d = c.client.data(100);
    again(c, d, 0.000005);
    c.server.ack();
    const r = c.report();
    expect(r.stats.client).toMatchObject({ packets: 4, retransmits: 0 });
    expect(r.segments![4]!.marks).toEqual(['duplicate']);
    expect(kinds(r)).toContain('duplicate');
    expect(r.close.kind).toBe('open');
  });

  it('+ the same data 5 µs later with a new IP ID, or 2 ms later with the same → retransmissions', () => {
    const c = new Conv({ recordSegments: true });
    c.handshake();
    const d = c.client.data(100);
    again(c, d, 0.000005, { ipId: d.ipId + 1 });
    again(c, d, 0.002, { ipId: d.ipId + 1 });
    const r = c.report();
    expect(r.stats.client.retransmits).toBe(2);
    expect(r.segments!.slice(4).map((s) => s.marks)).toEqual([['retransmission'], ['retransmission']]);
    expect(kinds(r)).not.toContain('duplicate');
  });

  it('+ identical segments with the peer’s segment between them → not duplicates', () => {
    const c = new Conv();
    c.handshake();
    const d = c.client.data(100);
    c.server.ack({ dt: 0.000001 });
    again(c, d, 0.000001);
    const r = c.report();
    expect(r.stats.client.retransmits).toBe(1);
    expect(kinds(r)).not.toContain('duplicate');
  });

  it('+ duplicate ACKs that differ only in their SACK block → not duplicates', () => {
    const c = new Conv(V6);
    c.handshake();
    const base = c.server.nxt;
    const a1 = c.client.ack({ options: { sackBlockCount: 1, sackBlocks: [base + 100, base + 200, 0, 0, 0, 0, 0, 0] } });
    again(c, a1, 0.0001, { options: { ...a1.options, sackBlocks: [base + 100, base + 300, 0, 0, 0, 0, 0, 0] } });
    expect(kinds(c.report())).not.toContain('duplicate');
  });

  it('+ three copies within 1 ms of each other (1.6 ms in all) → all one segment', () => {
    const c = new Conv();
    c.handshake();
    const d = c.client.data(10);
    again(c, d, 0.0008);
    again(c, d, 0.0008);
    const r = c.report();
    expect(r.stats.client).toMatchObject({ packets: 5, retransmits: 0 });
    expect(count(r, 'duplicate')).toBe(1);
    expect(r.events.find((e) => e.kind === 'duplicate')!.detail).toMatch(/; 2 duplicate\(s\) from the client in all$/);
  });

  it('noted once per direction, with the count of copies at the end', () => {
    const c = new Conv();
    c.handshake();
    for (let i = 0; i < 3; i++) again(c, c.client.data(10), 0);
    again(c, c.server.data(20), 0.0001);
    const r = c.report();
    const ds = r.events.filter((e) => e.kind === 'duplicate');
    expect(ds.map((e) => e.by)).toEqual(['client', 'server']);
    expect(ds[0]!.detail).toMatch(/; 3 duplicate\(s\) from the client in all$/);
    expect(ds[1]!.detail).toMatch(/; 1 duplicate\(s\) from the server in all$/);
    expect(r.stats.client.retransmits + r.stats.server.retransmits).toBe(0);
  });

  it('+ a keep-alive captured twice → one keep-alive', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(10);
    c.server.ack();
    const ka = c.client.ack({ seq: c.client.nxt - 1, dt: 75, noAdvance: true });
    again(c, ka, 0);
    const r = c.report();
    expect(count(r, 'keepalive')).toBe(1);
    expect(count(r, 'duplicate')).toBe(1);
  });

  it('+ pure ACKs captured twice: the fast path and the full path give the same report', () => {
    const run = (fast: boolean): ConnectionReport => {
      const c = new Conv({ fastPath: fast });
      c.handshake();
      for (let i = 0; i < 4; i++) {
        c.client.data(50);
        again(c, c.server.ack(), 0.000003);
      }
      return c.report();
    };
    const fast = run(true);
    expect(count(fast, 'duplicate')).toBe(1);
    expect(fast.stats.server.packets).toBe(9);
    expect(fast).toEqual(run(false));
  });

  it('+ a RST captured twice → one reset, no segments after the RST', () => {
    const c = new Conv();
    c.handshake();
    const rst = c.server.rst();
    again(c, rst, 0.000241);
    const r = c.report();
    expect(r.close).toMatchObject({ kind: 'reset', rstBy: 'server' });
    expect(count(r, 'rst')).toBe(1);
    expect(kinds(r)).not.toContain('data_after_rst');
    expect(count(r, 'duplicate')).toBe(1);
  });
});

describe('LAST_ACK', () => {
  function passiveFin(o: ConvOptions = {}): { c: Conv; fin: Segment } {
    const c = new Conv({ recordSegments: true, ...o });
    c.handshake();
    c.client.fin();
    c.server.ack();
    const fin = c.server.fin();
    return { c, fin };
  }

  it('+ the passive closer’s FIN captured twice 1 µs later → not final_ack_lost', () => {
    const { c, fin } = passiveFin();
    again(c, fin, 0.000001);
    c.client.ack();
    const r = c.report();
    expect(r.close).toMatchObject({ kind: 'four_way', initiator: 'client', finalAckLost: false, finalAckSeen: true });
    expect(kinds(r)).not.toContain('final_ack_lost');
    expect(kinds(r)).not.toContain('fin_retransmit');
    expect(r.stats.server.retransmits).toBe(0);
    expect(r.finalState).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
  });

  it('+ the FIN captured twice and no final ACK seen → final_ack_not_seen, not final_ack_lost', () => {
    const { c, fin } = passiveFin();
    again(c, fin, 0);
    const r = c.report();
    expect(r.close.finalAckLost).toBe(false);
    expect(kinds(r)).toContain('final_ack_not_seen');
    expect(kinds(r)).not.toContain('final_ack_lost');
  });

  it('+ the same FIN (even the same IP ID) retransmitted 200 ms later → still final_ack_lost', () => {
    const { c, fin } = passiveFin();
    c.client.ack();
    again(c, fin, 0.2);
    const r = c.report();
    expect(r.close.finalAckLost).toBe(true);
    expect(kinds(r)).toContain('final_ack_lost');
    expect(kinds(r)).toContain('fin_retransmit');
    expect(kinds(r)).not.toContain('duplicate');
  });

  it('IPv6 (no IP ID) + the FIN captured twice within the interval → a duplicate, not final_ack_lost', () => {
    const { c, fin } = passiveFin(V6);
    expect(fin.ipId).toBe(-1);
    again(c, fin, DUPLICATE_MAX_INTERVAL / 2);
    c.client.ack();
    const r = c.report();
    expect(r.close.finalAckLost).toBe(false);
    expect(kinds(r)).not.toContain('final_ack_lost');
    const d = r.events.find((e) => e.kind === 'duplicate')!;
    expect(d.by).toBe('server');
    expect(d.detail).not.toMatch(/IP ID/);
    expect(r.segments!.at(-2)!.marks).toEqual(['duplicate']);
  });

  it('IPv6 + the FIN retransmitted 200 ms later → final_ack_lost', () => {
    const { c, fin } = passiveFin(V6);
    c.client.ack();
    again(c, fin, 0.2);
    const r = c.report();
    expect(r.close.finalAckLost).toBe(true);
    expect(kinds(r)).not.toContain('duplicate');
  });
});
