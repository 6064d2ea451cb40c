/**
 * Imperfect vantage points: a capture that saw one direction only, a SYN-ACK whose SYN it missed, a
 * 4-tuple split after an unanswered SYN. The kernel-made one-direction samples (samples/one-way-*)
 * check the same on real traffic; these pin each inference down segment by segment.
 */
import { describe, expect, it } from 'vitest';
import { Conv, kinds, stateNames } from './fixture.js';
import { computeFindings } from '../../src/report/findings.js';
import type { ConnectionReport, Report } from '../../src/model/index.js';
import { settleTimeWait } from '../../src/tracker/time-wait.js';

function reportOf(connections: ConnectionReport[]): Report {
  return { schemaVersion: 1, captures: [], summary: { connections: connections.length, handshake: {}, close: {}, events: {} }, connections };
}

describe('only the server direction captured', () => {
  function serverOnly(): Conv {
    const c = new Conv();
    // The client's SYN, ACK, request and FIN are sent (its counters move) but not captured.
    c.client.syn({ feed: false });
    c.server.synAck();
    c.client.ack({ feed: false });
    c.client.data(485, { feed: false });
    c.server.ack();
    c.server.data(1200);
    return c;
  }

  it('the server acknowledging client data completes the handshake, the client ESTABLISHED inferred', () => {
    const c = serverOnly();
    const r = c.report();
    expect(r.handshake.kind).toBe('three_way');
    expect(r.handshake.rtt.synAckToAck).toBeNull();
    const client = r.states.client;
    expect(stateNames(client)).toEqual(['SYN_SENT', 'ESTABLISHED']);
    expect(client.every((s) => s.how === 'inferred')).toBe(true);
    expect(r.states.server.find((s) => s.state === 'ESTABLISHED')!.how).toBe('observed');
    const hc = r.events.find((e) => e.kind === 'handshake_complete')!;
    expect(hc.detail).toMatch(/inferred/);
  });

  it('says once that the client direction is missing, with no segment_not_captured per ACK', () => {
    const r = serverOnly().report();
    expect(kinds(r).filter((k) => k === 'direction_not_captured')).toHaveLength(1);
    expect(kinds(r)).not.toContain('segment_not_captured');
    const e = r.events.find((x) => x.kind === 'direction_not_captured')!;
    expect(e.by).toBe('client');
    // The server's first ACK of client data (frames 1, 3 and 4 were the client's, not captured).
    expect(e.frame).toBe(5);
    expect(e.detail).toMatch(/485 bytes/);
  });

  it('raises no half-open finding, one one_direction_only finding', () => {
    const r = serverOnly().report();
    const findings = computeFindings(reportOf([r]));
    expect(findings.map((f) => f.kind)).toEqual(['one_direction_only']);
    expect(findings[0]!.severity).toBe('info');
  });

  it('a server sending data after its SYN-ACK proves the ACK too (no Fast Open data on the SYN)', () => {
    const c = new Conv();
    c.client.syn({ feed: false });
    c.server.synAck();
    c.client.ack({ feed: false });
    c.server.data(100);
    const r = c.report();
    expect(r.handshake.kind).toBe('three_way');
    expect(r.finalState).toEqual({ client: 'ESTABLISHED', server: 'ESTABLISHED' });
  });

  it('a real client ACK seen later replaces the inference (RTT measured)', () => {
    const c = new Conv();
    c.client.syn();
    c.server.synAck();
    const ack = c.client.ack({ feed: false });
    c.client.data(10, { feed: false });
    c.server.ack();
    c.feed(ack);
    const r = c.report();
    expect(r.handshake.kind).toBe('three_way');
    expect(r.events.find((e) => e.kind === 'handshake_complete')!.detail).toMatch(/inferred/);
    expect(r.handshake.rtt.synAckToAck).not.toBeNull();
  });
});

describe('only the client direction captured', () => {
  it('the client ACKing an unseen SYN-ACK and data: three_way, server direction not captured, no CLOSE_WAIT finding', () => {
    const c = new Conv();
    c.client.syn();
    c.server.synAck({ feed: false });
    c.client.ack();
    c.client.data(100);
    c.server.data(300, { feed: false });
    c.client.ack();
    c.client.fin();
    c.server.fin({ feed: false });
    c.client.ack();
    const r = c.report();
    expect(r.handshake.kind).toBe('three_way');
    const e = r.events.filter((x) => x.kind === 'direction_not_captured');
    expect(e).toHaveLength(1);
    expect(e[0]!.by).toBe('server');
    expect(e[0]!.detail).toMatch(/SYN-ACK and 301 bytes/);
    expect(r.finalState.server).toBe('CLOSE_WAIT');
    expect(computeFindings(reportOf([r])).map((f) => f.kind)).toEqual(['one_direction_only']);
  });
});

