/**
 * What an expectations file may name: the paths into a ConnectionReport, the capture-wide counters
 * and the named policies. Everything is checked against this when the file is loaded, so a typo in
 * a path or a kind is a bad expectations file (exit 2), never a rule that silently passes.
 */
import { type ConnectionEvent, EVENT_CATALOGUE, EVENT_KINDS, type EventInfo, type EventKind } from '../model/events.js';
import type { ConnectionReport } from '../model/report.js';
import { CLOSE_KINDS, ENDPOINT_STATES, HANDSHAKE_KINDS } from '../model/vocabulary.js';

/** Zeek's conn_state values (Zeek's base/protocols/conn/main.zeek). */
export const ZEEK_CONN_STATES = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'] as const;

export type FieldType =
  | { type: 'number'; nullable: boolean }
  | { type: 'boolean'; nullable: boolean }
  | { type: 'string'; nullable: boolean }
  | { type: 'enum'; values: readonly string[]; nullable: boolean }
  /** A state history written "SYN_SENT > ESTABLISHED > ...": a string whose parts are state names. */
  | { type: 'states'; nullable: false };

export type Scalar = string | number | boolean | null;

export interface FieldSpec {
  field: FieldType;
  get: (c: ConnectionReport) => Scalar;
}

const num = (nullable = false): FieldType => ({ type: 'number', nullable });
const bool = (nullable = false): FieldType => ({ type: 'boolean', nullable });
const str = (nullable = false): FieldType => ({ type: 'string', nullable });
const oneOf = (values: readonly string[], nullable = false): FieldType => ({ type: 'enum', values, nullable });

const SIDES = ['client', 'server'] as const;
const WHO = ['client', 'server', 'both'] as const;

