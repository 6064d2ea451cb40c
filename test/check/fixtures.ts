/** Hand-built reports for the check tests: a normal connection and builders to bend it. */
import type { ConnectionEvent, EventKind } from '../../src/model/events.js';
import type { ConnectionReport, Report, StateChange } from '../../src/model/report.js';
import type { Side } from '../../src/model/vocabulary.js';
import { loadExpectations, type Expectations, type ExpectationsProblem } from '../../src/check/expectations.js';

const T0 = 1_700_000_000;

export function ev(kind: EventKind, frame: number, by: Side | null, detail?: string): ConnectionEvent {
  return { kind, frame, time: T0 + frame / 1000, by, ...(detail ? { detail } : {}) };
}

function st(state: StateChange['state'], frame: number): StateChange {
  return { state, frame, time: T0 + frame / 1000, how: 'observed' };
}

/**
 * Client 10.99.0.1:40001 → server 10.99.0.2:8080 (ids/ports shifted by `n`): three-way handshake
 * (frames 1–3), one request/response, client-initiated close with FIN+ACK merged (frames 6–8).
 */
export function closeByClient(n = 0, over: Partial<ConnectionReport> = {}): ConnectionReport {
  const f = (k: number): number => k + n * 10;
  const base: ConnectionReport = {
    id: n + 1,
    client: { ip: '10.99.0.1', port: 40001 + n },
    server: { ip: '10.99.0.2', port: 8080 },
    roles: { decidedBy: 'syn' },
    firstFrame: f(1),
    lastFrame: f(8),
    start: T0 + f(1) / 1000,
    duration: 0.007,
    handshake: {
      kind: 'three_way',
      synRetransmits: 0,
      synAckRetransmits: 0,
      rtt: { synToSynAck: 0.001, synAckToAck: 0.001, synBackoff: [] },
      capturePoint: 'in_between',
      options: {
        client: { mss: 1460, windowScale: 7, sackPermitted: true, timestamps: true, ecn: 'none', tfo: 'none' },
        server: { mss: 1460, windowScale: 7, sackPermitted: true, timestamps: true, ecn: 'none', tfo: 'none' },
      },
    },
    close: { kind: 'three_way', initiator: 'client', rstBy: null, finalAckLost: false, finalAckSeen: true },
    finalState: { client: 'TIME_WAIT', server: 'CLOSED' },
    states: {
      client: [st('SYN_SENT', f(1)), st('ESTABLISHED', f(2)), st('FIN_WAIT_1', f(6)), st('TIME_WAIT', f(7))],
      server: [st('SYN_RECEIVED', f(2)), st('ESTABLISHED', f(3)), st('LAST_ACK', f(7)), st('CLOSED', f(8))],
    },
    events: [
      ev('syn', f(1), 'client'),
      ev('syn_ack', f(2), 'server'),
      ev('handshake_complete', f(3), 'client'),
      ev('fin', f(6), 'client'),
      ev('fin', f(7), 'server'),
      ev('close_complete', f(8), 'client'),
    ],
    stats: {
      client: { packets: 5, bytes: 100, ipBytes: 360, retransmits: 0 },
      server: { packets: 3, bytes: 200, ipBytes: 320, retransmits: 0 },
    },
    zeek: { connState: 'SF', history: 'ShADadFf' },
    completeness: 31,
    displayFilter: `ip.addr==10.99.0.1 && tcp.port==${40001 + n} && ip.addr==10.99.0.2 && tcp.port==8080`,
  };
  return { ...base, ...over };
}

/** The server answers the SYN with RST (frames 1–2). */
export function refused(n: number): ConnectionReport {
  const c = closeByClient(n);
  return {
    ...c,
    lastFrame: c.firstFrame + 1,
    handshake: { ...c.handshake, kind: 'refused', rtt: { synToSynAck: null, synAckToAck: null, synBackoff: [] }, options: { client: c.handshake.options.client, server: null } },
    close: {
      kind: 'not_established',
      initiator: 'server',
      rstBy: 'server',
      finalAckLost: false,
      finalAckSeen: false,
      detail: 'RST answering SYN',
      rst: { by: 'server', frame: c.firstFrame + 1, state: { client: 'SYN_SENT', server: 'LISTEN' }, check: 'exact' },
    },
    finalState: { client: 'CLOSED', server: 'CLOSED' },
    states: { client: [c.states.client[0] as StateChange, { ...(c.states.client[0] as StateChange), state: 'CLOSED', frame: c.firstFrame + 1 }], server: [] },
    events: [ev('syn', c.firstFrame, 'client'), ev('refused', c.firstFrame + 1, 'server'), ev('rst', c.firstFrame + 1, 'server')],
    zeek: { connState: 'REJ', history: 'Sr' },
    completeness: 33,
  };
}

/** The server sends FIN, the client never closes: the client sits in CLOSE_WAIT at the end. */
export function closeWait(n: number): ConnectionReport {
  const c = closeByClient(n);
  return {
    ...c,
    lastFrame: c.firstFrame + 6,
    close: { kind: 'half_closed', initiator: 'server', rstBy: null, finalAckLost: false, finalAckSeen: false },
    finalState: { client: 'CLOSE_WAIT', server: 'FIN_WAIT_2' },
    events: [...c.events.slice(0, 3), ev('fin', c.firstFrame + 5, 'server'), ev('half_close', c.firstFrame + 5, 'server'), ev('open_at_end', c.firstFrame + 6, null)],
    zeek: { connState: 'S3', history: 'ShADadf' },
  };
}

/** A four-way close where the final ACK was lost and the server retransmitted its FIN. */
export function finalAckLost(n: number): ConnectionReport {
  const c = closeByClient(n);
  const f = c.firstFrame;
  return {
    ...c,
    lastFrame: f + 9,
    close: { kind: 'four_way', initiator: 'client', rstBy: null, finalAckLost: true, finalAckSeen: true },
    events: [
      ...c.events.slice(0, 3),
      ev('fin', f + 5, 'client'),
      ev('fin', f + 7, 'server'),
      ev('fin_retransmit', f + 8, 'server'),
      ev('final_ack_lost', f + 8, 'server'),
      ev('close_complete', f + 9, 'client'),
    ],
  };
}

export function report(connections: ConnectionReport[], file = 'fixture.pcap'): Report {
  const summary: Report['summary'] = { connections: connections.length, handshake: {}, close: {}, events: {} };
  for (const c of connections) {
    summary.handshake[c.handshake.kind] = (summary.handshake[c.handshake.kind] ?? 0) + 1;
    summary.close[c.close.kind] = (summary.close[c.close.kind] ?? 0) + 1;
    for (const e of c.events) summary.events[e.kind] = (summary.events[e.kind] ?? 0) + 1;
  }
  return {
    schemaVersion: 2,
    captures: [{ file, format: 'pcap', linkTypes: ['EN10MB'], frames: 100, tcpSegments: 100, skipped: {}, firstTime: T0, lastTime: T0 + 1, warnings: [] }],
    summary,
    connections,
  };
}

/** An expectations file that must load; its problems, with line and column, when it does not. */
export function loadedExpectations(text: string): Expectations {
  const r = loadExpectations(text, 'x.expect.json');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return r.expectations;
}

/** An expectations file that must be rejected: its problems. */
export function rejectedExpectations(text: string): ExpectationsProblem[] {
  const r = loadExpectations(text, 'x.expect.json');
  if (r.ok) throw new Error('expected the file to be rejected');
  return r.errors;
}
