/** Hand-built reports for renderer tests (no capture needed). */
import type { ConnectionEvent, EventKind } from '../../src/model/events.js';
import { type CaptureReport, type ConnectionReport, type Report, SCHEMA_VERSION, type SegmentRecord } from '../../src/model/report.js';
import type { Side } from '../../src/model/vocabulary.js';
import { summarize } from '../../src/report/summary.js';

const T0 = 1_700_000_000.123456;

export function ev(kind: EventKind, frame: number, by: Side | null, extra: Partial<ConnectionEvent> = {}): ConnectionEvent {
  return { kind, frame, time: T0 + frame / 1000, by, ...extra };
}

export function seg(frame: number, from: Side, flags: string, relSeq: number, relAck: number | null, length = 0, extra: Partial<SegmentRecord> = {}): SegmentRecord {
  return { frame, time: T0 + frame / 1000, from, flags, relSeq, relAck, length, marks: [], ...extra };
}

/** A clean connection: three-way handshake, client-initiated four-way close. */
export function conn(over: Partial<ConnectionReport> & { id: number }): ConnectionReport {
  const id = over.id;
  const base: ConnectionReport = {
    id,
    client: { ip: '10.0.0.1', port: 40000 + id },
    server: { ip: '10.0.0.2', port: 80 },
    roles: { decidedBy: 'syn' },
    firstFrame: id * 10 + 1,
    lastFrame: id * 10 + 8,
    start: T0 + id,
    duration: 0.052,
    handshake: {
      kind: 'three_way',
      synRetransmits: 0,
      synAckRetransmits: 0,
      rtt: { synToSynAck: 0.0001, synAckToAck: 0.00005, synBackoff: [] },
      capturePoint: 'in_between',
      options: { client: null, server: null },
    },
    close: { kind: 'four_way', initiator: 'client', rstBy: null, finalAckLost: false, finalAckSeen: true },
    finalState: { client: 'TIME_WAIT', server: 'CLOSED' },
    states: {
      client: [
        { state: 'SYN_SENT', frame: id * 10 + 1, time: T0 + id, how: 'observed' },
        { state: 'TIME_WAIT', frame: id * 10 + 8, time: T0 + id + 0.05, how: 'observed' },
      ],
      server: [],
    },
    events: [ev('syn', id * 10 + 1, 'client'), ev('handshake_complete', id * 10 + 3, 'client')],
    stats: {
      client: { packets: 5, bytes: 100, ipBytes: 300, retransmits: 0, wireBytes: 0, retransmittedBytes: 0, outOfOrder: 0, dupAcks: 0, zeroWindow: { episodes: 0, seconds: 0, shutAtEnd: false }, zeroWindowProbes: 0, rtt: null, throughput: null },
      server: { packets: 3, bytes: 200, ipBytes: 320, retransmits: 0, wireBytes: 0, retransmittedBytes: 0, outOfOrder: 0, dupAcks: 0, zeroWindow: { episodes: 0, seconds: 0, shutAtEnd: false }, zeroWindowProbes: 0, rtt: null, throughput: null },
    },
    zeek: { connState: 'SF', history: 'ShADadFf', orig: 'client', origBytes: 100, respBytes: 200 },
    completeness: 31,
    displayFilter: `tcp.stream eq ${id - 1}`,
  };
  return { ...base, ...over };
}

export function capture(over: Partial<CaptureReport> = {}): CaptureReport {
  return {
    file: 'x.pcap',
    format: 'pcap',
    linkTypes: ['EN10MB'],
    frames: 100,
    tcpSegments: 98,
    skipped: { non_tcp: 2 },
    firstTime: T0,
    lastTime: T0 + 12.5,
    warnings: [],
    ...over,
  };
}

export function report(connections: ConnectionReport[], captures: CaptureReport[] = [capture()]): Report {
  return { schemaVersion: SCHEMA_VERSION, captures, summary: summarize(connections), connections };
}

export { T0 };
