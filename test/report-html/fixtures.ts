/**
 * Hand-built Report fixtures for the HTML renderer: a few connections of each kind, with
 * segments for ladders, and a generator of N synthetic connections for the size/speed tests.
 */
import type { ConnectionEvent } from '../../src/model/events.js';
import type { CaptureReport, ConnectionReport, NegotiatedOptions, Report, SegmentRecord, Summary } from '../../src/model/report.js';
import type { CloseKind, EndpointState, HandshakeKind, Side } from '../../src/model/vocabulary.js';

const T0 = 1_700_000_000;

const OPTS: NegotiatedOptions = { mss: 1460, windowScale: 7, sackPermitted: true, timestamps: true, ecn: 'none', tfo: 'none' };

export interface ConnSpec {
  id: number;
  clientIp?: string;
  serverIp?: string;
  clientPort?: number;
  serverPort?: number;
  start?: number;
  handshake?: HandshakeKind;
  close?: CloseKind;
  rtt?: number | null;
  segments?: SegmentRecord[];
  events?: ConnectionEvent[];
  detail?: string;
  finalState?: { client: EndpointState; server: EndpointState };
}

function seg(
  frame: number,
  time: number,
  from: Side,
  flags: string,
  relSeq: number,
  relAck: number | null,
  length = 0,
  marks: string[] = [],
  states: { c?: EndpointState; s?: EndpointState } = {},
): SegmentRecord {
  const r: SegmentRecord = { frame, time, from, flags, relSeq, relAck, length, marks };
  if (states.c) r.clientState = states.c;
  if (states.s) r.serverState = states.s;
  return r;
}

/** A complete connection: handshake, one request/response, four-way close with a retransmitted FIN. */
export function ladderSegments(start: number, firstFrame: number): SegmentRecord[] {
  let f = firstFrame;
  const t = (ms: number): number => start + ms / 1000;
  return [
    seg(f++, t(0), 'client', 'SYN', 0, null, 0, [], { c: 'SYN_SENT', s: 'SYN_RECEIVED' }),
    seg(f++, t(1.2), 'server', 'SYN, ACK', 0, 1, 0, [], { c: 'ESTABLISHED' }),
    seg(f++, t(1.3), 'client', 'ACK', 1, 1, 0, [], { s: 'ESTABLISHED' }),
    seg(f++, t(2), 'client', 'PSH, ACK', 1, 1, 120),
    seg(f++, t(3.5), 'server', 'PSH, ACK', 1, 121, 1448),
    seg(f++, t(3.6), 'client', 'ACK', 121, 1449),
    seg(f++, t(50), 'client', 'FIN, ACK', 121, 1449, 0, [], { c: 'FIN_WAIT_1', s: 'CLOSE_WAIT' }),
    seg(f++, t(51), 'server', 'ACK', 1449, 122, 0, [], { c: 'FIN_WAIT_2' }),
    seg(f++, t(52), 'server', 'FIN, ACK', 1449, 122, 0, [], { s: 'LAST_ACK', c: 'TIME_WAIT' }),
    seg(f++, t(260), 'server', 'FIN, ACK', 1449, 122, 0, ['retransmission']),
    seg(f++, t(261), 'client', 'ACK', 122, 1450, 0, [], { s: 'CLOSED' }),
  ];
}

export function connection(spec: ConnSpec): ConnectionReport {
  const start = spec.start ?? T0 + spec.id * 0.01;
  const handshake = spec.handshake ?? 'three_way';
  const close = spec.close ?? 'four_way';
  const segments = spec.segments;
  const events: ConnectionEvent[] = spec.events ?? [
    { kind: 'syn', frame: spec.id * 10, time: start, by: 'client' },
    { kind: 'handshake_complete', frame: spec.id * 10 + 2, time: start + 0.0013, by: 'client' },
    ...(close === 'reset' ? [{ kind: 'rst' as const, frame: spec.id * 10 + 3, time: start + 0.02, by: 'server' as const, detail: 'RST by server in ESTABLISHED' }] : []),
    ...(close === 'four_way' ? [{ kind: 'close_complete' as const, frame: spec.id * 10 + 8, time: start + 0.05, by: 'client' as const }] : []),
  ];
  const rtt = spec.rtt === undefined ? 0.0012 : spec.rtt;
  const c: ConnectionReport = {
    id: spec.id,
    client: { ip: spec.clientIp ?? '10.0.0.1', port: spec.clientPort ?? 40000 + spec.id },
    server: { ip: spec.serverIp ?? '10.0.0.2', port: spec.serverPort ?? 80 },
    roles: { decidedBy: 'syn' },
    firstFrame: spec.id * 10,
    lastFrame: spec.id * 10 + 9,
    start,
    duration: 0.261,
    handshake: {
      kind: handshake,
      synRetransmits: 0,
      synAckRetransmits: 0,
      rtt: { synToSynAck: rtt, synAckToAck: rtt === null ? null : 0.0001, synBackoff: [] },
      capturePoint: 'client_side',
      options: { client: OPTS, server: OPTS },
    },
    close: {
      kind: close,
      initiator: close === 'open' || close === 'not_established' ? null : close === 'reset' ? 'server' : 'client',
      rstBy: close === 'reset' ? 'server' : null,
      finalAckLost: close === 'four_way',
      finalAckSeen: close === 'four_way',
      ...(spec.detail !== undefined ? { detail: spec.detail } : {}),
    },
    finalState: spec.finalState ?? { client: 'TIME_WAIT', server: 'CLOSED' },
    states: {
      client: [
        { state: 'SYN_SENT', frame: spec.id * 10, time: start, how: 'observed' },
        { state: 'ESTABLISHED', frame: spec.id * 10 + 1, time: start + 0.0012, how: 'inferred' },
      ],
      server: [{ state: 'SYN_RECEIVED', frame: spec.id * 10 + 1, time: start + 0.0012, how: 'observed' }],
    },
    events,
    stats: {
      client: { packets: 6, bytes: 120, ipBytes: 400, retransmits: 0, wireBytes: 0, retransmittedBytes: 0, outOfOrder: 0, dupAcks: 0, zeroWindow: { episodes: 0, seconds: 0, shutAtEnd: false }, zeroWindowProbes: 0, rtt: null, throughput: null },
      server: { packets: 5, bytes: 1448, ipBytes: 1700, retransmits: 1, wireBytes: 0, retransmittedBytes: 0, outOfOrder: 0, dupAcks: 0, zeroWindow: { episodes: 0, seconds: 0, shutAtEnd: false }, zeroWindowProbes: 0, rtt: null, throughput: null },
    },
    zeek: { connState: close === 'reset' ? 'RSTR' : 'SF', history: 'ShADadFf' },
    completeness: 31,
    displayFilter: `ip.addr==${spec.clientIp ?? '10.0.0.1'} && tcp.port==${spec.clientPort ?? 40000 + spec.id} && ip.addr==${spec.serverIp ?? '10.0.0.2'} && tcp.port==${spec.serverPort ?? 80}`,
  };
  if (segments) c.segments = segments;
  return c;
}

