/**
 * The endpoint state machines, grouped by state as smoltcp does: each test drives a connection into
 * a state with the fixture builder, then shows one segment and checks both ends.
 */
import { describe, expect, it } from 'vitest';
import { Conv, kinds, stateNames } from './fixture.js';

function established(): Conv {
  const c = new Conv();
  c.handshake();
  return c;
}

describe('CLOSED', () => {
  it('+ SYN sent → SYN_SENT (observed), server presumed LISTEN', () => {
    const c = new Conv();
    c.client.syn();
    expect(c.states()).toEqual({ client: 'SYN_SENT', server: 'LISTEN' });
    expect(c.tracker().client.states[0]).toMatchObject({ state: 'SYN_SENT', frame: 1, how: 'observed' });
  });
  it('+ SYN-ACK without its SYN → server SYN_RECEIVED, client SYN_SENT (inferred)', () => {
    const c = new Conv();
    c.server.synAck({ ack: 1001 });
    expect(c.states()).toEqual({ client: 'SYN_SENT', server: 'SYN_RECEIVED' });
    const t = c.tracker();
    expect(t.client.states[0]!.how).toBe('inferred');
    expect(t.server.states[0]!.how).toBe('observed');
    expect(t.decidedBy).toBe('syn_ack');
  });
});

describe('LISTEN', () => {
  it('+ SYN-ACK sent → SYN_RECEIVED (observed)', () => {
    const c = new Conv();
    c.client.syn();
    c.server.synAck();
    expect(c.states()).toEqual({ client: 'SYN_SENT', server: 'SYN_RECEIVED' });
    expect(c.tracker().server.states[0]).toMatchObject({ state: 'SYN_RECEIVED', frame: 2, how: 'observed' });
  });
  it('+ RST answering the SYN → refused, server CLOSED', () => {
    const c = new Conv();
    c.client.syn();
    c.server.rstAck({ seq: 0, ack: 1001 });
    const r = c.report();
    expect(r.handshake.kind).toBe('refused');
    expect(r.close.kind).toBe('not_established');
    expect(r.close.rstBy).toBe('server');
    expect(r.finalState).toEqual({ client: 'CLOSED', server: 'CLOSED' });
    expect(kinds(r)).toContain('refused');
    expect(r.close.rst).toMatchObject({ by: 'server', check: 'exact', state: { client: 'SYN_SENT', server: 'LISTEN' } });
  });
});

describe('SYN_SENT', () => {
  it('+ SYN-ACK then its ACK → ESTABLISHED (observed) and server ESTABLISHED (inferred)', () => {
    const c = new Conv();
    c.client.syn();
    c.server.synAck();
    expect(c.states().client).toBe('SYN_SENT');
    c.client.ack();
    expect(c.states()).toEqual({ client: 'ESTABLISHED', server: 'ESTABLISHED' });
    const t = c.tracker();
    expect(t.client.states.at(-1)).toMatchObject({ state: 'ESTABLISHED', how: 'observed', frame: 3 });
    expect(t.server.states.at(-1)).toMatchObject({ state: 'ESTABLISHED', how: 'inferred', frame: 3 });
    const r = c.report();
    expect(r.handshake.kind).toBe('three_way');
    expect(kinds(r)).toEqual(['syn', 'syn_ack', 'handshake_complete', 'open_at_end']);
    expect(r.close.kind).toBe('open');
  });
  it('+ bare SYN from the peer → SYN_RECEIVED: simultaneous open', () => {
    const c = new Conv();
    c.client.syn();
    c.server.syn({ ack: false });
    // The client's SYN is on its way to the server too: both pass SYN_RECEIVED.
    expect(c.states()).toEqual({ client: 'SYN_RECEIVED', server: 'SYN_RECEIVED' });
    expect(stateNames(c.tracker().server.states)).toEqual(['SYN_SENT', 'SYN_RECEIVED']);
    // Each answers with SYN,ACK (RFC 9293 figure 8).
    c.client.synAck();
    expect(c.states()).toEqual({ client: 'SYN_RECEIVED', server: 'ESTABLISHED' });
    c.server.synAck();
    expect(c.states()).toEqual({ client: 'ESTABLISHED', server: 'ESTABLISHED' });
    const r = c.report();
    expect(r.handshake.kind).toBe('simultaneous_open');
    expect(kinds(r)).toContain('simultaneous_open');
    expect(kinds(r)).toContain('handshake_complete');
    expect(r.close.kind).toBe('open');
  });
  it('+ nothing: unanswered SYNs with exponential backoff', () => {
    const c = new Conv();
    c.client.syn({ at: 100 });
    c.client.syn({ at: 101 });
    c.client.syn({ at: 103 });
    c.client.syn({ at: 107 });
    const r = c.report();
    expect(r.handshake.kind).toBe('unanswered');
    expect(r.handshake.synRetransmits).toBe(3);
    expect(r.handshake.rtt.synBackoff).toEqual([1, 2, 4]);
    expect(kinds(r).filter((k) => k === 'syn_retransmit')).toHaveLength(3);
    expect(kinds(r)).toContain('unanswered');
    expect(r.close.kind).toBe('not_established');
    expect(r.finalState.client).toBe('SYN_SENT');
    expect(r.stats.client.retransmits).toBe(3);
  });
  it('+ SYN retries, then an answer: three_way with retries counted', () => {
    const c = new Conv();
    c.client.syn({ at: 10 });
    c.client.syn({ at: 11 });
    c.server.synAck({ at: 11.05 });
    c.client.ack({ at: 11.0501 });
    const r = c.report();
    expect(r.handshake).toMatchObject({ kind: 'three_way', synRetransmits: 1, synAckRetransmits: 0 });
    expect(r.handshake.rtt.synBackoff).toEqual([1]);
  });
});

