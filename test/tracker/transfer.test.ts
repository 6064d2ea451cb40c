/**
 * Transfer facts (tracker/transfer.ts): the real-stack samples, checked against what tshark and
 * tcptrace say of them, then the rules one by one on built segments.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import type { ConnectionReport } from '../../src/model/report.js';
import { RTT_BINS, rttBin } from '../../src/tracker/transfer.js';
import { Conv, kinds } from './fixture.js';

/** The fixture's clock starts here (absolute capture seconds). */
const T = 1_700_000_000;

async function only(file: string): Promise<ConnectionReport> {
  const r = await analyze([file]);
  expect(r.connections).toHaveLength(1);
  return r.connections[0]!;
}

describe('real-stack samples (figures from tshark -z / tcptrace -l on the same files)', () => {
  it('lossy upload, client side: one fast retransmission, two duplicate ACKs, tcptrace throughput', async () => {
    const c = await only('samples/lossy-transfer-client-side.pcap');
    expect(c.stats.client.retransmits).toBe(1);
    expect(c.stats.client.retransmittedBytes).toBe(1448);
    expect(c.stats.client.outOfOrder).toBe(0);
    expect(c.stats.server.dupAcks).toBe(2);
    expect(c.stats.client.dupAcks).toBe(0);
    // tcptrace: 65536 unique bytes / 0.017067 s = 3839925 B/s; 100 / 0.017067 = 5859 B/s.
    expect(Math.round(c.stats.client.throughput!)).toBe(3839925);
    expect(Math.round(c.stats.server.throughput!)).toBe(5859);
    // capinfos: 70424 + 1782 bytes of frames in all.
    expect(c.stats.client.wireBytes + c.stats.server.wireBytes).toBe(72206);
    expect(c.stats.client.rtt!.samples).toBeGreaterThan(10);
  });
  it('lossy upload, server side: the lost segment arrives once, late: out of order, not a retransmission', async () => {
    const c = await only('samples/lossy-transfer-server-side.pcap');
    expect(c.stats.client.retransmits).toBe(0);
    expect(c.stats.client.outOfOrder).toBe(1);
    expect(c.stats.client.bytes).toBe(65536);
    expect(c.stats.server.dupAcks).toBe(2);
  });
  it('zero-window stall: one episode of 1.818123 s, three probes that are not keep-alives', async () => {
    const c = await only('samples/zero-window.pcap');
    expect(c.stats.server.zeroWindow).toEqual({ episodes: 1, seconds: 1.818123, shutAtEnd: false });
    expect(c.stats.client.zeroWindowProbes).toBe(3);
    expect(kinds(c)).not.toContain('keepalive');
    expect(c.stats.client.retransmits).toBe(2);
    expect(c.stats.client.retransmittedBytes).toBe(2896);
    // tcptrace -l: 13 RTT samples, max 47.9 ms.
    expect(c.stats.client.rtt!.samples).toBe(13);
    expect(c.stats.client.rtt!.max).toBeCloseTo(0.0479, 3);
  });
  it('keep-alive sample: probes of an open window are still keep-alives, not zero-window probes', async () => {
    const c = await only('samples/keepalive.pcap');
    expect(kinds(c).filter((k) => k === 'keepalive')).toHaveLength(3);
    expect(c.stats.client.zeroWindowProbes).toBe(0);
  });
});

describe('duplicate ACKs (RFC 5681 §2)', () => {
  it('the same ACK and window again, with data outstanding, counts; the first does not', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(1000);
    c.client.data(1000, { seq: c.client.nxt + 1000, noAdvance: true }); // one segment missing before it
    c.server.ack({ ack: 1001 + 1000 });
    c.server.ack({ ack: 1001 + 1000 });
    c.server.ack({ ack: 1001 + 1000 });
    const r = c.report();
    expect(r.stats.server.dupAcks).toBe(2);
  });
  it('a window update (same ACK, new window) is no duplicate; nor an ACK with nothing outstanding', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(100);
    c.server.ack({ window: 1000 });
    c.server.ack({ window: 2000 });
    c.server.ack({ window: 2000 });
    expect(c.report().stats.server.dupAcks).toBe(0);
  });
});

