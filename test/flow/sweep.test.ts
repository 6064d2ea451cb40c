/**
 * The sweep's shortcuts change nothing but its cost: a quiet connection is asked once when it can
 * be over (overFrom), not at every sweep, and whether it is over (overAt) only from then on; one
 * that cannot be over without another segment (open, half-closed) is never asked again; its next
 * segment makes it a candidate again; the idle rule still applies to it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLOSED_GRACE } from '../../src/flow/manager.js';
import { ConnectionTracker } from '../../src/tracker/connection.js';
import { Conv } from '../tracker/fixture.js';

/** Counts calls of a ConnectionTracker method per tracker id. */
function countCalls(method: 'overAt' | 'overFrom'): Map<number, number> {
  const calls = new Map<number, number>();
  const original = ConnectionTracker.prototype[method] as (this: ConnectionTracker, ...args: unknown[]) => unknown;
  vi.spyOn(ConnectionTracker.prototype, method).mockImplementation(function (this: ConnectionTracker, ...args: unknown[]) {
    calls.set(this.id, (calls.get(this.id) ?? 0) + 1);
    return original.apply(this, args) as never;
  });
  return calls;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sweep', () => {
  it('asks an open, quiet connection once, not at every sweep, and reports it at the end', () => {
    const overAt = countCalls('overAt');
    const overFrom = countCalls('overFrom');
    const c = new Conv({ start: 0 });
    c.handshake();
    c.client.data(100);
    for (let t = 1; t <= 40; t += 0.5) c.tick(t);
    // Once to find it cannot be over without a segment: then left alone.
    expect(overFrom.get(1)).toBe(1);
    expect(overAt.get(1) ?? 0).toBe(0);
    expect(c.reports.filter((r) => r.id === 1)).toHaveLength(0);
    const r = c.finish().find((x) => x.id === 1)!;
    expect(r.close.kind).toBe('open');
  });

  it('asks a closed connection whether it is over only once its grace can have passed', () => {
    const overAt = countCalls('overAt');
    const overFrom = countCalls('overFrom');
    const c = new Conv({ start: 0 });
    c.handshake();
    c.client.fin();
    c.server.fin();
    c.client.ack();
    const closedAt = c.time;
    for (let t = 0.25; t < closedAt + CLOSED_GRACE - 0.01; t += 0.25) c.tick(t);
    expect(overFrom.get(1)).toBe(1);
    expect(overAt.get(1) ?? 0).toBe(0);
    expect(c.reports.filter((r) => r.id === 1)).toHaveLength(0);
    c.tick(closedAt + CLOSED_GRACE + 0.25);
    expect(overAt.get(1)).toBe(1);
    expect(c.reports.find((x) => x.id === 1)!.close.kind).toBe('three_way');
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