describe('SYN_RECEIVED', () => {
  it('+ client ACK → ESTABLISHED (inferred)', () => {
    const c = new Conv();
    c.client.syn();
    c.server.synAck();
    c.client.ack();
    expect(c.tracker().server.states.map((s) => s.state)).toEqual(['SYN_RECEIVED', 'ESTABLISHED']);
  });
  it('+ server data after its SYN-ACK (client ACK not captured) → ESTABLISHED (observed)', () => {
    const c = new Conv();
    c.client.syn();
    c.server.synAck();
    c.server.data(10);
    expect(c.states().server).toBe('ESTABLISHED');
    expect(c.tracker().server.states.at(-1)!.how).toBe('observed');
  });
  it('+ client RST (half-open scan) → server back to LISTEN; handshake incomplete', () => {
    const c = new Conv();
    c.client.syn();
    c.server.synAck();
    c.client.rst({ seq: 1001 });
    const r = c.report();
    expect(r.handshake.kind).toBe('incomplete');
    expect(r.close.kind).toBe('not_established');
    expect(r.close.rstBy).toBe('client');
    expect(r.finalState).toEqual({ client: 'CLOSED', server: 'LISTEN' });
  });
  it('+ no ACK ever: incomplete, SYN-ACK retransmitted → syn_ack_lost', () => {
    const c = new Conv();
    c.client.syn({ at: 1 });
    c.server.synAck({ at: 1.01 });
    c.server.synAck({ at: 2.01 });
    const r = c.report();
    expect(r.handshake.kind).toBe('incomplete');
    expect(r.handshake.synAckRetransmits).toBe(1);
    expect(kinds(r)).toContain('syn_ack_retransmit');
    expect(kinds(r)).toContain('syn_ack_lost');
  });
});

