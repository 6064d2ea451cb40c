/** Loss and capture-point reasoning, anomalies, reordering and sequence wrap. */
import { describe, expect, it } from 'vitest';
import { Conv, F, kinds } from './fixture.js';

describe('lost and uncaptured handshake segments', () => {
  it('SYN retransmitted after a SYN-ACK was seen → syn_ack_lost (lost after the capture point)', () => {
    const c = new Conv();
    c.client.syn({ at: 1 });
    c.server.synAck({ at: 1.0001 });
    c.client.syn({ at: 2 });
    c.server.synAck({ at: 2.0001 });
    c.client.ack({ at: 2.01 });
    const r = c.report();
    expect(r.handshake.kind).toBe('three_way');
    expect(kinds(r)).toContain('syn_ack_lost');
    expect(kinds(r).filter((k) => k === 'syn_ack_lost')).toHaveLength(1);
    expect(r.handshake.synRetransmits).toBe(1);
    expect(r.handshake.synAckRetransmits).toBe(1);
  });
  it('SYN-ACK retransmitted after the client ACK was seen: the ACK was lost after the capture point', () => {
    const c = new Conv();
    c.client.syn();
    c.server.synAck();
    c.client.ack();
    c.server.synAck({ dt: 1 });
    const e = c.report().events.find((x) => x.kind === 'syn_ack_retransmit')!;
    expect(e.detail).toMatch(/lost after the capture point/);
  });
  it('first SYN-ACK seen echoes the first SYN after a retry → syn_ack_lost (lost before the capture point)', () => {
    // samples/synack-lost-client-side.pcap: the server's timer retransmission still echoes the TSval
    // of the first SYN (RFC 7323 §4.3), so the server had answered it and that answer was lost.
    const c = new Conv();
    c.client.syn({ at: 1, options: { hasTimestamps: true, tsVal: 1000, tsEcr: 0 } });
    const retry = c.client.syn({ at: 2, seq: c.client.nxt - 1, noAdvance: true, options: { hasTimestamps: true, tsVal: 2000, tsEcr: 0 } });
    expect(retry.seq).toBe(c.client.nxt - 1);
    c.server.synAck({ at: 2.00005, options: { hasTimestamps: true, tsVal: 500, tsEcr: 1000 } });
    c.client.ack({ at: 2.00009 });
    // The answer to the retried SYN crosses the client's ACK: a retransmission, but no loss.
    c.server.synAck({ at: 2.0001, seq: c.server.nxt - 1, noAdvance: true, options: { hasTimestamps: true, tsVal: 500, tsEcr: 2000 } });
    const r = c.report();
    expect(r.handshake.kind).toBe('three_way');
    const lost = r.events.filter((x) => x.kind === 'syn_ack_lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.detail).toMatch(/before the capture point/);
    const retransmit = r.events.find((x) => x.kind === 'syn_ack_retransmit')!;
    expect(retransmit.detail).not.toMatch(/lost after the capture point/);
  });
  it('first SYN-ACK seen answers the retried SYN → no loss inferred (the first SYN may have been lost)', () => {
    const c = new Conv();
    c.client.syn({ at: 1, options: { hasTimestamps: true, tsVal: 1000, tsEcr: 0 } });
    c.client.syn({ at: 2, seq: c.client.nxt - 1, noAdvance: true, options: { hasTimestamps: true, tsVal: 2000, tsEcr: 0 } });
    c.server.synAck({ at: 2.00005, options: { hasTimestamps: true, tsVal: 500, tsEcr: 2000 } });
    c.client.ack({ at: 2.00009 });
    expect(kinds(c.report())).not.toContain('syn_ack_lost');
  });
  it('SYN-ACK never seen but the client acknowledges the server ISN + 1 → not captured, three_way', () => {
    const c = new Conv();
    c.client.syn();
    c.server.synAck({ feed: false });
    c.client.ack();
    const r = c.report();
    expect(r.handshake.kind).toBe('three_way');
    const e = r.events.find((x) => x.kind === 'segment_not_captured')!;
    expect(e.by).toBe('server');
    expect(e.detail).toMatch(/SYN-ACK not captured/);
    expect(r.states.server[0]).toMatchObject({ state: 'SYN_RECEIVED', how: 'inferred' });
  });
  it('a SYN-ACK seen before its SYN → reordered, still three_way', () => {
    const c = new Conv();
    const syn = c.client.syn({ feed: false, at: 1 });
    c.server.synAck({ at: 1.001 });
    c.feed(syn);
    c.client.ack({ at: 1.002 });
    const r = c.report();
    expect(r.roles.decidedBy).toBe('syn_ack');
    expect(r.client.port).toBe(40000);
    expect(r.handshake.kind).toBe('three_way');
    expect(kinds(r)).toContain('reordered');
    expect(r.handshake.synRetransmits).toBe(0);
  });
});

describe('data not captured', () => {
  it('bytes acknowledged but never seen → segment_not_captured once per gap', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(100);
    c.client.data(100, { feed: false });
    c.client.data(100);
    c.server.ack();
    c.server.ack({ dt: 0.01 });
    const r = c.report();
    const ev = r.events.filter((e) => e.kind === 'segment_not_captured');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.by).toBe('client');
    expect(ev[0]!.detail).toMatch(/100 bytes/);
  });
  it('a gap later filled (out of order) is not reported', () => {
    const c = new Conv();
    c.handshake();
    const late = c.client.data(100, { feed: false });
    c.client.data(100);
    c.feed(late);
    c.server.ack();
    const r = c.report();
    expect(kinds(r)).not.toContain('segment_not_captured');
    expect(r.stats.client.retransmits).toBe(0);
  });
  it('the peer acknowledges beyond anything captured (tail loss in the capture)', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(100);
    c.client.data(250, { feed: false });
    c.server.ack();
    const e = c.report().events.find((x) => x.kind === 'segment_not_captured')!;
    expect(e.detail).toMatch(/250 bytes/);
  });
});