describe('zero window', () => {
  it('an episode lasts from the first zero window to the first window above zero', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(1000, { at: T + 10 });
    c.server.ack({ at: T + 10.001, window: 0 });
    c.server.ack({ at: T + 10.5, window: 0 });
    c.server.ack({ at: T + 12.25, window: 4000 });
    c.client.data(1000, { at: T + 12.26 });
    c.server.ack({ at: T + 12.3, window: 0 });
    const r = c.report();
    expect(r.stats.server.zeroWindow.episodes).toBe(2);
    expect(r.stats.server.zeroWindow.shutAtEnd).toBe(true);
    // 2.249 s for the first; the second is still shut at the connection's last segment (12.3).
    expect(r.stats.server.zeroWindow.seconds).toBeCloseTo(2.249, 6);
  });
  it('seq = SND.NXT − 1 into a shut window is a zero-window probe, not a keep-alive', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(1000);
    c.server.ack({ window: 0 });
    c.client.ack({ seq: c.client.nxt - 1, noAdvance: true, dt: 0.2 });
    c.client.ack({ seq: c.client.nxt - 1, noAdvance: true, dt: 0.4 });
    c.server.ack({ window: 0 });
    c.server.ack({ window: 8000, dt: 1 });
    // The window is open again: the same segment now is a keep-alive.
    c.client.ack({ seq: c.client.nxt - 1, noAdvance: true, dt: 2 });
    const r = c.report();
    expect(r.stats.client.zeroWindowProbes).toBe(2);
    expect(kinds(r).filter((k) => k === 'keepalive')).toHaveLength(1);
  });
  it('one new byte at SND.NXT into a shut window is a probe too (the form Wireshark names)', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(1000);
    c.server.ack({ window: 0 });
    c.client.data(1, { dt: 0.2 });
    const r = c.report();
    expect(r.stats.client.zeroWindowProbes).toBe(1);
    expect(r.stats.client.retransmits).toBe(0);
  });
});

describe('RTT of data (one segment timed at a time, Karn)', () => {
  it('a segment to the ACK covering it: one sample per timed segment', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(100, { at: T + 5 });
    c.server.ack({ at: T + 5.02 });
    c.client.data(100, { at: T + 6 });
    c.server.ack({ at: T + 6.04 });
    c.client.data(100, { at: T + 7 });
    c.server.ack({ at: T + 7.03 });
    const rtt = c.report().stats.client.rtt!;
    expect(rtt.samples).toBe(3);
    expect(rtt.min).toBeCloseTo(0.02, 6);
    expect(rtt.max).toBeCloseTo(0.04, 6);
    // Within a factor 1.155 of the exact median (0.03).
    expect(rtt.median / 0.03).toBeGreaterThan(1 / 1.155);
    expect(rtt.median / 0.03).toBeLessThan(1.155);
  });
  it('no sample from a timed segment that was sent again (Karn\'s rule)', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(100, { at: T + 5 });
    c.client.data(100, { at: T + 5.3, seq: c.client.nxt - 100, noAdvance: true });
    c.server.ack({ at: T + 5.31 });
    const r = c.report();
    expect(r.stats.client.rtt).toBeNull();
    expect(r.stats.client.retransmittedBytes).toBe(100);
  });
  it('a segment that only partly repeats old data counts only the repeated bytes', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(100);
    c.client.data(150, { seq: c.client.nxt - 100 });
    expect(c.report().stats.client.retransmittedBytes).toBe(100);
  });
  it('histogram bins: 1/8 decade from 10 µs, the ends catching the rest', () => {
    expect(rttBin(0)).toBe(0);
    expect(rttBin(1e-6)).toBe(0);
    expect(rttBin(1.0001e-5)).toBe(0);
    expect(rttBin(1e-4 * 1.0001)).toBe(8);
    expect(rttBin(1)).toBe(40);
    expect(rttBin(1e6)).toBe(RTT_BINS - 1);
  });
  it('the median of many samples stays within a factor 1.155', () => {
    const c = new Conv();
    c.handshake();
    let t = 10;
    // 1001 samples spread log-uniformly between 1 ms and 100 ms: exact median 10 ms.
    for (let i = 0; i <= 1000; i++) {
      const rtt = 0.001 * 100 ** (i / 1000);
      c.client.data(10, { at: T + t });
      c.server.ack({ at: T + t + rtt });
      t += 1;
    }
    const rtt = c.report().stats.client.rtt!;
    expect(rtt.samples).toBe(1001);
    expect(rtt.median / 0.01).toBeGreaterThan(1 / 1.155);
    expect(rtt.median / 0.01).toBeLessThan(1.155);
  });
});

describe('throughput', () => {
  it('new payload bytes over the connection duration; null for a connection of one instant', () => {
    const c = new Conv();
    c.client.syn({ at: T + 1 });
    c.server.synAck({ at: T + 1.5 });
    c.client.ack({ at: T + 2 });
    c.client.data(1000, { at: T + 2 });
    c.client.data(1000, { at: T + 2.5, seq: c.client.nxt - 1000, noAdvance: true });
    c.server.ack({ at: T + 3 });
    const r = c.report();
    expect(r.stats.client.throughput).toBe(500);
    const one = new Conv();
    one.client.syn({ at: T + 1 });
    expect(one.report().stats.client.throughput).toBeNull();
  });
});