export function summarize(connections: ConnectionReport[]): Summary {
  const s: Summary = { connections: connections.length, handshake: {}, close: {}, events: {} };
  for (const c of connections) {
    s.handshake[c.handshake.kind] = (s.handshake[c.handshake.kind] ?? 0) + 1;
    s.close[c.close.kind] = (s.close[c.close.kind] ?? 0) + 1;
    for (const e of c.events) s.events[e.kind] = (s.events[e.kind] ?? 0) + 1;
  }
  return s;
}

export function capture(file: string, connections: ConnectionReport[], extra: Partial<CaptureReport> = {}): CaptureReport {
  let first: number | null = null;
  let last: number | null = null;
  for (const c of connections) {
    if (first === null || c.start < first) first = c.start;
    if (last === null || c.start + c.duration > last) last = c.start + c.duration;
  }
  return {
    file,
    format: 'pcap',
    linkTypes: ['EN10MB'],
    frames: connections.length * 11,
    tcpSegments: connections.length * 11,
    skipped: { non_tcp: 3 } as CaptureReport['skipped'],
    firstTime: first,
    lastTime: last,
    warnings: [],
    ...extra,
  };
}

export function report(connections: ConnectionReport[], captures?: CaptureReport[]): Report {
  return {
    schemaVersion: 2,
    captures: captures ?? [capture('sample.pcap', connections)],
    summary: summarize(connections),
    connections,
  };
}

/** A small mixed report: 6 connections, two with ladder segments. */
export function smallReport(): Report {
  const conns = [
    connection({ id: 1, segments: ladderSegments(T0 + 0.01, 10) }),
    connection({ id: 2, close: 'reset', serverIp: '192.168.1.20', serverPort: 443 }),
    connection({ id: 3, handshake: 'refused', close: 'not_established', rtt: null, serverPort: 8080, finalState: { client: 'CLOSED', server: 'CLOSED' } }),
    connection({ id: 4, handshake: 'unanswered', close: 'not_established', rtt: null, serverIp: '192.168.1.20', serverPort: 443 }),
    connection({ id: 5, clientIp: 'fe80::1', serverIp: 'fe80::2', serverPort: 22, close: 'open', rtt: 0.2 }),
    connection({ id: 6, close: 'reset', segments: ladderSegments(T0 + 0.06, 60).slice(0, 4).concat([seg(64, T0 + 0.07, 'server', 'RST', 1, null)]) }),
  ];
  return report(conns);
}

/**
 * N synthetic connections for the size and speed tests: a realistic mix of kinds, many clients,
 * a handful of servers, RTTs spread over decades; segments for the first `withSegments`.
 */
export function bigReport(n: number, withSegments = 0): Report {
  const conns: ConnectionReport[] = new Array(n);
  const hks: HandshakeKind[] = ['three_way', 'three_way', 'three_way', 'three_way', 'three_way', 'three_way', 'refused', 'unanswered', 'not_captured', 'incomplete'];
  const cks: CloseKind[] = ['four_way', 'three_way', 'three_way', 'reset', 'open', 'half_closed', 'four_way', 'three_way', 'four_way', 'three_way'];
  for (let i = 0; i < n; i++) {
    const id = i + 1;
    const hk = hks[i % hks.length]!;
    const ck = hk === 'refused' || hk === 'unanswered' || hk === 'incomplete' ? 'not_established' : cks[(i * 7) % cks.length]!;
    const clientIp = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const start = T0 + i * 0.003;
    conns[i] = connection({
      id,
      clientIp,
      serverIp: `172.16.0.${1 + (i % 7)}`,
      clientPort: 1024 + ((i * 31) % 60000),
      serverPort: [80, 443, 5432, 6379, 8080][i % 5]!,
      start,
      handshake: hk,
      close: ck,
      rtt: hk === 'three_way' || hk === 'incomplete' ? 0.00005 * 10 ** ((i % 97) / 30) : null,
      ...(i < withSegments ? { segments: ladderSegments(start, id * 10) } : {}),
    });
  }
  return report(conns);
}