describe('frames named in details of a merged run', () => {
  it('say which file, since frame numbers restart in each', () => {
    const c = new Conv({ multiFile: true });
    c.handshake();
    c.client.fin();
    c.server.fin();
    const ack = c.client.ack({ feed: false });
    ack.fileIndex = 0;
    c.feed(ack);
    // The rotated capture goes on in a second file, whose frames count from 1 again.
    const again = c.server.fin({ seq: c.server.nxt - 1, noAdvance: true, dt: 0.2, feed: false });
    again.fileIndex = 1;
    again.frame = 1;
    c.feed(again);
    const e = c.report().events.find((x) => x.kind === 'final_ack_lost')!;
    expect(e.file).toBe(1);
    expect(e.detail).toBe(`the final ACK (frame ${ack.frame} of file 1) was seen, then the server retransmitted its FIN: the ACK was lost after the capture point`);
  });
});

describe('anomalies', () => {
  it('null flags, SYN+FIN, SYN+RST, FIN without ACK are named and do not move states', () => {
    const c = new Conv();
    c.handshake();
    c.client.send(0, { noAdvance: true });
    c.client.send(F.SYN | F.FIN, { noAdvance: true });
    c.client.send(F.SYN | F.RST, { noAdvance: true });
    c.client.send(F.FIN, { noAdvance: true });
    expect(c.states()).toEqual({ client: 'ESTABLISHED', server: 'ESTABLISHED' });
    const k = kinds(c.report());
    for (const x of ['null_flags', 'syn_fin', 'syn_rst', 'fin_without_ack'] as const) expect(k).toContain(x);
  });
  it('bad checksum: noted once per direction, the segment is still used', () => {
    const c = new Conv();
    c.client.syn({ checksumOk: false });
    c.server.synAck({ checksumOk: false });
    c.client.ack({ checksumOk: false });
    const r = c.report();
    expect(r.handshake.kind).toBe('three_way');
    expect(kinds(r).filter((k) => k === 'bad_checksum')).toHaveLength(2);
  });
  it('malformed options noted once', () => {
    const c = new Conv();
    c.client.syn({ options: { malformed: true } });
    c.client.syn({ options: { malformed: true } });
    expect(kinds(c.report()).filter((k) => k === 'malformed_options')).toHaveLength(1);
  });
  it('SYN with data (TCP Fast Open) → syn_with_data, tfo negotiated', () => {
    const c = new Conv();
    c.client.syn({ len: 100, options: { tfoCookieLength: 8 } });
    c.server.synAck({ ack: 1101 });
    c.client.ack();
    const r = c.report();
    expect(kinds(r)).toContain('syn_with_data');
    expect(r.handshake.options.client!.tfo).toBe('data');
    expect(r.handshake.options.server!.tfo).toBe('data');
    expect(r.handshake.kind).toBe('three_way');
  });
  it('a segment timestamped before the previous one → reordered', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(10, { at: c.time + 1 });
    c.server.ack({ at: c.time - 0.5 });
    expect(kinds(c.report())).toContain('reordered');
  });
  it('never throws on nonsense sequence numbers', () => {
    const c = new Conv();
    for (let i = 0; i < 200; i++) {
      const flags = (i * 37) & 0x1ff;
      c.client.send(flags, { seq: (i * 2654435761) >>> 0, ack: (i * 40503) >>> 0, len: i % 3, noAdvance: true });
      c.server.send((flags * 7) & 0x1ff, { seq: (i * 97) >>> 0, ack: (i * 1299709) >>> 0, noAdvance: true });
    }
    expect(() => c.finish()).not.toThrow();
  });
});

