/**
 * The sweep's shortcuts change nothing but its cost: a quiet connection that cannot be over without
 * another segment (open, half-closed) is asked once, not at every sweep; its next segment makes it
 * a candidate again; the idle rule still applies to it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLOSED_GRACE } from '../../src/flow/manager.js';
import { ConnectionTracker } from '../../src/tracker/connection.js';
import { Conv } from '../tracker/fixture.js';

/** Counts overAt() calls per tracker id. */
function countOverAt(): Map<number, number> {
  const calls = new Map<number, number>();
  const original = ConnectionTracker.prototype.overAt;
  vi.spyOn(ConnectionTracker.prototype, 'overAt').mockImplementation(function (this: ConnectionTracker, ...args) {
    calls.set(this.id, (calls.get(this.id) ?? 0) + 1);
    return original.apply(this, args);
  });
  return calls;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sweep', () => {
  it('asks an open, quiet connection once, not at every sweep, and reports it at the end', () => {
    const calls = countOverAt();
    const c = new Conv({ start: 0 });
    c.handshake();
    c.client.data(100);
    for (let t = 1; t <= 40; t += 0.5) c.tick(t);
    // Once to find it not over, once to find it cannot be over without a segment: then left alone.
    expect(calls.get(1)).toBeLessThanOrEqual(2);
    expect(c.reports.filter((r) => r.id === 1)).toHaveLength(0);
    const r = c.finish().find((x) => x.id === 1)!;
    expect(r.close.kind).toBe('open');
  });

  it('a dormant connection that closes later is reported after the closed grace, as any other', () => {
    const c = new Conv({ start: 0 });
    c.handshake();
    c.client.data(100);
    for (let t = 1; t <= 20; t += 0.5) c.tick(t);
    expect(c.reports.filter((r) => r.id === 1)).toHaveLength(0);
    c.time = 20.1;
    c.client.fin();
    c.server.fin();
    c.client.ack();
    c.tick(20.2 + CLOSED_GRACE - 0.5);
    expect(c.reports.filter((r) => r.id === 1)).toHaveLength(0);
    c.tick(20.2 + CLOSED_GRACE + 0.5);
    const r = c.reports.find((x) => x.id === 1)!;
    expect(r.close.kind).toBe('three_way');
    expect(r.finalState).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
  });

  it('the idle rule still expires a dormant connection', () => {
    const c = new Conv({ start: 0, idleTimeout: 10 });
    c.handshake();
    c.client.data(100);
    for (let t = 1; t <= 9; t += 0.5) c.tick(t);
    expect(c.reports.filter((r) => r.id === 1)).toHaveLength(0);
    for (let t = 9.5; t <= 12; t += 0.5) c.tick(t);
    const r = c.reports.find((x) => x.id === 1)!;
    expect(r.idleExpired).toBe(true);
    expect(r.events.map((e) => e.kind)).toContain('idle_timeout');
  });
});
