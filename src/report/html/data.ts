/**
 * The compact data block the HTML report embeds once and renders from on the client.
 *
 * A capture with 100,000 connections must give a file that opens fast, so every connection is one
 * JSON array (no repeated keys), repeated strings (addresses, Zeek histories, display-filter
 * templates, sets of event kinds) are interned into tables, and times are relative to the start
 * of the capture, rounded to the microsecond. Per-connection detail (events, state changes,
 * ladder segments) is embedded only for the connections chosen by `detailFor`.
 */
import { EVENT_CATALOGUE, EVENT_KINDS, type EventKind } from '../../model/events.js';
import type { ConnectionReport, Report } from '../../model/report.js';
import { CLOSE_KINDS, ENDPOINT_STATES, HANDSHAKE_KINDS, type Who } from '../../model/vocabulary.js';
import { inferLosses, segmentStates } from '../ladder-rows.js';

/** Column indices of a connection row (the client script mirrors these). */
export const COL = {
  id: 0,
  clientIp: 1,
  clientPort: 2,
  serverIp: 3,
  serverPort: 4,
  /** Start, seconds after `t0`. */
  start: 5,
  duration: 6,
  handshake: 7,
  close: 8,
  /** 0 none, 1 client, 2 server, 3 both. */
  initiator: 9,
  rstBy: 10,
  finalClient: 11,
  finalServer: 12,
  /** Index into `evsets`. */
  eventSet: 13,
  eventCount: 14,
  /** Handshake SYN→SYN-ACK in seconds, or null. */
  rtt: 15,
  packetsClient: 16,
  packetsServer: 17,
  bytesClient: 18,
  bytesServer: 19,
  retransmits: 20,
  /** Index into `str`. */
  zeekState: 21,
  zeekHistory: 22,
  /** Index into `str` of the display filter template ({c} {s} {cp} {sp} stand for the endpoints). */
  filter: 23,
  firstFrame: 24,
  lastFrame: 25,
  /** File index of firstFrame. */
  file: 26,
  /** FLAG bits. */
  flags: 27,
  /** Index into `str` of close.detail, or -1. */
  closeDetail: 28,
  completeness: 29,
  /** Index into `detail`, or -1 when no detail is embedded. */
  detail: 30,
} as const;

export const FLAG = {
  finalAckLost: 1,
  finalAckSeen: 2,
  idleExpired: 4,
} as const;

export type Row = (number | null)[];

/** Per-connection detail: events, state changes and ladder segments. */
export interface DetailBlock {
  /** [kind, frame, file, time since connection start, by (0 none 1 client 2 server), detail str or -1] */
  e: number[][];
  /** [state, frame, time since connection start, how (0 observed, 1 inferred)] per side. */
  sc: number[][];
  ss: number[][];
  /**
   * [frame, file, time since connection start, from (1 client 2 server), flags str, relSeq, relAck or null, length, marks str or -1,
   * client states, server states]: the states a side entered on the segment are -1 when none, a state
   * index when one, an array of state indices in order when several (FIN_WAIT_1 then CLOSING).
   */
  g: (number | number[] | null)[][] | null;
  /** Handshake extras: [synAckToAck or null, synRetransmits, synAckRetransmits, capturePoint str]. */
  h: (number | null)[];
  /** Close extras: [finalAckSeen, rst check str or -1, rst by (0/1/2), rst frame or null]. */
  c: (number | null)[];
  /** Segments left out of `g` by the recording cap (they were the middle of the connection). */
  x: number;
  /**
   * Indices into `g` of segments the capture saw that never reached the other side (lost after the
   * capture point), as the terminal ladder marks them (ladder-rows.ts `inferLosses`); absent when none.
   */
  l?: number[];
  /**
   * Segments lost before the capture point, inferred from the retransmission they caused:
   * [index into `g` of the segment they follow, from (1 client 2 server), what (str)]; absent when none.
   */
  lu?: number[][];
}

