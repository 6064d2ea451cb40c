/**
 * Connections split where a default Zeek run splits them (`zeekCompat`): Zeek's reuse rule and its
 * timers (tracker/zeek-timers.ts), by capture time, each timer firing before the packet that reaches
 * its time is looked up. Each case is one conn.log situation; the corpus test checks them against
 * Zeek's own baselines.
 */
import { describe, expect, it } from 'vitest';
import { ZEEK_TCP_TIMERS } from '../../src/tracker/zeek-timers.js';
import { Conv } from '../tracker/fixture.js';

const zeekRows = (c: Conv) => c.finish().map((r) => `${r.zeek.connState} ${r.zeek.history || '-'}`);

describe('Zeek boundaries (zeekCompat)', () => {
  it('timer constants are those of scripts/base/init-bare.zeek', () => {
    expect(ZEEK_TCP_TIMERS).toEqual({
      synTimeout: 5,
      sessionTimer: 6,
      connectionLinger: 5,
      attemptDelay: 5,
      closeDelay: 5,
      inactivityTimeout: 300,
    });
  });

  it('an attempt the responder never answers ends 5 s after the SYN: the rest of the 4-tuple is a second connection (S0, then SH)', () => {
    const c = new Conv({ start: 0, zeekCompat: true });
    c.client.syn({ at: 0 });
    c.client.ack({ at: 1 });
    c.client.data(10, { at: 4.9 });
    c.client.data(10, { at: 5.1 });
    c.client.fin({ at: 6 });
    expect(zeekRows(c)).toEqual(['S0 SAD', 'SH DF']);
  });

  it('without zeekCompat the same packets are one connection', () => {
    const c = new Conv({ start: 0 });
    c.client.syn({ at: 0 });
    c.client.ack({ at: 1 });
    c.client.data(10, { at: 4.9 });
    c.client.data(10, { at: 5.1 });
    c.client.fin({ at: 6 });
    expect(zeekRows(c)).toEqual(['SH SADF']);
  });

  it('an answered attempt is not ended by the attempt timer', () => {
    const c = new Conv({ start: 0, zeekCompat: true });
    c.handshake();
    c.client.data(10, { at: 20 });
    c.server.ack({ at: 20.1 });
    expect(zeekRows(c)).toEqual(['S1 ShADa']);
  });

  it('a completed close is removed 5 s after its last packet, whatever comes meanwhile; a late RST is a connection of its own', () => {
    const c = new Conv({ start: 0, zeekCompat: true });
    c.handshake();
    c.client.fin({ at: 1 });
    c.server.fin({ at: 1.001 });
    c.client.ack({ at: 1.002 });
    c.server.ack({ at: 5 });
    c.server.rst({ at: 6.01 });
    // The lone RST comes from port 80, a likely server port: Zeek makes its receiver the originator.
    expect(zeekRows(c)).toEqual(['SF ShAFfa', 'RSTRH ^r']);
  });

  it('a RST ends the connection 5 s later (the close delay), not before', () => {
    const c = new Conv({ start: 0, zeekCompat: true, zeek: { likelyServerPorts: new Set() } });
    c.handshake();
    c.client.rst({ at: 1 });
    c.server.ack({ at: 5.9 });
    c.server.ack({ at: 6.1 });
    expect(zeekRows(c)).toEqual(['RSTO ShARa', 'OTH A']);
  });

  it('a second side closing moves the close delay to its own packet', () => {
    const c = new Conv({ start: 0, zeekCompat: true });
    c.handshake();
    c.client.rst({ at: 1 });
    c.server.rst({ at: 5.9 });
    c.server.rst({ at: 10.8, seq: c.server.nxt + 100 });
    expect(zeekRows(c)).toEqual(['REJ ShARrr']);
  });

  it('a close that leaves the peer open is checked after 6 s and removed after 5 s of quiet once both sides closed', () => {
    const c = new Conv({ start: 0, zeekCompat: true });
    c.handshake();
    c.client.fin({ at: 1 });
    c.server.ack({ at: 1.01 });
    // The server's FIN 30 s later still closes the same connection: one side closing alone removes
    // nothing while the other is established.
    c.server.fin({ at: 31 });
    c.client.ack({ at: 31.01 });
    expect(zeekRows(c)).toEqual(['SF ShAFaf']);
  });

  it('5 minutes of quiet end a connection (inactivity timeout); the next packet is a new, partial one', () => {
    const c = new Conv({ start: 0, zeekCompat: true });
    c.handshake();
    c.client.data(10, { at: 10 });
    c.client.data(10, { at: 10 + 300 });
    const rs = c.finish();
    expect(rs.map((r) => `${r.zeek.connState} ${r.zeek.history}`)).toEqual(['S1 ShAD', 'OTH D']);
    expect(rs[0]!.idleExpired).toBe(true);
  });

  it('idleTimeout stands for the inactivity timeout', () => {
    const c = new Conv({ start: 0, zeekCompat: true, idleTimeout: 60 });
    c.handshake();
    c.client.data(10, { at: 10 });
    c.client.data(10, { at: 69 });
    c.client.data(10, { at: 130 });
    expect(zeekRows(c)).toEqual(['S1 ShAD', 'OTH D']);
  });

  it("Zeek's reuse rule: a SYN after a close starts a new connection even with the same ISN", () => {
    const c = new Conv({ start: 0, zeekCompat: true });
    c.handshake();
    c.client.fin({ at: 0.1 });
    c.server.fin({ at: 0.11 });
    c.client.ack({ at: 0.12 });
    c.client.nxt = c.client.isn;
    c.client.syn({ at: 1 });
    expect(zeekRows(c)).toEqual(['SF ShAFf', 'S0 S']);
  });

  it('a retransmitted SYN (same ISN) of an open attempt stays in the connection', () => {
    const c = new Conv({ start: 0, zeekCompat: true });
    c.client.syn({ at: 0 });
    c.client.syn({ at: 1 });
    c.server.synAck({ at: 1.01 });
    c.client.ack({ at: 1.02 });
    expect(zeekRows(c)).toEqual(['S1 ShA']);
  });

  it('a wrong TCP checksum, left out of the analysis, still reaches the Zeek view and can start a connection', () => {
    const c = new Conv({ start: 0, zeekCompat: true, zeek: { ignoreChecksums: false } });
    const bad = c.client.syn({ at: 0, checksumOk: false, feed: false });
    c.manager.onUnverifiedSegment(bad);
    const rs = c.finish();
    expect(rs.map((r) => `${r.zeek.connState} ${r.zeek.history} ${r.stats.client.packets}`)).toEqual(['OTH C 0']);
  });

  it('without zeekCompat a segment left out of the analysis never starts a connection', () => {
    const c = new Conv({ start: 0, zeek: { ignoreChecksums: false } });
    c.manager.onUnverifiedSegment(c.client.syn({ at: 0, checksumOk: false, feed: false }));
    expect(c.finish()).toEqual([]);
  });
});
