/**
 * When closed connections are reported (the linger), and what stays of them afterwards (the
 * TIME_WAIT tombstone), with the default MSL of 30 s: linger min(2×MSL, 10 s).
 */
import { describe, expect, it } from 'vitest';
import { TERMINAL_LINGER } from '../../src/flow/manager.js';
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
  it('a closed connection is reported once quiet for the linger, still in TIME_WAIT, and leaves a tombstone', () => {
    expect(TERMINAL_LINGER).toBe(10);
    const c = closedAt0();
    c.tick(TERMINAL_LINGER - 1);
    expect(c.reports).toHaveLength(0);
    c.tick(TERMINAL_LINGER + 2);
    expect(c.reports.map((r) => r.id)).toEqual([1]);
    expect(c.reports[0]!.finalState).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
    expect(c.manager.tombstoneCount).toBe(1);
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

  it('a retransmitted FIN within the linger still belongs to the connection (final ACK lost)', () => {
    const c = new Conv({ start: 0 });
    c.handshake();
    c.client.fin();
    const f = c.server.fin();
    c.client.ack();
    c.server.fin({ seq: f.seq, at: 3 });
    c.client.ack({ at: 3.001 });
    const rs = c.finish();
    expect(rs).toHaveLength(1);
    expect(rs[0]!.close.finalAckLost).toBe(true);
  });
});