describe('two-sided captures are not one-sided', () => {
  it('a plain connection has no direction_not_captured', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(10);
    c.server.data(10);
    expect(kinds(c.report())).not.toContain('direction_not_captured');
  });
  it('an unanswered SYN is not a missing direction', () => {
    const c = new Conv();
    c.client.syn();
    const r = c.report();
    expect(r.handshake.kind).toBe('unanswered');
    expect(kinds(r)).not.toContain('direction_not_captured');
  });
  it('data lost by the capture after the peer appeared is still segment_not_captured', () => {
    const c = new Conv();
    c.handshake();
    c.client.data(100, { feed: false });
    c.server.ack();
    expect(kinds(c.report())).toContain('segment_not_captured');
  });
});

describe('a stray SYN-ACK', () => {
  it('is syn_ack_only, not incomplete, and raises no half-open finding', () => {
    const c = new Conv();
    c.client.syn({ feed: false });
    c.server.synAck();
    const r = c.report();
    expect(r.handshake.kind).toBe('syn_ack_only');
    expect(r.close.kind).toBe('not_established');
    expect(kinds(r)).not.toContain('direction_not_captured');
    expect(computeFindings(reportOf([r]))).toEqual([]);
  });
  it('with the SYN seen and no ACK it stays incomplete', () => {
    const c = new Conv();
    c.client.syn();
    c.server.synAck();
    expect(c.report().handshake.kind).toBe('incomplete');
  });
});

describe('a 4-tuple split after an unanswered SYN', () => {
  it('keeps the SYN sender as client when the next connection starts without a SYN', () => {
    // Client port below the server's: the port rule alone would turn the roles around.
    const c = new Conv({ client: '10.0.0.1:2000', server: '10.0.0.2:5555' });
    c.client.syn();
    // The attempt is given up (no retry within the backoff), then the server speaks on the tuple.
    c.server.data(10, { at: c.time + 30 });
    c.client.ack();
    const [first, second] = c.finish();
    expect(first!.handshake.kind).toBe('unanswered');
    expect(second!.roles.decidedBy).toBe('earlier_connection');
    expect(second!.client).toEqual({ ip: '10.0.0.1', port: 2000 });
    expect(second!.server).toEqual({ ip: '10.0.0.2', port: 5555 });
  });
  it('without an earlier SYN, the ports decide', () => {
    const c = new Conv({ client: '10.0.0.1:2000', server: '10.0.0.2:5555' });
    c.server.data(10);
    const r = c.report();
    expect(r.roles.decidedBy).toBe('lower_port');
  });
});

describe('TIME_WAIT ends 2×MSL after it began', () => {
  function closed(msl: number): Conv {
    const c = new Conv({ msl });
    c.handshake();
    c.client.fin();
    c.server.fin();
    c.client.ack();
    return c;
  }

  it('reported before it ran out, the end of the run settles it: CLOSED, by timer, inferred', () => {
    const c = closed(30);
    const closedAt = c.time;
    c.tick(closedAt + 5);
    c.tick(closedAt + 100);
    const r = c.finish().find((x) => x.client.port === 40000)!;
    // Reported a few seconds after the close, TIME_WAIT still running then.
    expect(r.finalState.client).toBe('TIME_WAIT');
    expect(settleTimeWait(r, closedAt + 100, 30)).toBe(true);
    expect(r.finalState.client).toBe('CLOSED');
    const last = r.states.client[r.states.client.length - 1]!;
    const began = r.states.client.find((x) => x.state === 'TIME_WAIT')!.time;
    expect(last).toEqual({ state: 'CLOSED', frame: r.lastFrame, time: expect.closeTo(began + 60, 6), how: 'inferred', cause: 'timer' });
    // Settled once only.
    expect(settleTimeWait(r, closedAt + 200, 30)).toBe(false);
  });

  it('a capture ending within 2×MSL leaves it in TIME_WAIT', () => {
    const c = closed(30);
    const closedAt = c.time;
    c.tick(closedAt + 59);
    const r = c.finish().find((x) => x.client.port === 40000)!;
    expect(settleTimeWait(r, closedAt + 59, 30)).toBe(false);
    expect(r.finalState.client).toBe('TIME_WAIT');
  });

  it('a tracker reported after 2×MSL ran out logs the timer itself', () => {
    // MSL 0.5 s: the 1 s TIME_WAIT is over before the 1 s grace after the close, so the report says so.
    const c = closed(0.5);
    const closedAt = c.time;
    c.tick(closedAt + 5);
    const r = c.finish().find((x) => x.client.port === 40000)!;
    expect(r.finalState.client).toBe('CLOSED');
    expect(r.states.client.map((s) => [s.state, s.cause ?? null])).toEqual([
      ['SYN_SENT', null],
      ['ESTABLISHED', null],
      ['FIN_WAIT_1', null],
      ['FIN_WAIT_2', null],
      ['TIME_WAIT', null],
      ['CLOSED', 'timer'],
    ]);
  });
});