export interface Payload {
  v: 1;
  /** Reference time (seconds since the epoch) the row times are relative to. */
  t0: number;
  hk: readonly string[];
  ck: readonly string[];
  ek: readonly string[];
  st: readonly string[];
  ips: string[];
  str: string[];
  evsets: number[][];
  rows: Row[];
  detail: DetailBlock[];
  /** How many connections have ladder segments embedded. */
  ladders: number;
  /** Number of input files (frame numbers are per file). */
  files: number;
  /** Event kinds (indices into `ek`) the table lists; the routine ones are implied by the kinds. */
  notable: number[];
}

/**
 * Events that deserve a user's glance in the table: all but the routine ones (syn, fin,
 * close_complete, ...) and those the kinds already say (midstream_start: not_captured,
 * open_at_end: open, half_close: half_closed).
 */
export function isNotable(kind: EventKind): boolean {
  const info = EVENT_CATALOGUE[kind];
  return info.severity !== 'routine' && !info.impliedByKind;
}

class Interner {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(value);
      this.index.set(value, i);
    }
    return i;
  }
}

/** Microsecond rounding: captures rarely carry more, and it keeps the JSON short. */
export function roundUs(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

function who(w: Who | null): number {
  return w === 'client' ? 1 : w === 'server' ? 2 : w === 'both' ? 3 : 0;
}

const HK_INDEX = new Map<string, number>(HANDSHAKE_KINDS.map((k, i) => [k, i]));
const CK_INDEX = new Map<string, number>(CLOSE_KINDS.map((k, i) => [k, i]));
const EK_INDEX = new Map<string, number>(EVENT_KINDS.map((k, i) => [k, i]));
const ST_INDEX = new Map<string, number>(ENDPOINT_STATES.map((k, i) => [k, i]));

function idx(map: Map<string, number>, key: string): number {
  return map.get(key) ?? -1;
}

/** The states a side entered on one segment: -1, one index, or several in order (see DetailBlock.g). */
function stateCell(states: readonly string[]): number | number[] {
  if (states.length === 0) return -1;
  if (states.length === 1) return idx(ST_INDEX, states[0]!);
  return states.map((s) => idx(ST_INDEX, s));
}

/**
 * Turn a display filter into a template by replacing the connection's own addresses and ports with
 * placeholders, so that 100,000 filters of the same shape are stored once. The template is used
 * only when expanding it gives back exactly the original; otherwise the filter is stored as is.
 */
export function filterTemplate(filter: string, c: ConnectionReport): string {
  const cp = String(c.client.port);
  const sp = String(c.server.port);
  // Escape literal braces first so the placeholders are unambiguous, then replace whole tokens
  // (runs of address/number characters) that are exactly one of the connection's values.
  const t = filter
    .replace(BRACES, (b) => (b === '{' ? '{{' : '}}'))
    .replace(TOKEN, (tok) => (tok === c.client.ip ? '{c}' : tok === c.server.ip ? '{s}' : tok === cp ? '{cp}' : tok === sp ? '{sp}' : tok));
  return expandFilterTemplate(t, c.client.ip, c.server.ip, c.client.port, c.server.port) === filter ? t : `={${filter}`;
}
const BRACES = /[{}]/g;
const TOKEN = /[0-9A-Za-z.:_]+/g;

/** The inverse of `filterTemplate` (the client script implements the same function). */
export function expandFilterTemplate(t: string, c: string, s: string, cp: number, sp: number): string {
  if (t.startsWith('={')) return t.slice(2);
  return t.replace(/\{\{|\}\}|\{c\}|\{s\}|\{cp\}|\{sp\}/g, (m) => {
    switch (m) {
      case '{{':
        return '{';
      case '}}':
        return '}';
      case '{c}':
        return c;
      case '{s}':
        return s;
      case '{cp}':
        return String(cp);
      default:
        return String(sp);
    }
  });
}

export interface PayloadOptions {
  /** Connections (by index in report.connections) whose events and state changes are embedded. */
  detailFor: (index: number, connection: ConnectionReport) => boolean;
}

export function referenceTime(report: Report): number {
  let t0 = Infinity;
  for (const cap of report.captures) if (cap.firstTime !== null && cap.firstTime < t0) t0 = cap.firstTime;
  for (const c of report.connections) if (c.start < t0) t0 = c.start;
  return Number.isFinite(t0) ? t0 : 0;
}

export function buildPayload(report: Report, options: PayloadOptions): Payload {
  const builder = new PayloadBuilder();
  report.connections.forEach((c, i) => builder.add(c, options.detailFor(i, c)));
  return builder.finish(referenceTime(report), report.captures.length);
}

/**
 * The payload built connection by connection, as a run reports them (tcpshake report keeps no
 * connection: see html/stream.ts). Rows are kept as compact arrays; finish() makes their start times
 * relative to the reference time, known only at the end.
 */
export class PayloadBuilder {
  private readonly ips = new Interner();
  private readonly str = new Interner();
  private readonly evsetIndex = new Map<string, number>();
  private readonly evsets: number[][] = [];
  private rows: Row[] = [];
  private detail: DetailBlock[] = [];
  private ladders = 0;

  get rowCount(): number {
    return this.rows.length;
  }

  /** Detail blocks embedded so far. */
  detailCount(): number {
    return this.detail.length;
  }

  /** The addresses the rows' ip columns index. */
  ipList(): readonly string[] {
    return this.ips.list;
  }

  /** One more row; `withDetail` embeds its events and state changes (always, when it has segments). */
  add(c: ConnectionReport, withDetail: boolean): void {
    const kinds = new Set<number>();
    for (const e of c.events) kinds.add(idx(EK_INDEX, e.kind));
    const set = [...kinds].sort((a, b) => a - b);
    const key = set.join(',');
    let es = this.evsetIndex.get(key);
    if (es === undefined) {
      es = this.evsets.length;
      this.evsets.push(set);
      this.evsetIndex.set(key, es);
    }
    let flags = 0;
    if (c.close.finalAckLost) flags |= FLAG.finalAckLost;
    if (c.close.finalAckSeen) flags |= FLAG.finalAckSeen;
    if (c.idleExpired) flags |= FLAG.idleExpired;

    let d = -1;
    const hasSegments = c.segments !== undefined && c.segments.length > 0;
    if (hasSegments || withDetail) {
      d = this.detail.length;
      const rel = (t: number): number => roundUs(t - c.start);
      const states = hasSegments ? segmentStates(c) : [];
      const block: DetailBlock = {
        e: c.events.map((e) => [
          idx(EK_INDEX, e.kind),
          e.frame,
          e.file ?? 0,
          rel(e.time),
          who(e.by),
          e.detail !== undefined ? this.str.of(e.detail) : -1,
        ]),
        sc: c.states.client.map((s) => [idx(ST_INDEX, s.state), s.frame, rel(s.time), s.how === 'inferred' ? 1 : 0]),
        ss: c.states.server.map((s) => [idx(ST_INDEX, s.state), s.frame, rel(s.time), s.how === 'inferred' ? 1 : 0]),
        g: hasSegments
          ? c.segments!.map((g, j) => [
              g.frame,
              g.file ?? 0,
              rel(g.time),
              g.from === 'client' ? 1 : 2,
              this.str.of(g.flags),
              g.relSeq,
              g.relAck,
              g.length,
              g.marks.length > 0 ? this.str.of(g.marks.join(',')) : -1,
              stateCell(states[j]!.client),
              stateCell(states[j]!.server),
            ])
          : null,
        h: [
          c.handshake.rtt.synAckToAck,
          c.handshake.synRetransmits,
          c.handshake.synAckRetransmits,
          this.str.of(c.handshake.capturePoint),
        ],
        c: [
          c.close.finalAckSeen ? 1 : 0,
          c.close.rst ? this.str.of(c.close.rst.check) : -1,
          c.close.rst ? (c.close.rst.by === 'client' ? 1 : 2) : 0,
          c.close.rst ? c.close.rst.frame : null,
        ],
        x: c.elidedSegments ?? 0,
      };
      if (hasSegments) {
        this.ladders++;
        const { lost, lostUnseenAfter } = inferLosses(c);
        if (lost.size > 0) block.l = [...lost].sort((a, b) => a - b);
        if (lostUnseenAfter.size > 0) {
          block.lu = [...lostUnseenAfter.entries()]
            .sort(([a], [b]) => a - b)
            .map(([j, u]) => [j, u.from === 'client' ? 1 : 2, this.str.of(u.what)]);
        }
      }
      this.detail.push(block);
    }

    const row: Row = [];
    row[COL.id] = c.id;
    row[COL.clientIp] = this.ips.of(c.client.ip);
    row[COL.clientPort] = c.client.port;
    row[COL.serverIp] = this.ips.of(c.server.ip);
    row[COL.serverPort] = c.server.port;
    // Absolute until finish() knows the reference time.
    row[COL.start] = c.start;
    row[COL.duration] = roundUs(c.duration);
    row[COL.handshake] = idx(HK_INDEX, c.handshake.kind);
    row[COL.close] = idx(CK_INDEX, c.close.kind);
    row[COL.initiator] = who(c.close.initiator);
    row[COL.rstBy] = who(c.close.rstBy);
    row[COL.finalClient] = idx(ST_INDEX, c.finalState.client);
    row[COL.finalServer] = idx(ST_INDEX, c.finalState.server);
    row[COL.eventSet] = es;
    row[COL.eventCount] = c.events.length;
    row[COL.rtt] = c.handshake.rtt.synToSynAck === null ? null : roundUs(c.handshake.rtt.synToSynAck);
    row[COL.packetsClient] = c.stats.client.packets;
    row[COL.packetsServer] = c.stats.server.packets;
    row[COL.bytesClient] = c.stats.client.bytes;
    row[COL.bytesServer] = c.stats.server.bytes;
    row[COL.retransmits] = c.stats.client.retransmits + c.stats.server.retransmits;
    row[COL.zeekState] = this.str.of(c.zeek.connState);
    row[COL.zeekHistory] = this.str.of(c.zeek.history);
    row[COL.filter] = this.str.of(filterTemplate(c.displayFilter, c));
    row[COL.firstFrame] = c.firstFrame;
    row[COL.lastFrame] = c.lastFrame;
    row[COL.file] = c.firstFile ?? 0;
    row[COL.flags] = flags;
    row[COL.closeDetail] = c.close.detail !== undefined ? this.str.of(c.close.detail) : -1;
    row[COL.completeness] = c.completeness;
    row[COL.detail] = d;
    this.rows.push(row);
  }

  /**
   * Drops the rows `drop` says to drop (a table that grew past its bound keeps its notable rows only,
   * see html/stream.ts), with their detail blocks.
   */
  dropRows(drop: (row: Row) => boolean): void {
    const kept: Row[] = [];
    const detail: DetailBlock[] = [];
    let ladders = 0;
    for (const row of this.rows) {
      if (drop(row)) continue;
      const d = row[COL.detail]!;
      if (d >= 0) {
        const block = this.detail[d]!;
        row[COL.detail] = detail.length;
        detail.push(block);
        if (block.g !== null) ladders++;
      }
      kept.push(row);
    }
    this.rows = kept;
    this.detail = detail;
    this.ladders = ladders;
  }

  /** Sorts the rows with `compare` (before finish(): start times are still absolute). */
  sortRows(compare: (a: Row, b: Row) => number): void {
    this.rows.sort(compare);
  }

  /** The payload, times relative to `t0`, for a run over `files` input files. */
  finish(t0: number, files: number): Payload {
    for (const row of this.rows) row[COL.start] = roundUs(row[COL.start]! - t0);
    return {
      v: 1,
      t0,
      hk: HANDSHAKE_KINDS,
      ck: CLOSE_KINDS,
      ek: EVENT_KINDS,
      st: ENDPOINT_STATES,
      ips: this.ips.list,
      str: this.str.list,
      evsets: this.evsets,
      rows: this.rows,
      detail: this.detail,
      ladders: this.ladders,
      files,
      notable: EVENT_KINDS.flatMap((k, i) => (isNotable(k) ? [i] : [])),
    };
  }
}
