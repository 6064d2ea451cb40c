/** RST handling: RFC 5961 §3 classes and a RST arriving in each state. */
import { describe, expect, it } from 'vitest';
import { Conv, kinds } from './fixture.js';

function established(): Conv {
  const c = new Conv();
  c.handshake();
  return c;
}

describe('RST classification (RFC 5961 §3)', () => {
  it('exact: seq = the next sequence number expected from the sender → connection reset', () => {
    const c = established();
    c.client.data(100);
    c.server.ack();
    c.client.rstAck();
    const r = c.report();
    expect(r.close).toMatchObject({ kind: 'reset', initiator: 'client', rstBy: 'client' });
    expect(r.close.rst).toMatchObject({ by: 'client', check: 'exact', state: { client: 'ESTABLISHED', server: 'ESTABLISHED' } });
    expect(r.finalState).toEqual({ client: 'CLOSED', server: 'CLOSED' });
    expect(r.states.client.at(-1)!.how).toBe('observed');
    expect(r.states.server.at(-1)!.how).toBe('inferred');
  });
  it('in window: within the receiver’s advertised window → reset, classified in_window', () => {
    const c = established();
    c.server.ack({ window: 1000 });
    c.client.rstAck({ seq: c.client.nxt + 500 });
    const r = c.report();
    expect(r.close.kind).toBe('reset');
    expect(r.close.rst!.check).toBe('in_window');
    expect(r.events.find((e) => e.kind === 'rst')!.detail).toMatch(/challenge ACK/);
  });
  it('window scale applies when both SYNs offered it', () => {
    const c = new Conv();
    c.client.syn({ options: { windowScale: 7 } });
    c.server.synAck({ options: { windowScale: 7 } });
    c.client.ack();
    c.server.ack({ window: 100 }); // 100 << 7 = 12800 bytes
    c.client.rstAck({ seq: c.client.nxt + 5000 });
    expect(c.report().close.rst!.check).toBe('in_window');
  });
  it('out of window → rst_out_of_window, the connection stays open', () => {
    const c = established();
    c.server.ack({ window: 1000 });
    c.client.rstAck({ seq: c.client.nxt + 100000, noAdvance: true });
    expect(c.states()).toEqual({ client: 'ESTABLISHED', server: 'ESTABLISHED' });
    c.client.data(10);
    const r = c.report();
    expect(kinds(r)).toContain('rst_out_of_window');
    expect(kinds(r)).not.toContain('rst');
    expect(r.close.kind).toBe('open');
    expect(r.close.rstBy).toBeNull();
  });
  it('in SYN_SENT a RST that does not acknowledge the SYN is dropped (RFC 9293 §3.10.7.3)', () => {
    const c = new Conv();
    c.client.syn();
    c.server.rst({ seq: 0 });
    const r = c.report();
    expect(kinds(r)).toContain('rst_out_of_window');
    expect(r.handshake.kind).toBe('unanswered');
    expect(r.finalState.client).toBe('SYN_SENT');
  });
  it('unknown when nothing tells the receiver’s expectations (capture starts with the RST)', () => {
    const c = new Conv({ client: '10.0.0.1:40000', server: '10.0.0.2:80' });
    c.server.rstAck();
    const r = c.report();
    expect(r.close.rst!.check).toBe('unknown');
    expect(r.close.kind).toBe('reset');
    expect(r.handshake.kind).toBe('not_captured');
  });
});

describe('RST in each state', () => {
  it('ESTABLISHED + RST from server → both CLOSED', () => {
    const c = established();
    c.server.rstAck();
    expect(c.states()).toEqual({ client: 'CLOSED', server: 'CLOSED' });
  });
  it('CLOSE_WAIT + RST by the end in CLOSE_WAIT after the client FIN: reset after FIN', () => {
    const c = established();
    c.client.fin();
    c.server.ack();
    c.server.rstAck();
    const r = c.report();
    expect(r.close.kind).toBe('reset');
    expect(r.close.initiator).toBe('client');
    expect(r.close.rstBy).toBe('server');
    expect(r.close.detail).toMatch(/RST by server in CLOSE_WAIT.*after client FIN/);
    expect(r.close.rst!.state).toEqual({ client: 'FIN_WAIT_2', server: 'CLOSE_WAIT' });
  });
  it('FIN_WAIT_1 + RST → CLOSED', () => {
    const c = established();
    c.client.fin();
    c.server.rstAck();
    expect(c.states()).toEqual({ client: 'CLOSED', server: 'CLOSED' });
  });
  it('LAST_ACK + RST from the active closer → CLOSED', () => {
    const c = established();
    c.client.fin();
    c.server.fin();
    c.client.rstAck();
    const r = c.report();
    expect(r.close.kind).toBe('reset');
    expect(r.close.detail).toMatch(/after both FINs/);
    expect(r.finalState).toEqual({ client: 'CLOSED', server: 'CLOSED' });
  });
  it('TIME_WAIT + RST → CLOSED (RFC 9293; RFC 1337 hazard noted in docs)', () => {
    const c = established();
    c.client.fin();
    c.server.fin();
    c.client.ack();
    c.server.rstAck({ seq: c.server.nxt });
    expect(c.states().client).toBe('CLOSED');
  });
  it('RST with an ACK acknowledging the SYN → refused, retried SYNs after it stay in the connection', () => {
    const c = new Conv();
    c.client.syn({ at: 1 });
    c.server.rstAck({ seq: 0, ack: 1001, at: 1.001 });
    c.client.syn({ at: 1.5 });
    c.server.rstAck({ seq: 0, ack: 1001, at: 1.501 });
    const rs = c.finish();
    expect(rs).toHaveLength(1);
    expect(rs[0]!.handshake.kind).toBe('refused');
    expect(rs[0]!.handshake.synRetransmits).toBe(1);
  });
  it('segments after the RST → data_after_rst (once per side), retransmitted RST noted', () => {
    const c = established();
    c.server.rstAck();
    c.client.data(50);
    c.client.data(50);
    c.server.rstAck();
    const r = c.report();
    expect(kinds(r).filter((k) => k === 'data_after_rst')).toHaveLength(1);
    expect(kinds(r).filter((k) => k === 'rst')).toHaveLength(2);
    expect(r.close.rstBy).toBe('server');
  });
  it('RST by both sides → rstBy both', () => {
    const c = established();
    c.server.rstAck();
    c.client.rstAck();
    expect(c.report().close.rstBy).toBe('both');
  });
  it('RST carrying data notes the diagnostic text', () => {
    const c = established();
    c.server.send(0x14, { len: 20 });
    expect(c.report().events.find((e) => e.kind === 'rst')!.detail).toMatch(/20 bytes/);
  });
});