describe('ESTABLISHED', () => {
  it('+ FIN sent → FIN_WAIT_1 (observed), peer CLOSE_WAIT (inferred)', () => {
    const c = established();
    c.client.fin();
    expect(c.states()).toEqual({ client: 'FIN_WAIT_1', server: 'CLOSE_WAIT' });
    const t = c.tracker();
    expect(t.client.states.at(-1)!.how).toBe('observed');
    expect(t.server.states.at(-1)!.how).toBe('inferred');
  });
  it('data segments do not change states and count bytes', () => {
    const c = established();
    c.client.data(100);
    c.server.ack();
    c.server.data(1000);
    c.client.ack();
    expect(c.states()).toEqual({ client: 'ESTABLISHED', server: 'ESTABLISHED' });
    const r = c.report();
    expect(r.stats.client).toMatchObject({ packets: 4, bytes: 100, retransmits: 0 });
    expect(r.stats.server).toMatchObject({ packets: 3, bytes: 1000, retransmits: 0 });
    expect(kinds(r)).toContain('open_at_end');
  });
  it('+ retransmitted data is counted, not evented', () => {
    const c = established();
    const d = c.client.data(100);
    c.client.data(100, { seq: d.seq });
    const r = c.report();
    expect(r.stats.client.retransmits).toBe(1);
  });
  it('+ keep-alive probe (seq = snd.nxt − 1, 0 or 1 byte) is not a retransmission', () => {
    const c = established();
    c.client.data(10);
    c.server.ack();
    c.client.ack({ seq: c.client.nxt - 1, dt: 75, noAdvance: true });
    c.server.ack({ dt: 0.001 });
    c.client.send(0x10, { seq: c.client.nxt - 1, len: 1, dt: 75, noAdvance: true });
    const r = c.report();
    expect(kinds(r).filter((k) => k === 'keepalive')).toHaveLength(2);
    expect(r.stats.client.retransmits).toBe(0);
  });
});