/** Walk a dotted path; a missing or null parent gives null (e.g. close.rst.by when no RST ended it). */
function walk(c: ConnectionReport, path: string): Scalar {
  let v: unknown = c;
  for (const part of path.split('.')) {
    if (v === null || v === undefined || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[part];
  }
  if (v === undefined) return null;
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return null;
}

function build(): Map<string, FieldSpec> {
  const m = new Map<string, FieldSpec>();
  const add = (path: string, field: FieldType, get?: (c: ConnectionReport) => Scalar): void => {
    m.set(path, { field, get: get ?? ((c) => walk(c, path)) });
  };
  add('id', num());
  for (const side of SIDES) {
    add(`${side}.ip`, str());
    add(`${side}.port`, num());
  }
  add('roles.decidedBy', oneOf(['syn', 'syn_ack', 'earlier_connection', 'well_known_port', 'lower_port', 'first_packet']));
  add('firstFrame', num());
  add('lastFrame', num());
  add('firstFile', num(), (c) => c.firstFile ?? 0);
  add('lastFile', num(), (c) => c.lastFile ?? 0);
  add('start', num());
  add('duration', num());
  add('handshake.kind', oneOf(HANDSHAKE_KINDS));
  add('handshake.synRetransmits', num());
  add('handshake.synAckRetransmits', num());
  add('handshake.rtt.synToSynAck', num(true));
  add('handshake.rtt.synAckToAck', num(true));
  add('handshake.rtt.synBackoff.length', num(), (c) => c.handshake.rtt.synBackoff.length);
  add('handshake.capturePoint', oneOf(['client_side', 'server_side', 'in_between', 'unknown']));
  for (const side of SIDES) {
    const p = `handshake.options.${side}`;
    add(`${p}.mss`, num(true));
    add(`${p}.windowScale`, num(true));
    add(`${p}.sackPermitted`, bool(true));
    add(`${p}.timestamps`, bool(true));
    add(`${p}.ecn`, oneOf(['none', 'ecn', 'accecn'], true));
    add(`${p}.tfo`, oneOf(['none', 'cookie_request', 'cookie', 'data'], true));
  }
  add('close.kind', oneOf(CLOSE_KINDS));
  add('close.initiator', oneOf(WHO, true));
  add('close.rstBy', oneOf(WHO, true));
  add('close.finalAckLost', bool());
  add('close.finalAckSeen', bool());
  add('close.detail', str(true));
  add('close.rst.by', oneOf(SIDES, true));
  add('close.rst.frame', num(true));
  add('close.rst.state.client', oneOf(ENDPOINT_STATES, true));
  add('close.rst.state.server', oneOf(ENDPOINT_STATES, true));
  add('close.rst.check', oneOf(['exact', 'in_window', 'out_of_window', 'unknown'], true));
  add('close.afterFirstFin.segments', num(), (c) => c.close.afterFirstFin?.segments ?? 0);
  add('close.afterFirstFin.bytes', num(), (c) => c.close.afterFirstFin?.bytes ?? 0);
  for (const side of SIDES) {
    add(`finalState.${side}`, oneOf(ENDPOINT_STATES));
    add(`states.${side}`, { type: 'states', nullable: false }, (c) => c.states[side].map((s) => s.state).join(' > '));
    for (const k of ['packets', 'bytes', 'ipBytes', 'retransmits', 'wireBytes', 'retransmittedBytes', 'outOfOrder', 'dupAcks', 'zeroWindowProbes'] as const) {
      add(`stats.${side}.${k}`, num());
    }
    add(`stats.${side}.zeroWindow.episodes`, num(), (c) => c.stats[side].zeroWindow.episodes);
    add(`stats.${side}.zeroWindow.seconds`, num(), (c) => c.stats[side].zeroWindow.seconds);
    add(`stats.${side}.zeroWindow.shutAtEnd`, bool(), (c) => c.stats[side].zeroWindow.shutAtEnd);
    add(`stats.${side}.rtt.samples`, num(), (c) => c.stats[side].rtt?.samples ?? 0);
    for (const k of ['min', 'median', 'max'] as const) add(`stats.${side}.rtt.${k}`, num(true), (c) => c.stats[side].rtt?.[k] ?? null);
    add(`stats.${side}.throughput`, num(true));
  }
  add('zeek.connState', oneOf(ZEEK_CONN_STATES));
  add('zeek.history', str());
  add('completeness', num());
  add('displayFilter', str());
  add('idleExpired', bool(), (c) => c.idleExpired === true);
  for (const kind of EVENT_KINDS) {
    add(`events.${kind}`, num(), (c) => countEvents(c, kind));
  }
  return m;
}

export function countEvents(c: ConnectionReport, kind: EventKind): number {
  let n = 0;
  for (const e of c.events) if (e.kind === kind) n++;
  return n;
}

/** Every path an `expect` block may use, in the fixed order the baseline writer sorts keys by. */
export const CONNECTION_FIELDS: ReadonlyMap<string, FieldSpec> = build();

const FIELD_ORDER = new Map([...CONNECTION_FIELDS.keys()].map((k, i) => [k, i]));
/** The verdict of a connection: how it opened and ended and where both ends were left. */
export const VERDICT_FIELDS: readonly string[] = [
  'handshake.kind',
  'close.kind',
  'close.initiator',
  'close.rstBy',
  'close.finalAckLost',
  'finalState.client',
  'finalState.server',
];

/** Sort key for expect paths: the usual verdict fields first, then the catalogue order. */
export function expectPathRank(path: string): number {
  const p = VERDICT_FIELDS.indexOf(path);
  if (p >= 0) return p;
  return VERDICT_FIELDS.length + (FIELD_ORDER.get(path) ?? 10_000);
}

// ---------------------------------------------------------------- capture-wide counters

export interface CaptureCounter {
  /** Which connections the counter counts (`connections` counts them all). */
  matches: (c: ConnectionReport) => boolean;
  /** For `events.<kind>`: count events rather than connections. */
  eventKind?: EventKind;
}

function buildCounters(): Map<string, CaptureCounter> {
  const m = new Map<string, CaptureCounter>();
  m.set('connections', { matches: () => true });
  for (const k of HANDSHAKE_KINDS) m.set(`handshake.${k}`, { matches: (c) => c.handshake.kind === k });
  for (const k of CLOSE_KINDS) m.set(`close.${k}`, { matches: (c) => c.close.kind === k });
  for (const k of EVENT_KINDS) m.set(`events.${k}`, { matches: (c) => c.events.some((e) => e.kind === k), eventKind: k });
  for (const side of SIDES) {
    for (const s of ENDPOINT_STATES) m.set(`finalState.${side}.${s}`, { matches: (c) => c.finalState[side] === s });
  }
  for (const z of ZEEK_CONN_STATES) m.set(`zeek.connState.${z}`, { matches: (c) => c.zeek.connState === z });
  return m;
}

export const CAPTURE_COUNTERS: ReadonlyMap<string, CaptureCounter> = buildCounters();
const COUNTER_ORDER = new Map([...CAPTURE_COUNTERS.keys()].map((k, i) => [k, i]));
export function counterRank(key: string): number {
  return COUNTER_ORDER.get(key) ?? 10_000;
}

// ---------------------------------------------------------------- policies

/** Why one connection breaks a policy, and which of its events show it. */
export interface PolicyViolation {
  reason: string;
  events: ConnectionEvent[];
}

export interface PolicySpec {
  description: string;
  check: (c: ConnectionReport) => PolicyViolation | null;
}

const eventsOf = (c: ConnectionReport, which: (info: EventInfo) => boolean): ConnectionEvent[] => c.events.filter((e) => which(EVENT_CATALOGUE[e.kind]));
const ofHandshake = (info: EventInfo): boolean => info.phase === 'handshake';
const ofClose = (info: EventInfo): boolean => info.phase === 'close';
/** What `no_anomalies` fails on: the catalogue's `policyAnomaly` events, so a new one is covered at once. */
const policyAnomaly = (info: EventInfo): boolean => info.policyAnomaly;

function resetBy(side: 'client' | 'server') {
  return (c: ConnectionReport): PolicyViolation | null => {
    const rsts = c.events.filter((e) => e.kind === 'rst' && e.by === side);
    if (rsts.length === 0 && c.close.rstBy !== side && c.close.rstBy !== 'both') return null;
    // Describe the side's own RST: close.detail speaks of the first RST, which may be the peer's.
    const first = rsts[0];
    const what = first?.detail ?? (c.close.rst?.by === side ? c.close.detail : undefined);
    const n = rsts.length > 1 ? `${rsts.length} RSTs` : 'RST';
    return { reason: `${side} sent ${n}${what ? ` (${what})` : ''}; close.kind ${c.close.kind}`, events: rsts };
  };
}

export const POLICIES = {
  no_reset_by_server: { description: 'the server never resets a connection', check: resetBy('server') },
  no_reset_by_client: { description: 'the client never resets a connection', check: resetBy('client') },
  no_reset: {
    description: 'no connection is reset by either side',
    check: (c) => {
      const rsts = c.events.filter((e) => e.kind === 'rst');
      if (rsts.length === 0 && c.close.rstBy === null) return null;
      return { reason: `RST by ${c.close.rstBy ?? rsts.map((e) => e.by ?? '?').join(', ')}`, events: rsts };
    },
  },
  // RFC 9293 §3.3.2: CLOSE-WAIT is "waiting for a connection termination request from the local
  // user" — the peer has closed and the application has not: the classic leak.
  no_close_wait_at_end: {
    description: 'no endpoint is left in CLOSE_WAIT (peer closed, application never did) at the end of the capture',
    check: (c) => {
      const sides = SIDES.filter((s) => c.finalState[s] === 'CLOSE_WAIT');
      if (sides.length === 0) return null;
      return { reason: `${sides.join(' and ')} still in CLOSE_WAIT at the end of the capture`, events: eventsOf(c, ofClose) };
    },
  },
  // RFC 9293 §3.6: the passive closer in LAST-ACK retransmits its FIN until the final ACK arrives.
  no_final_ack_lost: {
    description: 'no passive closer had to retransmit its FIN because the final ACK was lost',
    check: (c) =>
      c.close.finalAckLost
        ? { reason: 'final ACK lost (the passive closer retransmitted its FIN)', events: c.events.filter((e) => e.kind === 'final_ack_lost' || e.kind === 'fin_retransmit') }
        : null,
  },
  no_unanswered_syn: {
    description: 'every SYN is answered (no handshake of kind unanswered)',
    check: (c) => (c.handshake.kind === 'unanswered' ? { reason: `SYN unanswered (${c.handshake.synRetransmits} retransmissions)`, events: eventsOf(c, ofHandshake) } : null),
  },
  no_refused: {
    description: 'no connection attempt is refused with RST',
    check: (c) => (c.handshake.kind === 'refused' ? { reason: 'connection refused (SYN answered by RST)', events: eventsOf(c, ofHandshake).concat(c.events.filter((e) => e.kind === 'rst')) } : null),
  },
  no_incomplete_handshake: {
    description: 'no client leaves a SYN-ACK unacknowledged (handshake kind incomplete)',
    check: (c) => (c.handshake.kind === 'incomplete' ? { reason: 'SYN-ACK never acknowledged by the client', events: eventsOf(c, ofHandshake) } : null),
  },
  all_handshakes_complete: {
    description: 'every handshake the capture saw completed (three_way or simultaneous_open; not_captured is not held against it)',
    check: (c) => {
      const k = c.handshake.kind;
      if (k === 'three_way' || k === 'simultaneous_open' || k === 'not_captured') return null;
      return { reason: `handshake ${k}`, events: eventsOf(c, ofHandshake) };
    },
  },
  no_syn_retransmit: {
    description: 'no SYN or SYN-ACK had to be retransmitted',
    check: (c) =>
      c.handshake.synRetransmits + c.handshake.synAckRetransmits === 0
        ? null
        : {
            reason: `${c.handshake.synRetransmits} SYN and ${c.handshake.synAckRetransmits} SYN-ACK retransmissions`,
            events: c.events.filter((e) => e.kind === 'syn_retransmit' || e.kind === 'syn_ack_retransmit'),
          },
  },
  all_closed: {
    description: 'every established connection ends with a FIN exchange (four_way, three_way or simultaneous close)',
    check: (c) => {
      const k = c.close.kind;
      if (k === 'four_way' || k === 'three_way' || k === 'simultaneous' || k === 'not_established') return null;
      return { reason: `close ${k}${c.close.detail ? `: ${c.close.detail}` : ''}`, events: eventsOf(c, ofClose) };
    },
  },
  // RFC 9293 §3.6.1 / RFC 6191: a new SYN may reopen a 4-tuple in TIME-WAIT; some stacks refuse it.
  no_time_wait_reuse: {
    description: 'no new connection reuses a 4-tuple still in TIME_WAIT',
    check: (c) => {
      const ev = c.events.filter((e) => e.kind === 'time_wait_reuse');
      return ev.length === 0 ? null : { reason: 'new SYN on a 4-tuple in TIME_WAIT', events: ev };
    },
  },
  no_anomalies: {
    description: 'no named anomaly (SYN+FIN, out-of-window RST, bad checksum, malformed options, ...)',
    check: (c) => {
      const ev = eventsOf(c, policyAnomaly);
      return ev.length === 0 ? null : { reason: `anomalies: ${[...new Set(ev.map((e) => e.kind))].join(', ')}`, events: ev };
    },
  },
} as const satisfies Record<string, PolicySpec>;

export type PolicyName = keyof typeof POLICIES;
export const POLICY_NAMES = Object.keys(POLICIES) as PolicyName[];

/** Which events help explain a mismatch on a path (the frames a user should look at). */
export function relevantEvents(c: ConnectionReport, path: string): ConnectionEvent[] {
  if (path.startsWith('events.')) return c.events.filter((e) => e.kind === path.slice(7));
  if (path.startsWith('handshake.')) return eventsOf(c, ofHandshake);
  if (path.startsWith('close.rst')) return c.events.filter((e) => e.kind === 'rst');
  if (path.startsWith('close.') || path.startsWith('finalState.') || path === 'idleExpired') return eventsOf(c, ofClose);
  if (path.startsWith('zeek.') || path === 'completeness') return eventsOf(c, (info) => ofHandshake(info) || ofClose(info));
  return [];
}

/** Closest known name, for "did you mean" hints. */
export function closest(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const cand of candidates) {
    const d = editDistance(word.toLowerCase(), cand.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 4)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min((prev[j] as number) + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}