describe('negotiated options and timing', () => {
  it('MSS, window scale, SACK, timestamps, ECN (RFC 3168) each way', () => {
    const c = new Conv();
    c.client.syn({ flags: F.SYN | F.ECE | F.CWR, options: { mss: 1460, windowScale: 7, sackPermitted: true, hasTimestamps: true } });
    c.server.synAck({ flags: F.SYN | F.ACK | F.ECE, options: { mss: 1400, windowScale: 9 } });
    c.client.ack();
    const o = c.report().handshake.options;
    expect(o.client).toEqual({ mss: 1460, windowScale: 7, sackPermitted: true, timestamps: true, ecn: 'ecn', tfo: 'none' });
    expect(o.server).toEqual({ mss: 1400, windowScale: 9, sackPermitted: false, timestamps: false, ecn: 'ecn', tfo: 'none' });
  });
  it('AccECN: SYN with AE+CWR+ECE, SYN-ACK answering with CWR', () => {
    const c = new Conv();
    c.client.syn({ flags: F.SYN | F.AE | F.ECE | F.CWR });
    c.server.synAck({ flags: F.SYN | F.ACK | F.CWR });
    c.client.ack();
    const o = c.report().handshake.options;
    expect(o.client!.ecn).toBe('accecn');
    expect(o.server!.ecn).toBe('accecn');
  });
  it('capture next to the client: SYN→SYN-ACK long, SYN-ACK→ACK tiny', () => {
    const c = new Conv();
    c.client.syn({ at: 10 });
    c.server.synAck({ at: 10.08 });
    c.client.ack({ at: 10.08005 });
    const h = c.report().handshake;
    expect(h.rtt.synToSynAck).toBeCloseTo(0.08, 6);
    expect(h.rtt.synAckToAck).toBeCloseTo(0.00005, 6);
    expect(h.capturePoint).toBe('client_side');
  });
  it('capture next to the server', () => {
    const c = new Conv();
    c.client.syn({ at: 10 });
    c.server.synAck({ at: 10.00002 });
    c.client.ack({ at: 10.09 });
    expect(c.report().handshake.capturePoint).toBe('server_side');
  });
});

describe('sequence wrap across 2^32', () => {
  it('a whole connection whose sequence numbers wrap is tracked normally', () => {
    const c = new Conv({ clientIsn: 0xffffff00, serverIsn: 0xfffffff0 });
    c.handshake();
    c.client.data(200);
    c.server.ack();
    c.server.data(100);
    c.client.ack();
    c.client.data(200);
    c.server.ack();
    c.client.fin();
    c.server.fin();
    c.client.ack();
    const r = c.report();
    expect(c.client.nxt).toBeLessThan(0x1000);
    expect(r.close).toMatchObject({ kind: 'three_way', finalAckSeen: true });
    expect(r.stats.client.retransmits).toBe(0);
    expect(r.stats.server.retransmits).toBe(0);
    expect(kinds(r)).not.toContain('segment_not_captured');
    expect(kinds(r)).not.toContain('keepalive');
  });
  it('FIN exactly at 2^32 − 1: its ACK is 0', () => {
    const c = new Conv({ clientIsn: 0xfffffffe });
    c.handshake(); // client next = 0xffffffff
    c.client.fin();
    expect(c.client.nxt).toBe(0);
    c.server.ack({ ack: 0 });
    expect(c.states().client).toBe('FIN_WAIT_2');
  });
});

describe('segment records', () => {
  it('records ladder rows with relative numbers, marks and states', () => {
    const c = new Conv({ recordSegments: true });
    c.handshake();
    const d = c.client.data(10);
    c.client.data(10, { seq: d.seq });
    const r = c.report();
    expect(r.segments).toHaveLength(5);
    expect(r.segments![0]).toMatchObject({ frame: 1, from: 'client', flags: 'SYN', relSeq: 0, relAck: null, clientState: 'SYN_SENT' });
    expect(r.segments![1]).toMatchObject({ from: 'server', flags: 'SYN, ACK', relSeq: 0, relAck: 1, serverState: 'SYN_RECEIVED' });
    expect(r.segments![4]!.marks).toEqual(['retransmission']);
  });
  it('caps recorded rows: first half, last half, elided middle counted', () => {
    const c = new Conv({ recordSegments: (id) => id === 1, maxRecordedSegments: 10 });
    c.handshake();
    for (let i = 0; i < 20; i++) c.client.data(1);
    const r = c.report();
    expect(r.segments).toHaveLength(10);
    expect(r.elidedSegments).toBe(13);
    expect(r.segments!.map((s) => s.frame)).toEqual([1, 2, 3, 4, 5, 19, 20, 21, 22, 23]);
  });
});
