/**
 * When finished connections are reported (the graces), and what stays of them afterwards (the
 * TIME_WAIT tombstone), with the default MSL of 30 s: closed ones after CLOSED_GRACE of quiet, reset
 * ones after RESET_GRACE, unanswered SYNs once their sender has stopped retrying.
 */
import { describe, expect, it } from 'vitest';
import { CLOSED_GRACE, RESET_GRACE } from '../../src/flow/manager.js';
import { SYN_FIRST_RETRY_MAX, SYN_RETRY_SLACK } from '../../src/tracker/connection.js';
import { Conv, kinds } from '../tracker/fixture.js';

function closedAt0(): Conv {
  const c = new Conv({ start: 0 });
  c.handshake();
  c.client.data(100);
  c.client.fin();
  c.server.fin();
  c.client.ack();
  return c;
}

describe('linger and TIME_WAIT tombstone', () => {
  it('a closed connection is reported once quiet for the grace, still in TIME_WAIT, and leaves a tombstone', () => {
    expect(CLOSED_GRACE).toBe(3);
    const c = closedAt0();
    c.tick(CLOSED_GRACE - 0.5);
    expect(c.reports).toHaveLength(0);
    expect(c.manager.liveCount).toBe(2);
    c.tick(CLOSED_GRACE + 1);
    expect(c.reports.map((r) => r.id)).toEqual([1]);
    expect(c.reports[0]!.finalState).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
    expect(c.manager.tombstoneCount).toBe(1);
    expect(c.manager.liveCount).toBe(1); // the clock's own SYN
    // The tombstone goes once 2×MSL has passed since TIME_WAIT began.
    c.tick(61);
    expect(c.manager.tombstoneCount).toBe(0);
  });

  it('a new SYN on the tuple after the report, within TIME_WAIT, is still time_wait_reuse', () => {
    const c = closedAt0();
    c.tick(20);
    expect(c.reports).toHaveLength(1);
    c.client.isn = 50_000;
    c.client.nxt = 50_000;
    c.client.syn({ at: 25 });
    c.server.synAck();
    c.client.ack();
    const rs = c.finish();
    expect(rs.map((r) => r.id)).toEqual([1, 2, 3]);
    const reuse = rs.find((r) => r.client.port === 40000 && r.id !== 1)!;
    const e = reuse.events.find((x) => x.kind === 'time_wait_reuse')!;
    expect(e.by).toBe('client');
    expect(e.detail).toMatch(/^10\.0\.0\.1:40000 \(the old connection 1's client\) held TIME_WAIT for 24\.99\d* s of 60 s; new ISN 50000 is above/);
    expect(reuse.handshake.kind).toBe('three_way');
    expect(reuse.displayFilter).toMatch(/frame\.number>=\d+ && frame\.number<=\d+$/);
  });

  it('after TIME_WAIT is over the tuple is free: a new SYN is a plain new connection', () => {
    const c = closedAt0();
    c.tick(70);
    c.client.isn = 50_000;
    c.client.nxt = 50_000;
    c.client.syn({ at: 71 });
    const rs = c.finish();
    expect(kinds(rs.find((r) => r.id === 3)!)).not.toContain('time_wait_reuse');
  });

  it('a late segment (not a SYN) after the report starts a new connection rather than vanishing', () => {
    const c = closedAt0();
    c.tick(20);
    c.server.rstAck({ at: 22 });
    const rs = c.finish();
    const late = rs.find((r) => r.id === 3)!;
    expect(late.handshake.kind).toBe('not_captured');
    expect(late.close.kind).toBe('reset');
    expect(c.manager.tombstoneCount).toBe(0);
  });

  it('a retransmitted FIN within the grace still belongs to the connection (final ACK lost)', () => {
    const c = new Conv({ start: 0 });
    c.handshake();
    c.client.fin();
    const f = c.server.fin();
    c.client.ack();
    c.server.fin({ seq: f.seq, at: CLOSED_GRACE - 0.1 });
    c.client.ack({ at: CLOSED_GRACE - 0.099 });
    c.tick(2 * CLOSED_GRACE + 1);
    expect(c.reports).toHaveLength(1);
    const rs = c.finish();
    expect(rs).toHaveLength(2);
    expect(rs[0]!.close.finalAckLost).toBe(true);
  });

  it('a FIN retransmitted after the grace is reported as a new connection, not dropped', () => {
    const c = new Conv({ start: 0 });
    c.handshake();
    c.client.fin();
    const f = c.server.fin();
    c.client.ack();
    c.tick(CLOSED_GRACE + 1);
    c.server.fin({ seq: f.seq, at: CLOSED_GRACE + 1.5 });
    const rs = c.finish();
    expect(rs.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(rs[0]!.close.kind).toBe('three_way');
    expect(rs[0]!.close.finalAckLost).toBe(false);
    expect(rs[2]!.handshake.kind).toBe('not_captured');
    expect(rs[2]!.firstFrame).toBe(rs[2]!.lastFrame);
  });

  it('a reset connection is reported once quiet for the reset grace; segments within it still belong to it', () => {
    expect(RESET_GRACE).toBeLessThanOrEqual(CLOSED_GRACE);
    const c = new Conv({ start: 0 });
    c.handshake();
    c.client.data(100);
    c.server.rstAck({ at: 1 });
    c.client.data(50, { at: 1 + RESET_GRACE - 0.2 });
    c.tick(1 + 2 * RESET_GRACE - 0.3);
    expect(c.reports).toHaveLength(0);
    c.tick(1 + 2 * RESET_GRACE + 0.5);
    expect(c.reports.map((r) => r.id)).toEqual([1]);
    expect(c.reports[0]!.close.kind).toBe('reset');
    expect(kinds(c.reports[0]!)).toContain('data_after_rst');
    // No end in TIME_WAIT: nothing stays of it.
    expect(c.manager.tombstoneCount).toBe(0);
  });
});

describe('unanswered SYNs are reported once their sender has stopped retrying', () => {
  it('a single SYN: after the longest first-retry wait and the slack', () => {
    const c = new Conv({ start: 0 });
    c.client.syn();
    const over = SYN_FIRST_RETRY_MAX + SYN_RETRY_SLACK;
    c.tick(over - 0.1);
    expect(c.reports).toHaveLength(0);
    c.tick(over + 0.5);
    expect(c.reports.map((r) => [r.id, r.handshake.kind])).toEqual([[1, 'unanswered']]);
  });

  it('Linux backoff (retries at 1, 3, 7, 15 s): one connection, reported after twice the last interval', () => {
    const c = new Conv({ start: 0 });
    const first = c.client.syn({ at: 0 });
    for (const at of [1, 3, 7, 15]) {
      c.client.syn({ seq: first.seq, at });
      // Just before the next retry is due, nothing was reported.
      expect(c.reports).toHaveLength(0);
    }
    // The next retry would come at 31 s; the attempt is over after 15 + 2×8 + slack.
    c.tick(15 + 16 + SYN_RETRY_SLACK - 0.1);
    expect(c.reports).toHaveLength(0);
    c.tick(15 + 16 + SYN_RETRY_SLACK + 0.5);
    expect(c.reports).toHaveLength(1);
    const r = c.reports[0]!;
    expect(r.handshake.kind).toBe('unanswered');
    expect(r.handshake.synRetransmits).toBe(4);
    expect(r.handshake.rtt.synBackoff).toEqual([1, 2, 4, 8]);
  });

  it('duplicate SYNs a few microseconds apart do not shorten the wait for a retry', () => {
    const c = new Conv({ start: 0 });
    const first = c.client.syn({ at: 0 });
    c.client.syn({ seq: first.seq, at: 0.00002 });
    c.client.syn({ seq: first.seq, at: SYN_FIRST_RETRY_MAX - 0.01 });
    const rs = c.finish();
    expect(rs).toHaveLength(1);
    expect(rs[0]!.handshake.synRetransmits).toBe(2);
  });

  it('never held longer than 4×MSL of quiet', () => {
    const c = new Conv({ start: 0, msl: 0.5 });
    c.client.syn();
    c.tick(2.5);
    expect(c.reports.map((r) => r.handshake.kind)).toEqual(['unanswered']);
  });
});

describe('what is held follows the connections in progress', () => {
  it('thousands of closes over two minutes: live trackers about rate × grace, tombstones rate × 2×MSL', () => {
    const c = new Conv({ start: 0 });
    let maxLive = 0;
    // 20 connections a second for 120 s, each closed at once; client ports cycle over 60000.
    for (let i = 0; i < 2400; i++) {
      const t = i / 20;
      (c.client as { port: number }).port = 10_000 + i;
      c.client.isn = 1000 + i;
      c.client.nxt = 1000 + i;
      c.client.syn({ at: t });
      c.server.synAck();
      c.client.ack();
      c.client.fin();
      c.server.fin();
      c.client.ack();
      maxLive = Math.max(maxLive, c.manager.liveCount);
    }
    expect(maxLive).toBeLessThanOrEqual(20 * (CLOSED_GRACE + 1));
    // TIME_WAIT lasts 60 s: about 20 × 60 tombstones once the run is past a minute.
    expect(c.manager.tombstoneCount).toBeGreaterThan(20 * (60 - CLOSED_GRACE - 2));
    expect(c.manager.tombstoneCount).toBeLessThanOrEqual(20 * 60 + 20);
    const rs = c.finish();
    expect(rs).toHaveLength(2400);
    expect(new Set(rs.map((r) => r.close.kind))).toEqual(new Set(['three_way']));
  });
});