describe('FIN_WAIT_1', () => {
  it('+ ACK of our FIN → FIN_WAIT_2 (inferred)', () => {
    const c = established();
    c.client.fin();
    c.server.ack();
    expect(c.states()).toEqual({ client: 'FIN_WAIT_2', server: 'CLOSE_WAIT' });
  });
  it('+ ACK beyond our FIN + 1 → stays FIN_WAIT_1 (only ack = FIN seq + 1 acknowledges it, RFC 9293 §3.10.7.4)', () => {
    const c = established();
    c.client.fin();
    c.server.ack({ ack: c.client.nxt + 1000 });
    expect(c.states()).toEqual({ client: 'FIN_WAIT_1', server: 'CLOSE_WAIT' });
    c.server.fin({ ack: c.client.nxt + 1000 });
    const r = c.report();
    expect(r.close.kind).not.toBe('three_way');
    expect(r.close.finalAckSeen).toBe(false);
  });
  it('+ FIN+ACK of our FIN → TIME_WAIT: three_way close (merged FIN+ACK)', () => {
    const c = established();
    c.client.fin();
    c.server.fin();
    expect(c.states()).toEqual({ client: 'TIME_WAIT', server: 'LAST_ACK' });
    c.client.ack();
    expect(c.states()).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
    const r = c.report();
    expect(r.close).toMatchObject({ kind: 'three_way', initiator: 'client', rstBy: null, finalAckSeen: true, finalAckLost: false });
    expect(stateNames(r.states.client)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(stateNames(r.states.server)).toEqual(['SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    expect(kinds(r)).toContain('close_complete');
    expect(kinds(r)).not.toContain('open_at_end');
  });
  it('+ FIN not acknowledging ours → CLOSING: simultaneous close', () => {
    const c = established();
    c.client.fin();
    const clientFinEnd = c.client.nxt;
    c.server.fin({ ack: clientFinEnd - 1 });
    expect(c.states()).toEqual({ client: 'CLOSING', server: 'CLOSING' });
    c.client.ack();
    expect(c.states()).toEqual({ client: 'CLOSING', server: 'TIME_WAIT' });
    c.server.ack();
    expect(c.states()).toEqual({ client: 'TIME_WAIT', server: 'TIME_WAIT' });
    const r = c.report();
    expect(r.close.kind).toBe('simultaneous');
    expect(r.close.initiator).toBe('both');
    expect(stateNames(r.states.server)).toEqual(['SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
    expect(stateNames(r.states.client)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
  });
  it('+ retransmitted FIN → fin_retransmit', () => {
    const c = established();
    const f = c.client.fin();
    c.client.fin({ seq: f.seq, dt: 0.2 });
    const r = c.report();
    expect(kinds(r)).toContain('fin_retransmit');
    expect(r.stats.client.retransmits).toBe(1);
    expect(r.close.kind).toBe('half_closed');
  });
});

describe('FIN_WAIT_2', () => {
  it('+ FIN → TIME_WAIT: four_way close', () => {
    const c = established();
    c.client.fin();
    c.server.ack();
    c.server.fin();
    expect(c.states()).toEqual({ client: 'TIME_WAIT', server: 'LAST_ACK' });
    c.client.ack();
    const r = c.report();
    expect(r.close).toMatchObject({ kind: 'four_way', initiator: 'client', finalAckSeen: true });
    expect(r.finalState).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
  });
  it('half-close: the peer keeps sending after our FIN', () => {
    const c = established();
    c.client.fin();
    c.server.ack();
    const first = c.server.data(500);
    c.client.ack();
    c.server.data(300);
    // The first segment again (a spurious retransmission): not new data.
    c.server.data(500, { seq: first.seq, noAdvance: true });
    c.client.ack();
    c.server.fin();
    c.client.ack();
    const r = c.report();
    expect(r.close.kind).toBe('four_way');
    expect(r.close.afterFirstFin).toEqual({ segments: 2, bytes: 800 });
    expect(kinds(r)).toContain('half_close');
  });
});

describe('CLOSE_WAIT', () => {
  it('+ FIN sent → LAST_ACK (observed)', () => {
    const c = established();
    c.server.fin();
    c.client.ack();
    expect(c.states()).toEqual({ client: 'CLOSE_WAIT', server: 'FIN_WAIT_2' });
    c.client.fin();
    expect(c.states()).toEqual({ client: 'LAST_ACK', server: 'TIME_WAIT' });
    c.server.ack();
    const r = c.report();
    expect(r.close).toMatchObject({ kind: 'four_way', initiator: 'server' });
    expect(r.finalState).toEqual({ client: 'CLOSED', server: 'TIME_WAIT' });
  });
  it('stuck in CLOSE_WAIT at the end: half_closed, open_at_end', () => {
    const c = established();
    c.client.fin();
    c.server.ack();
    const r = c.report();
    expect(r.close.kind).toBe('half_closed');
    expect(r.finalState).toEqual({ client: 'FIN_WAIT_2', server: 'CLOSE_WAIT' });
    expect(kinds(r)).toContain('open_at_end');
  });
});

describe('CLOSING', () => {
  it('+ ACK of our FIN → TIME_WAIT', () => {
    const c = established();
    c.client.fin();
    c.server.fin({ ack: c.client.nxt - 1 });
    expect(c.states().client).toBe('CLOSING');
    c.server.ack();
    expect(c.states().client).toBe('TIME_WAIT');
  });
});

describe('LAST_ACK', () => {
  it('+ final ACK → CLOSED (inferred)', () => {
    const c = established();
    c.client.fin();
    c.server.fin();
    c.client.ack();
    const t = c.tracker();
    expect(t.server.states.at(-1)).toMatchObject({ state: 'CLOSED', how: 'inferred' });
  });
  it('+ retransmitted FIN after the final ACK was seen → final_ack_lost', () => {
    const c = established();
    c.client.fin();
    const f = c.server.fin();
    c.client.ack();
    c.server.fin({ seq: f.seq, dt: 0.2 });
    c.client.ack({ dt: 0.0001 });
    const r = c.report();
    expect(r.close.finalAckLost).toBe(true);
    expect(r.close.finalAckSeen).toBe(true);
    const e = r.events.find((x) => x.kind === 'final_ack_lost')!;
    expect(e.by).toBe('server');
    expect(e.detail).toMatch(/after the capture point/);
  });
  it('+ retransmitted FIN after the final ACK was seen → back to LAST_ACK, CLOSED on the next ACK', () => {
    const c = established();
    c.client.fin();
    const f = c.server.fin();
    const lost = c.client.ack();
    const again = c.server.fin({ seq: f.seq, dt: 0.2 });
    expect(c.tracker().server.state).toBe('LAST_ACK');
    const last = c.client.ack({ dt: 0.0001 });
    const r = c.report();
    const server = r.states.server.map((s) => [s.state, s.frame]);
    expect(server.slice(-2)).toEqual([
      ['LAST_ACK', f.frame],
      ['CLOSED', last.frame],
    ]);
    expect(server.some(([, frame]) => frame === lost.frame || frame === again.frame)).toBe(false);
    expect(r.finalState.server).toBe('CLOSED');
  });
  it('+ retransmitted FIN, no final ACK seen → final ACK lost too', () => {
    const c = established();
    c.client.fin();
    const f = c.server.fin();
    c.server.fin({ seq: f.seq, dt: 0.2 });
    const r = c.report();
    expect(r.close.finalAckLost).toBe(true);
    expect(r.close.finalAckSeen).toBe(false);
    expect(r.finalState.server).toBe('LAST_ACK');
  });
  it('no final ACK, no retransmission → final_ack_not_seen', () => {
    const c = established();
    c.client.fin();
    c.server.fin();
    const r = c.report();
    expect(r.close.kind).toBe('three_way');
    expect(r.close.finalAckSeen).toBe(false);
    expect(r.close.finalAckLost).toBe(false);
    expect(kinds(r)).toContain('final_ack_not_seen');
  });
});

describe('TIME_WAIT', () => {
  function closed(msl: number): Conv {
    const c = new Conv({ msl, start: 0 });
    c.handshake();
    c.client.fin();
    c.server.fin();
    c.client.ack();
    return c;
  }
  it('is still TIME_WAIT at the end when less than 2×MSL of capture time passed', () => {
    const c = closed(1);
    c.tick(1.5);
    const r = c.finish()[0]!;
    expect(r.finalState).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
  });
  it('becomes CLOSED once 2×MSL of capture time passed, and the connection is over', () => {
    const c = closed(1);
    c.tick(2.5);
    // Over and reported before the end of input.
    expect(c.reports.map((r) => r.id)).toEqual([1]);
    expect(c.reports[0]!.finalState).toEqual({ client: 'CLOSED', server: 'CLOSED' });
    expect(c.manager.liveCount).toBe(1);
  });
  it('+ retransmitted FIN → re-acknowledged, timer restarts', () => {
    const c = new Conv({ msl: 1, start: 0 });
    c.handshake();
    c.client.fin();
    const f = c.server.fin();
    c.client.ack();
    c.server.fin({ seq: f.seq, at: 1.5 });
    c.client.ack({ at: 1.5001 });
    c.tick(2.6);
    const r = c.finish()[0]!;
    expect(r.finalState.client).toBe('TIME_WAIT');
    expect(r.close.finalAckLost).toBe(true);
  });
});

describe('midstream start', () => {
  it('data first: both ESTABLISHED inferred, not_captured, roles by port', () => {
    const c = new Conv({ client: '10.0.0.1:40000', server: '10.0.0.2:443' });
    c.server.data(100);
    c.client.ack();
    const r = c.report();
    expect(r.handshake.kind).toBe('not_captured');
    expect(r.roles.decidedBy).toBe('well_known_port');
    expect(r.client.port).toBe(40000);
    expect(kinds(r)[0]).toBe('midstream_start');
    expect(r.states.client[0]).toMatchObject({ state: 'ESTABLISHED', how: 'inferred', frame: 1 });
    expect(r.close.kind).toBe('open');
  });
  it('a FIN first: FIN_WAIT_1 / CLOSE_WAIT', () => {
    const c = new Conv({ client: '10.0.0.1:40000', server: '10.0.0.2:5432' });
    c.client.fin();
    expect(c.states()).toEqual({ client: 'FIN_WAIT_1', server: 'CLOSE_WAIT' });
    c.server.fin();
    c.client.ack();
    const r = c.report();
    expect(r.handshake.kind).toBe('not_captured');
    expect(r.close.kind).toBe('three_way');
  });
  it('lower port decides when no port is well known', () => {
    const c = new Conv({ client: '10.0.0.1:50000', server: '10.0.0.2:40000' });
    c.client.data(10);
    const r = c.report();
    expect(r.roles.decidedBy).toBe('lower_port');
    expect(r.server.port).toBe(40000);
  });
  it('same ports: first packet sender is the client', () => {
    const c = new Conv({ client: '10.0.0.1:5000', server: '10.0.0.2:5000' });
    c.server.data(10);
    const r = c.report();
    expect(r.roles.decidedBy).toBe('first_packet');
    expect(r.client.ip).toBe('10.0.0.2');
  });
});
