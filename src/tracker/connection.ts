/**
 * The connection tracker: one RFC 9293 state machine per endpoint, driven by the segments the
 * capture saw. A change is `observed` when the endpoint's own segment shows it, `inferred` when a
 * segment of its peer's is taken as delivered to it (the capture point sits somewhere between them).
 *
 * Layout (smoltcp style): the segment is first classified (flags, sequence space, what it
 * acknowledges) into the run's `SegmentScratch` (`this.cur`); then `senderStep` (a switch on the
 * sender's state) and `receiverStep` (a switch on the receiver's state) apply the transitions; every
 * change goes through `setState()`. Nothing here throws on packet contents: odd segments become named
 * events, logged with their typed payloads (model/events.ts). Where the tracker sits among the
 * layers: docs/architecture.md.
 *
 * Hot path: a data segment in ESTABLISHED touches only numbers (no allocation) unless segment
 * recording is on.
 */
import type { Segment } from '../decode/segment.js';
import { TcpFlag } from '../decode/segment.js';
import { formatAddress } from '../decode/address.js';
import { flagsToString } from '../decode/tcp.js';
import { eventDetail } from '../model/event-detail.js';
import { type BothStates, type ConnectionEvent, EVENT_KINDS, type EventKind, type EventPayloads, type FrameRef } from '../model/events.js';
import type { CloseReport, ConnectionReport, DirectionStats, HandshakeReport, NegotiatedOptions, SegmentRecord, StateChange } from '../model/report.js';
import type { Endpoint } from '../model/endpoint.js';
import { ENDPOINT_STATES, type EndpointState, type Side } from '../model/vocabulary.js';
import { assertNever } from '../util/assert.js';
import { defineBitFlags, defineDoubleSlots, grownBy } from '../util/packed-fields.js';
import { CompletenessObserver } from './completeness.js';
import { labelStates, Mark, markNames, SegmentRecorder } from './record.js';
import { seqAdd, seqGe, seqGt, seqInWindow, seqLe, seqLt } from './seq.js';
import {
  capturePoint,
  closeInitiator,
  closeKind,
  handshakeEstablished,
  handshakeKind,
  negotiatedOptions,
  whoOf,
  type CloseFacts,
  type HandshakeFacts,
} from './verdicts.js';
import { ZeekObserver, type ZeekObserverOptions } from './zeek.js';
import type { ZeekRemoval } from './zeek-timers.js';
import { countOutOfOrder, countRetransmitted, directionStats, transferSegment, type TransferTrack } from './transfer.js';
import { interval, type CaptureClock } from './clock.js';
import { word32 } from '../util/bytes.js';

export type RoleRule = ConnectionReport['roles']['decidedBy'];

export interface TrackerConfig {
  /** Maximum segment lifetime, seconds of capture time. */
  msl: number;
  /** Keep ladder rows, at most this many (first and last halves); 0 = do not record. */
  recordSegments: number;
  /** The run has several inputs: events and reports carry file indexes. */
  multiFile: boolean;
  onEvent: ((event: ConnectionEvent, connection: { id: number; client: Endpoint; server: Endpoint }) => void) | null;
  /** Settings of the Zeek view (checksums, likely server ports), to line it up with a given Zeek run. */
  zeek?: ZeekObserverOptions;
  /** The run's clock: every time given to or kept by a tracker is relative to it (see clock.ts). */
  clock: CaptureClock;
  /** Where the run's trackers note the segment they are processing (one per run). */
  scratch: SegmentScratch;
  /**
   * Whether onSegment() may take its fast path for in-order segments in ESTABLISHED (default true;
   * false sends every segment through the full path, with the same reports, to check just that).
   */
  fastPath?: boolean;
}

/**
 * The segment a tracker is processing, and what it shows, set as the full path of onSegment()
 * begins and read only until it returns. A tracker processes one segment at a time and nothing of
 * this outlives it, so a run's trackers share one: as eleven fields of every tracker (a boxed time
 * among them) it was about 4% of a live connection's memory.
 */
export class SegmentScratch {
  frame = 0;
  file = 0;
  time = 0;
  marks = 0;
  syn = false;
  ack = false;
  fin = false;
  len = 0;
  finNew = false;
  acksPeerSyn = false;
  acksPeerFin = false;
  /** It acknowledges sequence space of the peer's beyond its SYN (and any data on the SYN). */
  acksPeerData = false;
}

/** Why the tracker is being turned into a report. */
export type FinishReason = 'over' | 'end' | 'idle' | 'replaced';

/** An endpoint state's number in an EndpointTrack's state log (its index in ENDPOINT_STATES). */
const STATE_CODE = Object.fromEntries(ENDPOINT_STATES.map((s, i) => [s, i])) as Record<EndpointState, number>;
/**
 * Numbers per entry of the state log: the frame, state code, how and cause in one (see stateWord),
 * then the time (epoch seconds).
 */
const STATE_ENTRY = 2;
/**
 * A state change's frame, state code (< 16), how (1 when inferred) and cause (1 when a timer, not a
 * segment) as one exact number (frame < 2^47).
 */
function stateWord(frame: number, code: number, inferred: number, timer = 0): number {
  return frame * 64 + timer * 32 + inferred * 16 + code;
}
/** An event kind's number in a tracker's event log (its index in EVENT_KINDS). */
const EVENT_CODE = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i])) as Record<EventKind, number>;
/**
 * Numbers per entry of the event log: the frame, BY_* and kind code in one (frame × 256 + by × 64 +
 * kind, exact for frames below 2^45), the time (epoch seconds), the file index.
 */
const EVENT_ENTRY = 3;
// The packed words above leave 4 bits for a state code and 6 for an event kind.
if (ENDPOINT_STATES.length > 16 || EVENT_KINDS.length > 64) throw new Error('state log or event log: codes no longer fit their bits');
const BY_NONE = 0;
const BY_CLIENT = 1;
const BY_SERVER = 2;

/**
 * The payloads nearly every closed connection carries, made once (frozen: events of many connections
 * share them): built per event, each was a new object held by every live connection.
 */
function bySide<T>(make: (side: Side) => T): Record<Side, T> {
  return { client: make('client'), server: make('server') };
}
const FIN_PAYLOAD = Object.fromEntries(
  ENDPOINT_STATES.map((state) => [state, [Object.freeze({ state, afterRst: false }), Object.freeze({ state, afterRst: true })]]),
) as Record<EndpointState, [EventPayloads['fin'], EventPayloads['fin']]>;
const HALF_CLOSE_PAYLOAD = bySide((afterFinOf): EventPayloads['half_close'] => Object.freeze({ afterFinOf }));
const CLOSE_COMPLETE_PAYLOAD = bySide((finOf): EventPayloads['close_complete'] => Object.freeze({ finOf }));

/** The payload argument of `emit`: optional for the kinds whose payload has no required field. */
type PayloadArg<K extends EventKind> = object extends EventPayloads[K] ? [payload?: EventPayloads[K]] : [payload: EventPayloads[K]];

/** The handshake_complete payload when the client's ACK was not captured but the server's segments prove it. */
const CLIENT_ACK_INFERRED: EventPayloads['handshake_complete'] = Object.freeze({ inferred: true });

/** The empty list all endpoints share until they have something to list. */
const NO_TIMES: number[] = [];

/** What one endpoint did, as far as the capture shows. */
export class EndpointTrack {
  /** The yes/no facts below, one bit each (see the defineBitFlags call after the class). */
  bits = 0;
  /** The number members V8 would box (sequence numbers past 2^31, times), unboxed (see ENDPOINT_DOUBLES). */
  doubles: number[] = ENDPOINT_DOUBLES.fresh();
  state: EndpointState = 'CLOSED';
  /**
   * Its state changes, STATE_ENTRY numbers each, in one array of doubles: a live connection holds a
   * few changes per end, and as objects (plus a boxed time each) they were about 15% of a tracker.
   * Turned into StateChange objects for the report (`states`). Exact-size while short.
   */
  stateLog: number[] = [];
  /** The endpoint reached ESTABLISHED at some point. */
  declare everEstablished: boolean;
  /** Time it entered TIME_WAIT (restarted by a re-acknowledged FIN), for the 2×MSL rule. */
  timeWaitSince: number | null = null;

  /** Initial sequence number (from its SYN / SYN-ACK, or inferred from the peer's ACK). */
  declare isnKnown: boolean;
  declare isnInferred: boolean;
  declare isn: number;
  /** Bare SYNs sent with the ISN (1 + retransmissions) and their times (see `synTimes`). */
  synCount = 0;
  /**
   * The times of those SYNs after the first, whose time is `firstSynTime` (NaN until one): nearly
   * every endpoint sends one SYN or none, and an array per endpoint for that was 4% of a tracker.
   * A shared empty array until a second SYN (never written to: appended() returns a new one).
   */
  laterSynTimes: number[] = NO_TIMES;
  declare firstSynTime: number;
  synFrame = 0;
  declare synTime: number;
  /** TSval of its first SYN, or −1 without timestamps: a SYN-ACK echoing it answers that SYN. */
  declare synTsVal: number;
  synDataLen = 0;
  synAckCount = 0;
  synAckFrame = 0;
  synAckFile = 0;
  declare synAckTime: number;
  options: NegotiatedOptions | null = null;
  /** Window scale shift offered on its SYN (−1 when absent). */
  wscaleOffered = -1;

  /** Next sequence number after everything it sent that the capture saw (snd.nxt as observed). */
  declare sndKnown: boolean;
  declare sndNxt: number;
  /** Highest acknowledgment it sent. */
  declare ackKnown: boolean;
  declare lastAck: number;
  /** Last advertised window (raw header value) and whether it came on a SYN (never scaled). */
  window = 0;
  declare windowOnSyn: boolean;
  declare tsKnown: boolean;
  declare lastTsVal: number;

  declare finSent: boolean;
  declare finSeq: number;
  finFrame = 0;
  finFile = 0;
  declare finAcked: boolean;

  /** Bytes missing from its stream in the capture (one pending gap). */
  declare holeActive: boolean;
  declare holeStart: number;
  declare holeEnd: number;

  declare sentAny: boolean;
  declare rstSent: boolean;
  declare badChecksumNoted: boolean;
  declare malformedNoted: boolean;
  declare afterRstNoted: boolean;

  packets = 0;
  bytes = 0;
  ipBytes = 0;
  wireBytes = 0;
  retransmits = 0;
  /**
   * Sequence space of its that the peer acknowledged while the capture held none of its segments
   * (a direction the capture point did not see), and the frame of the first such acknowledgment.
   */
  unseenAcked = 0;
  unseenFrame = 0;
  unseenFile = 0;
  /** Its transfer facts (tracker/transfer.ts), from its first segment that is neither SYN nor RST. */
  transfer: TransferTrack | null = null;

  /**
   * Its previous segment, as far as the duplicate rule needs it (see ConnectionTracker.isDuplicate):
   * numbers copied from the reused Segment, never a reference to it. prevTime is −∞ when there is
   * none, or when the peer has sent something since.
   */
  declare prevTime: number;
  prevFrame = 0;
  prevFile = 0;
  declare prevSeq: number;
  declare prevAck: number;
  prevFlags = 0;
  prevWindow = 0;
  prevLen = 0;
  prevIpId = 0;
  prevSack = 0;
  /** Copies of its segments taken as captured twice, and the index of its `duplicate` event (−1: none yet). */
  duplicates = 0;
  duplicateEvent = -1;

  constructor(readonly side: Side) {}

  /** Its state changes, as the report gives them. */
  get states(): StateChange[] {
    const log = this.stateLog;
    const out: StateChange[] = [];
    for (let i = 0; i < log.length; i += STATE_ENTRY) {
      const word = log[i]!;
      const low = word % 64;
      const change: StateChange = { state: ENDPOINT_STATES[low & 15]!, frame: (word - low) / 64, time: log[i + 1]!, how: (low & 16) !== 0 ? 'inferred' : 'observed' };
      if ((low & 32) !== 0) change.cause = 'timer';
      out.push(change);
    }
    return out;
  }

  /** Logs a change to `state` (`time` in epoch seconds). */
  logState(state: EndpointState, frame: number, time: number, how: StateChange['how'], byTimer = false): void {
    const n = this.stateLog.length;
    const log = grownBy(this.stateLog, STATE_ENTRY);
    log[n] = stateWord(frame, STATE_CODE[state], how === 'inferred' ? 1 : 0, byTimer ? 1 : 0);
    log[n + 1] = time;
    this.stateLog = log;
  }

  /** Withdraws the last change when it was an inference to `state`; false when it was not. */
  retractInferred(state: EndpointState): boolean {
    const log = this.stateLog;
    const n = log.length;
    if (n === 0 || log[n - STATE_ENTRY]! % 64 !== 16 + STATE_CODE[state]) return false;
    log.length = n - STATE_ENTRY;
    return true;
  }

  /** The times of its bare SYNs with the ISN, in order. */
  get synTimes(): number[] {
    return Number.isNaN(this.firstSynTime) ? [] : [this.firstSynTime, ...this.laterSynTimes];
  }

  /** Notes a bare SYN with the ISN sent at `t`; returns the time of the one before it (`t` when none). */
  noteSyn(t: number): number {
    if (Number.isNaN(this.firstSynTime)) {
      this.firstSynTime = t;
      return t;
    }
    const later = this.laterSynTimes;
    const prev = later.length > 0 ? later[later.length - 1]! : this.firstSynTime;
    this.laterSynTimes = appended(later, t);
    return prev;
  }

  /** Its direction's stats; `duration` the connection's, `end` the capture time of the report. */
  stats(duration: number, end: number): DirectionStats {
    return directionStats(this.packets, this.bytes, this.ipBytes, this.retransmits, this.wireBytes, this.transfer, duration, end);
  }
}

/** EndpointTrack's number members that hold sequence numbers or times, kept in its `doubles`. */
const ENDPOINT_DOUBLES = defineDoubleSlots(EndpointTrack, {
  isn: 0,
  synTime: 0,
  firstSynTime: NaN,
  synTsVal: -1,
  synAckTime: 0,
  sndNxt: 0,
  lastAck: 0,
  lastTsVal: 0,
  finSeq: 0,
  holeStart: 0,
  holeEnd: 0,
  prevTime: -Infinity,
  prevSeq: 0,
  prevAck: 0,
});

/** EndpointTrack's boolean members, kept as bits of its `bits` field. */
defineBitFlags(EndpointTrack, ['everEstablished', 'isnKnown', 'isnInferred', 'sndKnown', 'ackKnown', 'windowOnSyn', 'tsKnown', 'finSent', 'finAcked', 'holeActive', 'sentAny', 'rstSent', 'badChecksumNoted', 'malformedNoted', 'afterRstNoted']);

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;

/** States in which an endpoint has a synchronized connection (RFC 9293 §3.10.7.4). */
function synchronized(s: EndpointState): boolean {
  switch (s) {
    case 'ESTABLISHED':
    case 'FIN_WAIT_1':
    case 'FIN_WAIT_2':
    case 'CLOSE_WAIT':
    case 'CLOSING':
    case 'LAST_ACK':
    case 'TIME_WAIT':
      return true;
    case 'CLOSED':
    case 'LISTEN':
    case 'SYN_SENT':
    case 'SYN_RECEIVED':
      return false;
    default:
      return assertNever(s, 'endpoint state');
  }
}

/** States that hold no live connection (nothing more is expected of this end). */
export function quiescent(s: EndpointState): boolean {
  return s === 'CLOSED' || s === 'TIME_WAIT' || s === 'LISTEN';
}

/**
 * `list` with `x` appended. While short (up to 8), the result is a new array of exactly the new
 * length: V8 gives an array room for 17 elements at its first push, and a live connection holds a few
 * states, events and SYN times in each of five arrays — with tens of thousands of connections live,
 * that room was about 8% of the heap. Longer lists grow in place as usual.
 */
function appended<T>(list: T[], x: T): T[] {
  // Array literals: allocated inline at exactly their length, and packed (JSON.stringify's fast
  // path skips holey arrays; concat() would be exact too, but is a slow builtin call here).
  switch (list.length) {
    case 0:
      return [x];
    case 1:
      return [list[0]!, x];
    case 2:
      return [list[0]!, list[1]!, x];
    case 3:
      return [list[0]!, list[1]!, list[2]!, x];
    case 4:
      return [list[0]!, list[1]!, list[2]!, list[3]!, x];
    case 5:
      return [list[0]!, list[1]!, list[2]!, list[3]!, list[4]!, x];
    case 6:
      return [list[0]!, list[1]!, list[2]!, list[3]!, list[4]!, list[5]!, x];
    case 7:
      return [list[0]!, list[1]!, list[2]!, list[3]!, list[4]!, list[5]!, list[6]!, x];
    default:
      list.push(x);
      return list;
  }
}

/**
 * Longest wait for the first SYN retransmission (seconds): RFC 6298 §2.1 starts the RTO at 1 s, older
 * stacks (RFC 1122 §4.2.3.1, Windows) at 3 s. Two SYNs closer together than this are duplicates or
 * retries of a stack with a short initial RTO, not a reason to expect the next one sooner.
 */
export const SYN_FIRST_RETRY_MAX = 3;
/** Allowance (seconds) for timer slack and capture jitter on top of an expected SYN retry time. */
export const SYN_RETRY_SLACK = 1;

/**
 * Longest gap (seconds) between a segment and an identical copy of it for the copy to be taken as the
 * same frame captured twice rather than sent twice. Capture duplicates (`tcpdump -i any` on a bridge
 * or VM host, SPAN ports, duplicated records) arrive microseconds apart; a stack resends a SYN,
 * SYN-ACK or FIN only after a retransmission timeout (RFC 6298 §2.4: at least 1 s, Linux 200 ms).
 */
export const DUPLICATE_MAX_INTERVAL = 0.001;

/** The right edge of a segment's first SACK block (the most recent, RFC 2018 §4), or −1 without one. */
function sackEdge(seg: Segment): number {
  return seg.options.sackBlockCount > 0 ? seg.options.sackBlocks[1]! : -1;
}

export class ConnectionTracker {
  /** The yes/no facts below (not the per-segment ones), one bit each (see the defineBitFlags call after the class). */
  bits = 0;
  readonly a: EndpointTrack;
  readonly b: EndpointTrack;
  readonly aIsClient: boolean;
  readonly decidedBy: RoleRule;

  /**
   * Addresses of A and B as 32-bit words, read once: numbers, not a copy or a view of the frame's
   * buffer (a view would keep the whole capture chunk alive). The first word of each here; an IPv6
   * address's other three in `v6Words` (A's, then B's), null over IPv4.
   */
  private readonly a0: number;
  private readonly b0: number;
  private readonly v6Words: number[] | null;
  readonly portA: number;
  readonly portB: number;
  readonly ipVersion: 4 | 6;
  private identity: { id: number; client: Endpoint; server: Endpoint } | null = null;

  readonly firstFrame: number;
  readonly firstFile: number;
  readonly firstTime: number;
  lastFrame = 0;
  lastFile = 0;
  /** Latest capture time seen on this connection (max, so a reordered segment does not rewind it). */
  lastTime: number;
  private prevTime: number;
  private packets = 0;
  declare private initDone: boolean;

  /**
   * Its events, EVENT_ENTRY numbers each, in one array of doubles (exact-size while short), and their
   * payloads by event number (null until one has a payload). As objects, each with a boxed time, they
   * were a sixth of a live tracker. Turned into ConnectionEvent objects for the report and for an
   * event sink (`events`, `eventAt()`).
   */
  private eventLog: number[] = [];
  private eventPayloads: (object | undefined)[] | null = null;
  private readonly zeek: ZeekObserver;
  private readonly completeness = new CompletenessObserver();
  private readonly recorder: SegmentRecorder | null;
  /** The 4-tuple carried more than one connection in this run: the display filter needs frame bounds. */
  declare tupleReused: boolean;

  /** The segment being processed and what it shows: the run's one SegmentScratch (see there). */
  private readonly cur: SegmentScratch;

  // --- handshake facts
  readonly midstream: boolean;
  declare private synAckInferred: boolean;
  declare private clientAcked: boolean;
  /** clientAcked rests on the server's segments only (the client's ACK itself was not captured). */
  declare private clientAckInferred: boolean;
  private clientAckTime = 0;
  private clientAckFrame = 0;
  private clientAckFile = 0;
  declare private refused: boolean;
  declare private handshakeDone: boolean;
  declare private synAckLostNoted: boolean;

  // --- close facts
  private firstFin: EndpointTrack | null = null;
  private secondFin: EndpointTrack | null = null;
  declare private secondFinAcksFirst: boolean;
  declare private firstFinAckedSeparately: boolean;
  declare private finalAckSeen: boolean;
  private finalAckFrame = 0;
  private finalAckFile = 0;
  declare private finalAckLost: boolean;
  declare private closeCompleteNoted: boolean;
  declare private halfCloseNoted: boolean;
  private afterFinSegments = 0;
  private afterFinBytes = 0;
  /** An accepted RST ended the connection. */
  declare reset: boolean;
  resetTime = 0;
  declare private rstClient: boolean;
  declare private rstServer: boolean;
  private rstInfo: CloseReport['rst'] | null = null;
  declare private rstAfterFin: boolean;
  declare private simultaneousClose: boolean;
  declare finished: boolean;
  /**
   * The next segment may take the fast path: both ends ESTABLISHED with everything settled that a
   * plain in-order data or ACK segment could change (recomputed after every other segment).
   */
  private fastOk = false;

  constructor(
    readonly id: number,
    seg: Segment,
    roles: { aIsClient: boolean; decidedBy: RoleRule },
    private readonly config: TrackerConfig,
  ) {
    this.a = new EndpointTrack(roles.aIsClient ? 'client' : 'server');
    this.b = new EndpointTrack(roles.aIsClient ? 'server' : 'client');
    this.aIsClient = roles.aIsClient;
    this.decidedBy = roles.decidedBy;
    const b = seg.bytes;
    const so = seg.srcOffset;
    const d = seg.dstOffset;
    this.a0 = word32(b, so);
    this.b0 = word32(b, d);
    this.v6Words =
      seg.addrLength === 16
        ? [word32(b, so + 4), word32(b, so + 8), word32(b, so + 12), word32(b, d + 4), word32(b, d + 8), word32(b, d + 12)]
        : null;
    this.cur = config.scratch;
    this.zeek = new ZeekObserver(config.zeek);
    this.portA = seg.srcPort;
    this.portB = seg.dstPort;
    this.ipVersion = seg.ipVersion;
    this.firstFrame = seg.frame;
    this.firstFile = seg.fileIndex;
    this.firstTime = config.clock.rel(seg.tsSec, seg.tsNsec);
    this.lastTime = this.firstTime;
    this.prevTime = this.firstTime;
    this.recorder = config.recordSegments > 0 ? new SegmentRecorder(config.recordSegments) : null;
    const f = seg.flags;
    const bareSyn = (f & (SYN | ACK | RST | FIN)) === SYN;
    const anySyn = (f & SYN) !== 0 && (f & (RST | FIN)) === 0;
    this.midstream = !anySyn;
    // A connection opened by a SYN the capture saw: the other end is presumed listening
    // (RFC 9293 §3.5 figure 6, "TCP B: LISTEN"); the presumption is not recorded as a change.
    if (bareSyn) (roles.aIsClient ? this.b : this.a).state = 'LISTEN';
  }

  get client(): EndpointTrack {
    return this.aIsClient ? this.a : this.b;
  }

  get server(): EndpointTrack {
    return this.aIsClient ? this.b : this.a;
  }

  // ------------------------------------------------------------------ identity and events

  /** Word `k` (1–3) of A's (true) or B's address: 0 over IPv4. */
  private addressWord(ofA: boolean, k: 1 | 2 | 3): number {
    const w = this.v6Words;
    return w === null ? 0 : w[(ofA ? 0 : 3) + k - 1]!;
  }

  /** Address text of A (true) or B. */
  private ipOf(ofA: boolean): string {
    return ofA
      ? formatWords(this.ipVersion, this.a0, this.addressWord(true, 1), this.addressWord(true, 2), this.addressWord(true, 3))
      : formatWords(this.ipVersion, this.b0, this.addressWord(false, 1), this.addressWord(false, 2), this.addressWord(false, 3));
  }

  clientEndpoint(): Endpoint {
    return this.aIsClient ? { ip: this.ipOf(true), port: this.portA } : { ip: this.ipOf(false), port: this.portB };
  }

  serverEndpoint(): Endpoint {
    return this.aIsClient ? { ip: this.ipOf(false), port: this.portB } : { ip: this.ipOf(true), port: this.portA };
  }

  private emitAt<K extends EventKind>(kind: K, by: EndpointTrack | null, payload: EventPayloads[K] | undefined, frame: number, file: number, time: number): void {
    const n = this.eventLog.length;
    const log = grownBy(this.eventLog, EVENT_ENTRY);
    log[n] = frame * 256 + (by === null ? BY_NONE : by.side === 'client' ? BY_CLIENT : BY_SERVER) * 64 + EVENT_CODE[kind];
    log[n + 1] = this.config.clock.epoch(time);
    log[n + 2] = file;
    this.eventLog = log;
    const index = n / EVENT_ENTRY;
    if (payload !== undefined) this.setPayload(index, payload);
    const sink = this.config.onEvent;
    if (sink !== null) {
      if (this.identity === null) this.identity = { id: this.id, client: this.clientEndpoint(), server: this.serverEndpoint() };
      sink(this.eventAt(index), this.identity);
    }
  }

  private setPayload(index: number, payload: object): void {
    let d = this.eventPayloads ?? [];
    if (index < d.length) {
      d[index] = payload;
      return;
    }
    while (d.length < index) d = appended(d, undefined);
    this.eventPayloads = appended(d, payload);
  }

  /** Events so far. */
  get eventCount(): number {
    return this.eventLog.length / EVENT_ENTRY;
  }

  /** Event number `index` as the report gives it (a new object each time), its payload spread in and rendered as `detail`. */
  eventAt(index: number): ConnectionEvent {
    const log = this.eventLog;
    const o = index * EVENT_ENTRY;
    const word = log[o]!;
    const low = word % 256;
    const kind = EVENT_KINDS[low & 63]!;
    const code = low >> 6;
    const frame = (word - low) / 256;
    const time = log[o + 1]!;
    const file = log[o + 2]!;
    const by: Side | null = code === BY_NONE ? null : code === BY_CLIENT ? 'client' : 'server';
    const payload = this.eventPayloads?.[index];
    // Members in the report's order: where, then the payload, then its text.
    const e = (
      this.config.multiFile
        ? payload === undefined ? { kind, frame, time, by, file } : { kind, frame, time, by, file, ...payload }
        : payload === undefined ? { kind, frame, time, by } : { kind, frame, time, by, ...payload }
    ) as ConnectionEvent;
    const detail = eventDetail(e);
    if (detail !== undefined) e.detail = detail;
    return e;
  }

  /** All its events, as the report gives them (exact-size and packed, as appended() makes them). */
  get events(): ConnectionEvent[] {
    const n = this.eventCount;
    let out: ConnectionEvent[] = [];
    for (let i = 0; i < n; i++) out = appended(out, this.eventAt(i));
    return out;
  }

  /**
   * This connection's first SYN reused the 4-tuple of one whose end still held TIME_WAIT (the flow
   * table found it; RFC 9293 §3.10.7.4 with RFC 6191): noted at that SYN, sent by A.
   */
  reusedTimeWait(reuse: TimeWaitReuse): void {
    this.emit('time_wait_reuse', this.a, reuse.event);
  }

  /** An event shown by the segment being processed. */
  private emit<K extends EventKind>(kind: K, by: EndpointTrack | null, ...payload: PayloadArg<K>): void {
    this.emitAt(kind, by, payload[0], this.cur.frame, this.cur.file, this.cur.time);
  }

  private other(e: EndpointTrack): EndpointTrack {
    return e === this.a ? this.b : this.a;
  }

  /** A frame named in an event: its file too when several captures are merged (frame numbers restart in each, as Wireshark counts). */
  private frameRef(frame: number, file: number): FrameRef {
    return this.config.multiFile ? { frame, file } : { frame };
  }

  // ------------------------------------------------------------------ states

  /** The one place an endpoint's state changes. */
  private setState(e: EndpointTrack, state: EndpointState, how: StateChange['how']): void {
    if (e.state === state) return;
    e.state = state;
    e.logState(state, this.cur.frame, this.config.clock.epoch(this.cur.time), how);
    if (state === 'ESTABLISHED') e.everEstablished = true;
    e.timeWaitSince = state === 'TIME_WAIT' ? this.cur.time : null;
  }

  /**
   * Withdraw the last change of `e` when it was inferred and a later segment of `e`'s own shows the
   * inference wrong (the peer's FIN had not reached it yet: simultaneous close).
   */
  private retractInferred(e: EndpointTrack, state: EndpointState, back: EndpointState): boolean {
    if (!e.retractInferred(state)) return false;
    e.state = back;
    return true;
  }

  // ------------------------------------------------------------------ per segment

  /**
   * Feed one segment; `fromA` is true when its sender is endpoint A (the first segment's sender);
   * `t` is its capture time in seconds (computed from the segment when not given).
   *
   * Fast path: once both ends are ESTABLISHED and nothing is pending (no FIN, no RST, no hole, the
   * handshake settled, no recording), an in-order segment carrying only ACK (and PSH/ECN bits) that
   * acknowledges nothing beyond what the peer sent changes only counters, snd.nxt, the last ACK and
   * the window: no state change and no event can follow from it (RFC 9293 §3.10.7.4 ESTABLISHED,
   * with an acceptable segment and an acceptable ACK), so it is applied in a few lines. Every other
   * segment goes through the full classification below.
   */
  onSegment(seg: Segment, fromA: boolean, t: number = this.config.clock.rel(seg.tsSec, seg.tsNsec)): void {
    if (this.fastOk) {
      const S = fromA ? this.a : this.b;
      const R = fromA ? this.b : this.a;
      const flags = seg.flags;
      if (
        (flags & (SYN | FIN | RST | ACK)) === ACK &&
        seg.seq === S.sndNxt &&
        t >= this.prevTime &&
        seqLe(seg.ack, R.sndNxt) &&
        (seg.checksumOk !== false || seg.checksumPartial) &&
        seg.ipChecksumOk !== false &&
        !this.isDuplicate(seg, S, t)
      ) {
        const o = seg.options;
        if (!o.malformed) {
          this.zeek.onSegment(seg, fromA, t);
          this.completeness.onSegment(seg, fromA);
          const len = seg.payloadLength;
          transferSegment(seg, t, S, R);
          S.packets++;
          S.bytes += len;
          S.ipBytes += seg.ipLength;
          S.wireBytes += seg.wireLength;
          S.sentAny = true;
          this.lastFrame = seg.frame;
          this.lastFile = seg.fileIndex;
          this.packets++;
          this.prevTime = t;
          if (t > this.lastTime) this.lastTime = t;
          if (o.hasTimestamps) {
            S.tsKnown = true;
            S.lastTsVal = o.tsVal;
          }
          if (len > 0) S.sndNxt = (seg.seq + len) >>> 0;
          const ackv = seg.ack;
          if (!S.ackKnown || seqGt(ackv, S.lastAck)) {
            S.ackKnown = true;
            S.lastAck = ackv;
          }
          S.window = seg.window;
          S.windowOnSyn = false;
          this.remember(seg, S, t);
          R.prevTime = -Infinity;
          return;
        }
      }
    }
    this.fullSegment(seg, fromA, t);
    this.fastOk = this.settled();
  }

  /** Whether the fast path of onSegment() gives the same result as the full path for its segments. */
  private settled(): boolean {
    const a = this.a;
    const b = this.b;
    return (
      this.config.fastPath !== false &&
      this.recorder === null &&
      a.state === 'ESTABLISHED' &&
      b.state === 'ESTABLISHED' &&
      !this.reset &&
      this.initDone &&
      this.firstFin === null &&
      !a.holeActive &&
      !b.holeActive &&
      a.sndKnown &&
      b.sndKnown &&
      (this.handshakeDone || this.midstream) &&
      // The client's first acknowledgment of the SYN-ACK is a handshake fact the full path records.
      (this.clientAcked || (this.server.synAckCount === 0 && !this.synAckInferred))
    );
  }

  private fullSegment(seg: Segment, fromA: boolean, t: number): void {
    const S = fromA ? this.a : this.b;
    const R = fromA ? this.b : this.a;
    this.cur.frame = seg.frame;
    this.cur.file = seg.fileIndex;
    this.cur.time = t;
    this.cur.marks = 0;
    const clientBefore = this.client.state;
    const serverBefore = this.server.state;

    this.zeek.onSegment(seg, fromA, t);
    this.completeness.onSegment(seg, fromA);
    S.packets++;
    S.bytes += seg.payloadLength;
    S.ipBytes += seg.ipLength;
    S.wireBytes += seg.wireLength;
    S.sentAny = true;
    this.lastFrame = seg.frame;
    this.lastFile = seg.fileIndex;
    const first = this.packets === 0;
    this.packets++;
    if (!first && t < this.prevTime) {
      this.cur.marks |= Mark.reordered;
      this.emit('reordered', S, { cause: 'timestamp', earlierBy: interval(t, this.prevTime) });
    }
    this.prevTime = t;
    if (t > this.lastTime) this.lastTime = t;

    // The same segment captured twice: counted above and shown to the Zeek and completeness views
    // (Zeek counts such copies too), but it must not drive anything else — it is no retransmission,
    // keep-alive or sign of a lost SYN-ACK or final ACK.
    if (this.isDuplicate(seg, S, t)) {
      this.onDuplicate(seg, S, t);
      this.finishSegment(seg, S, R, clientBefore, serverBefore);
      return;
    }
    this.remember(seg, S, t);
    R.prevTime = -Infinity;
    this.cur.marks |= transferSegment(seg, t, S, R);

    const flags = seg.flags;
    const syn = (flags & SYN) !== 0;
    const ack = (flags & ACK) !== 0;
    const fin = (flags & FIN) !== 0;
    const rst = (flags & RST) !== 0;

    // An offloaded checksum (Segment.checksumPartial) is no damage: the run says so once per capture
    // and host (CaptureReport.checksumOffload), not per connection.
    if ((seg.checksumOk === false && !seg.checksumPartial) || seg.ipChecksumOk === false) {
      this.cur.marks |= Mark.bad_checksum;
      if (!S.badChecksumNoted) {
        S.badChecksumNoted = true;
        this.emit('bad_checksum', S, { layer: seg.checksumOk === false ? 'tcp' : 'ipv4' });
      }
    }
    if (seg.options.malformed && !S.malformedNoted) {
      S.malformedNoted = true;
      this.emit('malformed_options', S);
    }
    if (seg.options.hasTimestamps) {
      S.tsKnown = true;
      S.lastTsVal = seg.options.tsVal;
    }

    // Flag combinations no stack sends: named, counted, and kept away from the state machines.
    if ((flags & (SYN | ACK | FIN | RST | TcpFlag.PSH | TcpFlag.URG)) === 0) {
      this.emit('null_flags', S);
      this.finishSegment(seg, S, R, clientBefore, serverBefore);
      return;
    }
    if (syn && fin) {
      this.emit('syn_fin', S);
      this.finishSegment(seg, S, R, clientBefore, serverBefore);
      return;
    }
    if (syn && rst) {
      this.emit('syn_rst', S);
      this.finishSegment(seg, S, R, clientBefore, serverBefore);
      return;
    }
    if (fin && !ack && !rst) {
      // RFC 9293 §3.10.7.4 fifth check: "if the ACK bit is off, drop the segment".
      this.emit('fin_without_ack', S);
      this.finishSegment(seg, S, R, clientBefore, serverBefore);
      return;
    }

    if (!this.initDone) {
      this.initDone = true;
      if (this.midstream) this.startMidstream(flags);
    }

    if (this.reset && !rst && !S.afterRstNoted) {
      S.afterRstNoted = true;
      this.cur.marks |= Mark.after_rst;
      this.emit('data_after_rst', S, { bytes: seg.payloadLength, flags: flagsToString(flags) });
    }

    if (rst) {
      this.onRst(seg, S, R);
    } else {
      this.cur.syn = syn;
      this.cur.ack = ack;
      this.cur.fin = fin;
      this.cur.len = seg.payloadLength;
      this.cur.finNew = false;
      this.cur.acksPeerSyn = false;
      this.cur.acksPeerFin = false;
      this.cur.acksPeerData = false;
      if (syn) this.onSyn(seg, S, R);
      this.onSequence(seg, S, R);
      if (ack) this.onAck(seg, S, R);
      this.senderStep(S, R);
      this.receiverStep(R);
      if (this.cur.finNew) this.emit('fin', S, FIN_PAYLOAD[S.state][this.reset ? 1 : 0]);
      if (!this.handshakeDone && !this.midstream && this.client.everEstablished && this.server.everEstablished) {
        this.handshakeDone = true;
        this.emit('handshake_complete', S, this.clientAckInferred ? CLIENT_ACK_INFERRED : undefined);
      }
    }
    S.window = seg.window;
    S.windowOnSyn = syn;
    this.finishSegment(seg, S, R, clientBefore, serverBefore);
  }

  /**
   * Whether `seg` (from S, at capture time t) is S's previous segment captured a second time. A
   * heuristic: the copy is identical in sequence and acknowledgment numbers, flags, window, payload
   * length, first SACK block and — IPv4 only — IP identification, comes within
   * DUPLICATE_MAX_INTERVAL of it, and the peer sent nothing in between. A real retransmission
   * differs: a timer retransmission comes after a retransmission timeout, and over IPv4 a stack gives
   * most datagrams their own ID. Linux sends a SYN-ACK or RST with ID 0, and resends a SYN-ACK byte
   * for byte, at once, when a retransmitted SYN arrives (samples/synack-lost-*): that resend answers
   * a segment of the peer's, hence the last condition. Over IPv6 (ipId −1 on both) only the TCP
   * fields, the time and the order tell; a fast retransmission also follows the peer's duplicate
   * ACKs, and two genuine identical ACKs in a row within 1 ms carry nothing the first did not.
   */
  private isDuplicate(seg: Segment, S: EndpointTrack, t: number): boolean {
    const dt = t - S.prevTime;
    return (
      dt <= DUPLICATE_MAX_INTERVAL &&
      dt >= -DUPLICATE_MAX_INTERVAL &&
      seg.seq === S.prevSeq &&
      seg.ack === S.prevAck &&
      seg.flags === S.prevFlags &&
      seg.window === S.prevWindow &&
      seg.payloadLength === S.prevLen &&
      seg.ipId === S.prevIpId &&
      sackEdge(seg) === S.prevSack
    );
  }

  /** Keep what isDuplicate() compares of S's latest segment. */
  private remember(seg: Segment, S: EndpointTrack, t: number): void {
    S.prevTime = t;
    S.prevFrame = seg.frame;
    S.prevFile = seg.fileIndex;
    S.prevSeq = seg.seq;
    S.prevAck = seg.ack;
    S.prevFlags = seg.flags;
    S.prevWindow = seg.window;
    S.prevLen = seg.payloadLength;
    S.prevIpId = seg.ipId;
    S.prevSack = sackEdge(seg);
  }

  /** A capture duplicate: marked, noted once per direction (the count is added at finish()). */
  private onDuplicate(seg: Segment, S: EndpointTrack, t: number): void {
    this.cur.marks |= Mark.duplicate;
    S.duplicates++;
    if (S.duplicateEvent < 0) {
      S.duplicateEvent = this.eventCount;
      this.emit('duplicate', S, {
        copy: this.frameRef(seg.frame, seg.fileIndex),
        original: this.frameRef(S.prevFrame, S.prevFile),
        laterUs: Math.round((t - S.prevTime) * 1e6),
        ipId: seg.ipVersion === 4 ? seg.ipId : null,
      });
    }
    // A third copy is compared with this one.
    S.prevTime = t;
    S.prevFrame = seg.frame;
    S.prevFile = seg.fileIndex;
  }

  /**
   * The capture begins after the handshake: both ends are taken as ESTABLISHED at the first
   * segment, which is then processed normally (a FIN moves its sender to FIN_WAIT_1, ...).
   */
  private startMidstream(flags: number): void {
    this.setState(this.a, 'ESTABLISHED', 'inferred');
    this.setState(this.b, 'ESTABLISHED', 'inferred');
    this.emit('midstream_start', null, { flags: flagsToString(flags) });
  }

  private finishSegment(seg: Segment, S: EndpointTrack, R: EndpointTrack, clientBefore: EndpointState, serverBefore: EndpointState): void {
    if (this.recorder === null) return;
    const rec: SegmentRecord = {
      frame: seg.frame,
      time: this.config.clock.epoch(this.cur.time),
      from: S.side,
      flags: flagsToString(seg.flags),
      relSeq: S.isnKnown ? (seg.seq - S.isn) >>> 0 : seg.seq,
      relAck: (seg.flags & ACK) === 0 ? null : R.isnKnown ? (seg.ack - R.isn) >>> 0 : seg.ack,
      length: seg.payloadLength,
      marks: markNames(this.cur.marks),
    };
    if (this.config.multiFile) rec.file = seg.fileIndex;
    if (this.client.state !== clientBefore) rec.clientState = this.client.state;
    if (this.server.state !== serverBefore) rec.serverState = this.server.state;
    this.recorder.push(rec);
  }

  // ------------------------------------------------------------------ SYN

  private onSyn(seg: Segment, S: EndpointTrack, R: EndpointTrack): void {
    const seq = seg.seq;
    const t = this.cur.time;
    if (!this.cur.ack) {
      // A bare SYN. The first one with its ISN opens; the same ISN again is a retransmission.
      if (!S.isnKnown || (S.isnInferred && S.synCount === 0 && seq === S.isn)) {
        const reordered = S.isnInferred && seq === S.isn && R.synAckCount > 0;
        S.isn = seq;
        S.isnKnown = true;
        S.isnInferred = false;
        S.synCount = 1;
        S.noteSyn(t);
        S.synFrame = this.cur.frame;
        S.synTime = t;
        S.synTsVal = seg.options.hasTimestamps ? seg.options.tsVal : -1;
        S.synDataLen = seg.payloadLength;
        S.wscaleOffered = seg.options.windowScale;
        S.options = negotiatedOptions(seg.options, seg.flags, seg.payloadLength, false, 'none', false);
        this.emit('syn', S, seg.payloadLength > 0 ? { bytes: seg.payloadLength } : undefined);
        if (reordered) {
          this.cur.marks |= Mark.syn_ack_before_syn;
          this.emit('reordered', S, { cause: 'syn_ack_before_syn', synAck: this.frameRef(R.synAckFrame, R.synAckFile) });
        }
        if (R.synCount > 0) this.emit('simultaneous_open', S);
        if (seg.payloadLength > 0) {
          const tfo = seg.options.tfoCookieLength;
          this.emit('syn_with_data', S, { segment: 'SYN', bytes: seg.payloadLength, tfoCookieBytes: tfo });
        }
      } else if (seq === S.isn) {
        S.synCount++;
        S.retransmits++;
        this.cur.marks |= Mark.retransmission;
        const prev = S.noteSyn(t);
        this.emit('syn_retransmit', S, { retry: S.synCount - 1, interval: interval(prev, t) });
        if (R.synAckCount > 0 && !this.synAckLostNoted) {
          this.synAckLostNoted = true;
          this.emit('syn_ack_lost', R, { lost: 'after_capture', evidence: 'syn_retransmit', synAck: this.frameRef(R.synAckFrame, R.synAckFile) });
        }
      } else {
        this.emit('syn', S, { ignoredNewIsn: { isn: seq >>> 0, previous: S.isn >>> 0, state: S.state } });
      }
      return;
    }
    // SYN-ACK.
    if (S.synAckCount === 0 && (!S.isnKnown || seq === S.isn || S.isnInferred)) {
      S.isn = seq;
      S.isnKnown = true;
      S.isnInferred = false;
      S.synAckCount = 1;
      S.synAckFrame = this.cur.frame;
      S.synAckFile = this.cur.file;
      S.synAckTime = t;
      if (S.synCount === 0) S.wscaleOffered = seg.options.windowScale;
      const synDataAcked = R.synDataLen > 0 && R.isnKnown && seg.ack === seqAdd(R.isn, 1 + R.synDataLen);
      const clientEcn = R.options === null ? 'none' : R.options.ecn;
      if (S.options === null) S.options = negotiatedOptions(seg.options, seg.flags, seg.payloadLength, true, clientEcn, synDataAcked);
      if (!R.isnKnown) {
        // The SYN was not captured: the SYN-ACK names it (ack = ISN + 1).
        R.isn = seqAdd(seg.ack, -1);
        R.isnKnown = true;
        R.isnInferred = true;
        R.sndNxt = seg.ack;
        R.sndKnown = true;
      }
      this.emit('syn_ack', S);
      if (seg.payloadLength > 0) this.emit('syn_with_data', S, { segment: 'SYN-ACK', bytes: seg.payloadLength, tfoCookieBytes: seg.options.tfoCookieLength });
      // The first SYN-ACK the capture sees echoes the first SYN's timestamp (RFC 7323 §4.3: TSecr
      // is the TSval of the segment it answers), yet the client had already retried: the server got
      // that first SYN and had answered it, and its answer never passed the capture point — a
      // SYN-ACK lost before the capture point (or delayed past the client's retry timeout).
      if (R.synCount > 1 && R.synTsVal >= 0 && seg.options.hasTimestamps && seg.options.tsEcr === R.synTsVal && !this.synAckLostNoted) {
        this.synAckLostNoted = true;
        this.emit('syn_ack_lost', S, { lost: 'before_capture', evidence: 'timestamp_echo', tsEcr: R.synTsVal, synRetries: R.synCount - 1 });
      }
    } else if (seq === S.isn) {
      S.synAckCount++;
      S.retransmits++;
      this.cur.marks |= Mark.retransmission;
      // A SYN-ACK answering a retried SYN is no evidence of loss; one more SYN-ACK than the client
      // sent SYNs is the server's own retransmission timer, so its SYN-ACK or the ACK never arrived.
      const clientAckLost = this.clientAcked && S.synAckCount > R.synCount;
      this.emit(
        'syn_ack_retransmit',
        S,
        clientAckLost ? { retry: S.synAckCount - 1, clientAck: this.frameRef(this.clientAckFrame, this.clientAckFile) } : { retry: S.synAckCount - 1 },
      );
      if (!this.clientAcked && !this.synAckLostNoted && R.synCount <= 1) {
        this.synAckLostNoted = true;
        this.emit('syn_ack_lost', S, { lost: 'after_capture', evidence: 'syn_ack_retransmit' });
      }
    } else {
      this.emit('syn_ack', S, { differentIsn: { isn: seq >>> 0, previous: S.isn >>> 0 } });
    }
  }

  // ------------------------------------------------------------------ sequence space

  private onSequence(seg: Segment, S: EndpointTrack, R: EndpointTrack): void {
    const len = this.cur.len;
    const fin = this.cur.fin;
    const dataSeq = this.cur.syn ? seqAdd(seg.seq, 1) : seg.seq;
    const end = seqAdd(dataSeq, len + (fin ? 1 : 0));
    if (!S.sndKnown) {
      S.sndKnown = true;
      S.sndNxt = end;
    } else if (this.cur.syn) {
      if (seqGt(end, S.sndNxt)) S.sndNxt = end;
    } else if (len === 0 && !fin) {
      // A bare ACK. seq = snd.nxt − 1 with nothing in it is a keep-alive (RFC 9293 §3.8.4), unless the
      // peer's window is shut: then it is a zero-window probe (§3.8.6.1; transfer.ts marked it).
      if (this.cur.ack && synchronized(S.state) && seg.seq === seqAdd(S.sndNxt, -1) && (this.cur.marks & Mark.zero_window_probe) === 0) this.keepalive(S, len);
    } else if (len <= 1 && !fin && this.cur.ack && synchronized(S.state) && seg.seq === seqAdd(S.sndNxt, -1)) {
      // A keep-alive (or zero-window probe) may carry one garbage byte (RFC 9293 §3.8.4): not a retransmission.
      if ((this.cur.marks & Mark.zero_window_probe) === 0) this.keepalive(S, len);
    } else {
      if (seqLt(dataSeq, S.sndNxt)) {
        if (S.holeActive && seqGe(dataSeq, S.holeStart) && seqLt(dataSeq, S.holeEnd)) {
          // Fills the gap the capture saw: out of order, not a retransmission.
          this.cur.marks |= Mark.out_of_order;
          countOutOfOrder(S);
          if (dataSeq === S.holeStart) S.holeStart = seqLt(end, S.holeEnd) ? end : S.holeEnd;
          if (!seqLt(S.holeStart, S.holeEnd)) S.holeActive = false;
        } else if (!(len === 0 && fin && S.finSent)) {
          // Data below snd.nxt: sent before (a bare FIN retransmission is counted below).
          S.retransmits++;
          this.cur.marks |= Mark.retransmission;
          if (len > 0) countRetransmitted(S, dataSeq, len, S.sndNxt);
        }
      } else if (seqGt(dataSeq, S.sndNxt)) {
        if (!S.holeActive) {
          S.holeActive = true;
          S.holeStart = S.sndNxt;
        }
        S.holeEnd = dataSeq;
      }
      if (seqGt(end, S.sndNxt)) S.sndNxt = end;
    }

    // Half-close volume: new data only (like tcptrace's unique bytes), not retransmissions or a
    // keep-alive's garbage byte.
    if (len > 0 && this.firstFin !== null && this.firstFin !== S && (this.cur.marks & (Mark.retransmission | Mark.keepalive | Mark.zero_window_probe)) === 0) {
      this.afterFinSegments++;
      this.afterFinBytes += len;
      if (!this.halfCloseNoted) {
        this.halfCloseNoted = true;
        this.emit('half_close', S, HALF_CLOSE_PAYLOAD[this.firstFin.side]);
      }
    }

    if (!fin) return;
    const finSeq = seqAdd(dataSeq, len);
    if (!S.finSent) {
      S.finSent = true;
      S.finSeq = finSeq;
      S.finFrame = this.cur.frame;
      S.finFile = this.cur.file;
      this.cur.finNew = true;
      if (this.firstFin === null) this.firstFin = S;
      else if (this.firstFin !== S && this.secondFin === null) {
        this.secondFin = S;
        // RFC 9293 §3.10.7.4: only ack = FIN seq + 1 acknowledges the FIN; an ACK beyond it
        // acknowledges something never sent (SEG.ACK > SND.NXT) and is not acceptable.
        this.secondFinAcksFirst = this.cur.ack && R.finSent && seg.ack === seqAdd(R.finSeq, 1);
      }
    } else if (finSeq === S.finSeq) {
      if (len === 0) S.retransmits++;
      this.cur.marks |= Mark.retransmission;
      this.emit('fin_retransmit', S);
      // RFC 9293 §3.10.7.4: only the ACK of its FIN takes an end out of LAST_ACK (to CLOSED) or
      // CLOSING (to TIME_WAIT). Sending the FIN again shows that ACK never reached it, so a change
      // inferred from an ACK the capture saw is withdrawn; the next ACK that arrives makes it again.
      if (S.state === 'CLOSED') this.retractInferred(S, 'CLOSED', 'LAST_ACK');
      else if (S.state === 'TIME_WAIT') this.retractInferred(S, 'TIME_WAIT', 'CLOSING');
      if (S === this.secondFin && !this.finalAckLost && !this.reset) {
        this.finalAckLost = true;
        this.emit('final_ack_lost', S, { finalAck: this.finalAckSeen ? this.frameRef(this.finalAckFrame, this.finalAckFile) : null });
      }
    } else if (seqGt(finSeq, S.finSeq)) {
      S.finSeq = finSeq;
    }
  }

  private keepalive(S: EndpointTrack, len: number): void {
    this.cur.marks |= Mark.keepalive;
    this.emit('keepalive', S, { bytes: len === 0 ? 0 : 1 });
  }

  // ------------------------------------------------------------------ acknowledgments

  private onAck(seg: Segment, S: EndpointTrack, R: EndpointTrack): void {
    const ackv = seg.ack;
    if (R.sndKnown) {
      if (seqGt(ackv, R.sndNxt)) {
        const missing = (ackv - R.sndNxt) >>> 0;
        if (missing < 0x40000000) {
          if (R.sentAny) {
            this.emit('segment_not_captured', R, { missing: 'data', bytes: missing });
          } else {
            // Not one segment of R's in the capture so far: its whole direction is probably missing
            // (said once, by finish()), not this or that segment.
            if (R.unseenAcked === 0) {
              R.unseenFrame = this.cur.frame;
              R.unseenFile = this.cur.file;
            }
            R.unseenAcked += missing;
          }
          R.sndNxt = ackv;
        }
      }
    } else if (!this.cur.syn && S.synCount > 0 && R.synAckCount === 0 && R.synCount === 0 && !R.sentAny) {
      // The client acknowledges a SYN-ACK the capture never saw (ack = server ISN + 1).
      R.isn = seqAdd(ackv, -1);
      R.isnKnown = true;
      R.isnInferred = true;
      R.sndNxt = ackv;
      R.sndKnown = true;
      this.synAckInferred = true;
      this.emit('segment_not_captured', R, { missing: 'syn_ack' });
      // RFC 9293 §3.10.7.2: it answered the SYN with a SYN-ACK, so it went LISTEN → SYN_RECEIVED.
      this.setState(R, 'SYN_RECEIVED', 'inferred');
    }
    if (R.holeActive && seqGe(ackv, R.holeEnd)) {
      R.holeActive = false;
      this.emit('segment_not_captured', R, { missing: 'hole', bytes: (R.holeEnd - R.holeStart) >>> 0 });
    }
    if (!S.ackKnown || seqGt(ackv, S.lastAck)) {
      S.ackKnown = true;
      S.lastAck = ackv;
    }
    this.cur.acksPeerSyn = R.isnKnown && seqGt(ackv, R.isn) && (R.synCount > 0 || R.synAckCount > 0 || this.synAckInferred || R.isnInferred);
    this.cur.acksPeerData = this.cur.acksPeerSyn && seqGt(ackv, seqAdd(R.isn, 1 + R.synDataLen));
    // The ACK of a FIN is exactly its sequence number + 1 (RFC 9293 §3.10.7.4); an ACK beyond it
    // acknowledges something never sent (SEG.ACK > SND.NXT) and leaves the FIN unacknowledged.
    this.cur.acksPeerFin = R.finSent && ackv === seqAdd(R.finSeq, 1);

    if (S === this.client && (!this.clientAcked || this.clientAckInferred) && !this.cur.syn && this.cur.acksPeerSyn && (R.synAckCount > 0 || this.synAckInferred)) {
      this.clientAcked = true;
      this.clientAckInferred = false;
      this.clientAckTime = this.cur.time;
      this.clientAckFrame = this.cur.frame;
      this.clientAckFile = this.cur.file;
    }
    if (this.cur.acksPeerFin && !R.finAcked) {
      R.finAcked = true;
      if (R === this.firstFin && S !== this.secondFin) this.firstFinAckedSeparately = true;
      if (R === this.secondFin) {
        this.finalAckSeen = true;
        this.finalAckFrame = this.cur.frame;
        this.finalAckFile = this.cur.file;
      }
      if (!this.closeCompleteNoted && this.a.finAcked && this.b.finAcked && this.secondFin !== null) {
        this.closeCompleteNoted = true;
        this.emit('close_complete', S, CLOSE_COMPLETE_PAYLOAD[R.side]);
      }
    }
  }

  // ------------------------------------------------------------------ state machines

  /** Transitions the sender's own segment shows (observed). */
  private senderStep(S: EndpointTrack, R: EndpointTrack): void {
    const bareSyn = this.cur.syn && !this.cur.ack;
    const synAck = this.cur.syn && this.cur.ack;
    switch (S.state) {
      case 'CLOSED':
        // §3.10.1 OPEN (active): CLOSED → SYN-SENT when the SYN goes out.
        if (bareSyn) this.activeOpen(S, R);
        // A SYN-ACK whose SYN the capture missed: the end had a listener (§3.10.7.2 LISTEN: SYN
        // arrives → send SYN,ACK, enter SYN-RECEIVED).
        else if (synAck && !this.reset) this.setState(S, 'SYN_RECEIVED', 'observed');
        // Anything else from a closed end (after a RST or TIME_WAIT expiry) changes nothing.
        return;
      case 'LISTEN':
        // §3.10.7.2: a listener answers a SYN with SYN,ACK and enters SYN-RECEIVED.
        if (synAck) this.setState(S, 'SYN_RECEIVED', 'observed');
        // §3.5 figure 8: the "server" opened actively too (simultaneous open).
        else if (bareSyn) this.activeOpen(S, R);
        return;
      case 'SYN_SENT':
        // §3.10.7.3 SYN-SENT, fourth: a SYN without ACK arrived → SYN-RECEIVED, send SYN,ACK
        // (simultaneous open: this end's SYN-ACK shows it).
        if (synAck) {
          this.setState(S, 'SYN_RECEIVED', 'observed');
          return;
        }
        // §3.10.7.3: SYN-ACK received → ESTABLISHED, send ACK. Its ACK shows it.
        if (!this.cur.syn && this.cur.ack && this.cur.acksPeerSyn) {
          this.setState(S, 'ESTABLISHED', 'observed');
          // §3.10.4 CLOSE in ESTABLISHED: the FIN may ride on that very ACK.
          if (this.cur.finNew) this.setState(S, 'FIN_WAIT_1', 'observed');
        }
        return;
      case 'SYN_RECEIVED':
        // §3.10.7.4 SYN-RECEIVED: once its SYN is acknowledged it is ESTABLISHED; an end sends
        // data (or acks without SYN) only after that, so its own non-SYN segment shows it.
        // Acknowledging data of the peer's shows it too: that data came after the peer's ACK of the SYN.
        if (!this.cur.syn && this.cur.ack && (this.cur.len > 0 || R.everEstablished || this.cur.acksPeerData)) this.setState(S, 'ESTABLISHED', 'observed');
        // §3.10.4 CLOSE in SYN-RECEIVED: send FIN, enter FIN-WAIT-1.
        if (this.cur.finNew) this.setState(S, 'FIN_WAIT_1', 'observed');
        return;
      case 'ESTABLISHED':
        // §3.5 case 1 / §3.10.4 CLOSE in ESTABLISHED: send FIN, enter FIN-WAIT-1 (active close).
        if (this.cur.finNew) this.setState(S, 'FIN_WAIT_1', 'observed');
        return;
      case 'CLOSE_WAIT':
        if (!this.cur.finNew) return;
        if (!this.cur.acksPeerFin && this.retractInferred(S, 'CLOSE_WAIT', 'ESTABLISHED')) {
          // §3.5 case 3, simultaneous close: its FIN does not acknowledge the peer's, so it was sent
          // before the peer's FIN arrived (the CLOSE_WAIT inferred from that FIN was premature). It
          // went ESTABLISHED → FIN-WAIT-1, and the peer's FIN, already on its way, takes it to CLOSING
          // (§3.10.7.4 eighth, FIN-WAIT-1: FIN received, our FIN not yet ACKed → CLOSING).
          this.simultaneousClose = true;
          this.setState(S, 'FIN_WAIT_1', 'observed');
          this.setState(S, 'CLOSING', 'inferred');
          return;
        }
        // §3.5 case 2 / §3.10.4 CLOSE in CLOSE-WAIT: send FIN, enter LAST-ACK (passive close).
        this.setState(S, 'LAST_ACK', 'observed');
        return;
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSING':
      case 'LAST_ACK':
        // Its FIN is out; its segments now are ACKs and retransmissions (counted elsewhere). The
        // changes of these states come from the peer's segments (receiverStep).
        return;
      case 'TIME_WAIT':
        // §3.10.7.4 TIME-WAIT: a retransmitted FIN is acknowledged again and the 2 MSL timeout
        // restarts (§3.6.1).
        if (this.cur.acksPeerFin && !this.cur.fin) S.timeWaitSince = this.cur.time;
        return;
      default:
        assertNever(S.state, 'endpoint state');
    }
  }

  /**
   * §3.10.1 OPEN: the SYN goes out, SYN-SENT. When the peer's own bare SYN is already on its way
   * (simultaneous open, §3.5 figure 8), its arrival takes this end on to SYN-RECEIVED (§3.10.7.3
   * fourth: a SYN in SYN-SENT).
   */
  private activeOpen(S: EndpointTrack, R: EndpointTrack): void {
    this.setState(S, 'SYN_SENT', 'observed');
    if (R.synCount > 0 && R.synAckCount === 0) this.setState(S, 'SYN_RECEIVED', 'inferred');
  }

  /** Transitions the receiver goes through when the segment is delivered to it (inferred). */
  private receiverStep(R: EndpointTrack): void {
    const bareSyn = this.cur.syn && !this.cur.ack;
    switch (R.state) {
      case 'CLOSED':
        // A SYN-ACK to an end the capture never saw send a SYN: it must have been in SYN-SENT.
        if (this.cur.syn && this.cur.ack && !R.sentAny && !this.reset) this.setState(R, 'SYN_SENT', 'inferred');
        // §3.10.7.1: anything else to a closed end draws a RST; no change.
        return;
      case 'LISTEN':
        // §3.10.7.2: the listener's SYN-RECEIVED shows when it sends the SYN-ACK (observed).
        return;
      case 'SYN_SENT':
        // §3.10.7.3 fourth: a bare SYN (simultaneous open) → SYN-RECEIVED.
        if (bareSyn) this.setState(R, 'SYN_RECEIVED', 'inferred');
        // A SYN-ACK: R's ESTABLISHED shows when R acknowledges it (observed).
        else if (R === this.client && !this.cur.syn && this.cur.ack && this.server.synAckCount > 0 && (this.cur.acksPeerData || (this.cur.len > 0 && R.synDataLen === 0))) {
          // The client's own ACK of the SYN-ACK is not in the capture, but the server's segment proves
          // it was sent: the server acknowledges client data, which a client sends only once
          // ESTABLISHED (§3.10.7.3: SYN-ACK received → ESTABLISHED, send ACK), or sends data, which
          // a server without Fast Open data on the SYN (RFC 7413) sends only once the client's ACK
          // took it out of SYN-RECEIVED (§3.10.7.4).
          this.setState(R, 'ESTABLISHED', 'inferred');
          if (!this.clientAcked) {
            this.clientAcked = true;
            this.clientAckInferred = true;
            this.clientAckTime = this.cur.time;
            this.clientAckFrame = this.cur.frame;
            this.clientAckFile = this.cur.file;
          }
          if (this.cur.finNew) this.setState(R, 'CLOSE_WAIT', 'inferred');
        }
        return;
      case 'SYN_RECEIVED':
        // §3.10.7.4 SYN-RECEIVED, fifth check: an acceptable ACK → ESTABLISHED.
        if (this.cur.ack && this.cur.acksPeerSyn) {
          this.setState(R, 'ESTABLISHED', 'inferred');
          // §3.10.7.4 eighth, ESTABLISHED: a FIN → CLOSE-WAIT.
          if (this.cur.finNew) this.setState(R, 'CLOSE_WAIT', 'inferred');
        }
        return;
      case 'ESTABLISHED':
        // §3.10.7.4 eighth (FIN bit), ESTABLISHED: enter CLOSE-WAIT.
        if (this.cur.finNew) this.setState(R, 'CLOSE_WAIT', 'inferred');
        return;
      case 'FIN_WAIT_1':
        // §3.10.7.4 fifth, FIN-WAIT-1: when our FIN is acknowledged, enter FIN-WAIT-2.
        if (this.cur.acksPeerFin) {
          this.setState(R, 'FIN_WAIT_2', 'inferred');
          // §3.10.7.4 eighth, FIN-WAIT-2: a FIN → TIME-WAIT (the three-way close's FIN+ACK).
          if (this.cur.finNew) this.setState(R, 'TIME_WAIT', 'inferred');
        } else if (this.cur.finNew) {
          // §3.10.7.4 eighth, FIN-WAIT-1: FIN received, our FIN not acknowledged → CLOSING
          // (§3.5 case 3, simultaneous close).
          this.simultaneousClose = true;
          this.setState(R, 'CLOSING', 'inferred');
        }
        return;
      case 'FIN_WAIT_2':
        // §3.10.7.4 eighth, FIN-WAIT-2: a FIN → TIME-WAIT (§3.6.1: hold 2×MSL).
        if (this.cur.finNew) this.setState(R, 'TIME_WAIT', 'inferred');
        return;
      case 'CLOSE_WAIT':
        // §3.10.7.4: the peer already closed; a retransmitted FIN changes nothing.
        return;
      case 'CLOSING':
        // §3.10.7.4 fifth, CLOSING: our FIN acknowledged → TIME-WAIT.
        if (this.cur.acksPeerFin) this.setState(R, 'TIME_WAIT', 'inferred');
        return;
      case 'LAST_ACK':
        // §3.10.7.4 fifth, LAST-ACK: the acknowledgment of our FIN → delete the TCB, CLOSED.
        if (this.cur.acksPeerFin) this.setState(R, 'CLOSED', 'inferred');
        return;
      case 'TIME_WAIT':
        // §3.10.7.4 eighth, TIME-WAIT: a retransmitted FIN is re-acknowledged (the ACK shows it).
        return;
      default:
        assertNever(R.state, 'endpoint state');
    }
  }

  // ------------------------------------------------------------------ RST

  private onRst(seg: Segment, S: EndpointTrack, R: EndpointTrack): void {
    const seq = seg.seq;
    const ack = (seg.flags & ACK) !== 0;
    let check: NonNullable<CloseReport['rst']>['check'];
    let refused = false;
    if (R.state === 'SYN_SENT' && S.synAckCount === 0 && S.synCount === 0) {
      // RFC 9293 §3.10.7.3 SYN-SENT: a RST counts only if it acknowledges the SYN; else it is dropped.
      if (ack && R.sndKnown && seqGt(seg.ack, R.isn) && seqLe(seg.ack, R.sndNxt)) {
        check = 'exact';
        refused = true;
      } else check = 'out_of_window';
    } else {
      // RFC 5961 §3.2: exact when seq = RCV.NXT of the receiver, i.e. the next sequence number the
      // capture expects from the sender; in window when within the receiver's advertised window.
      const expect = S.sndKnown ? S.sndNxt : R.ackKnown ? R.lastAck : -1;
      if (expect < 0) check = 'unknown';
      else if (seq === expect || (R.ackKnown && seq === R.lastAck)) check = 'exact';
      else {
        const scale = !R.windowOnSyn && R.wscaleOffered >= 0 && S.wscaleOffered >= 0 ? Math.min(R.wscaleOffered, 14) : 0;
        const wnd = Math.max(1, R.window * 2 ** scale);
        const base = R.ackKnown ? R.lastAck : expect;
        check = seqInWindow(seq, base, wnd) || seqInWindow(seq, expect, wnd) ? 'in_window' : 'out_of_window';
      }
    }
    const states: BothStates = { client: this.client.state, server: this.server.state };
    if (check === 'out_of_window') {
      this.cur.marks |= Mark.out_of_window;
      this.emit('rst_out_of_window', S, { seq: seq >>> 0, states });
      return;
    }
    S.rstSent = true;
    if (S === this.client) this.rstClient = true;
    else this.rstServer = true;
    if (this.reset) {
      this.emit('rst', S, { check, states, repeat: true, afterFinOf: null, diagnosticBytes: seg.payloadLength });
      return;
    }
    this.reset = true;
    this.resetTime = this.cur.time;
    this.rstAfterFin = this.firstFin !== null;
    this.rstInfo = { by: S.side, frame: this.cur.frame, state: { client: this.client.state, server: this.server.state }, check };
    if (refused) {
      this.refused = true;
      this.emit('refused', S);
    }
    this.emit('rst', S, { check, states, repeat: false, afterFinOf: this.firstFin?.side ?? null, diagnosticBytes: seg.payloadLength });
    this.rstSender(S);
    this.rstReceiver(R);
  }

  /** The end that sends a RST aborts (RFC 9293 §3.10.4/§3.10.5 ABORT: send RST, enter CLOSED). */
  private rstSender(S: EndpointTrack): void {
    switch (S.state) {
      case 'CLOSED':
        // §3.10.7.1: an end with no connection answers with RST; nothing to change.
        return;
      case 'LISTEN':
        // The presumed listener answered the SYN with RST: nothing listened (§3.10.7.1, CLOSED).
        this.setState(S, 'CLOSED', 'observed');
        return;
      case 'SYN_SENT':
      case 'SYN_RECEIVED':
      case 'ESTABLISHED':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSE_WAIT':
      case 'CLOSING':
      case 'LAST_ACK':
      case 'TIME_WAIT':
        // §3.10.5 ABORT (or §3.10.7.4 first check, an unacceptable segment answered by RST after the
        // TCB is gone): CLOSED.
        this.setState(S, 'CLOSED', 'observed');
        return;
      default:
        assertNever(S.state, 'endpoint state');
    }
  }

  /** The receiver of an acceptable RST (RFC 9293 §3.10.7.3, §3.10.7.4 second check, RFC 5961 §3). */
  private rstReceiver(R: EndpointTrack): void {
    switch (R.state) {
      case 'CLOSED':
      case 'LISTEN':
        // §3.10.7.1 / §3.10.7.2: a RST to a closed or listening end is ignored.
        return;
      case 'SYN_SENT':
        // §3.10.7.3: an acceptable RST → "connection reset", CLOSED.
        this.setState(R, 'CLOSED', 'inferred');
        return;
      case 'SYN_RECEIVED':
        // §3.10.7.4 second check, SYN-RECEIVED: from a passive OPEN, back to LISTEN; from an
        // active one (simultaneous open), CLOSED.
        this.setState(R, R.synCount > 0 ? 'CLOSED' : 'LISTEN', 'inferred');
        return;
      case 'ESTABLISHED':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSE_WAIT':
        // §3.10.7.4 second check: reset, enter CLOSED.
        this.setState(R, 'CLOSED', 'inferred');
        return;
      case 'CLOSING':
      case 'LAST_ACK':
      case 'TIME_WAIT':
        // §3.10.7.4 second check: "enter the CLOSED state" (for TIME-WAIT this is the RFC 1337
        // assassination hazard; Linux accepts it unless tcp_rfc1337 is set).
        this.setState(R, 'CLOSED', 'inferred');
        return;
      default:
        assertNever(R.state, 'endpoint state');
    }
  }

  // ------------------------------------------------------------------ lifecycle

  /** Both ends hold nothing live: closed, reset, or in TIME_WAIT. */
  isTerminal(): boolean {
    if (this.reset) return true;
    if (!quiescent(this.a.state) || !quiescent(this.b.state)) return false;
    return this.a.finSent || this.b.finSent || this.a.state === 'TIME_WAIT' || this.b.state === 'TIME_WAIT';
  }

  /**
   * Whether a SYN (or SYN-ACK) on this 4-tuple starts a new connection: a new ISN on a tuple whose
   * connection is closed, reset or in TIME_WAIT, or a fresh attempt after an unanswered SYN.
   */
  startsNewConnection(seg: Segment, fromA: boolean): boolean {
    const S = fromA ? this.a : this.b;
    const R = fromA ? this.b : this.a;
    if (S.isnKnown && seg.seq === S.isn && !S.isnInferred) return false;
    if (S.isnKnown && S.isnInferred && (seg.flags & ACK) === 0 && seg.seq === S.isn) return false;
    if (this.isTerminal()) return true;
    // A new connect() with a new ISN after a SYN that got no answer (or only a RST).
    if ((seg.flags & ACK) === 0 && S.synCount > 0 && !R.sentAny) return true;
    return false;
  }

  /**
   * What a new SYN (from A when fromA) reusing the tuple at `now` tells, when this (old) connection
   * still has an end in TIME_WAIT within 2×MSL; else null.
   */
  timeWaitReuse(seg: Segment, fromA: boolean, now: number): TimeWaitReuse | null {
    const t = this.tombstone(now);
    return t === null ? null : t.reuse(seg, fromA, now);
  }

  /**
   * A new SYN (from A when fromA, at `now`) took the 4-tuple over while an end of this connection
   * held TIME_WAIT: that TIME_WAIT ends there (RFC 9293 §3.10.7.4 with RFC 6191: an acceptable SYN
   * in TIME-WAIT closes it and starts a new connection). CLOSED is observed for the end that sent the
   * SYN itself (Linux `tcp_tw_reuse`), inferred for the end the SYN reached.
   */
  endTimeWaitByReuse(seg: Segment, fromA: boolean, now: number): void {
    for (let i = 0; i < 2; i++) {
      const e = i === 0 ? this.a : this.b;
      if (e.state !== 'TIME_WAIT') continue;
      this.cur.frame = seg.frame;
      this.cur.file = seg.fileIndex;
      this.cur.time = now;
      this.setState(e, 'CLOSED', (e === this.a) === fromA ? 'observed' : 'inferred');
    }
  }

  /**
   * What must outlive the report while an end of this connection holds TIME_WAIT at `now` (within
   * 2×MSL, RFC 9293 §3.6.1): a handful of numbers to recognise and describe a reuse of the 4-tuple
   * (RFC 6191), instead of the whole tracker. Null when no end holds TIME_WAIT.
   */
  tombstone(now: number): TimeWaitTombstone | null {
    let holder: EndpointTrack | null = null;
    for (let i = 0; i < 2; i++) {
      const e = i === 0 ? this.a : this.b;
      if (e.state === 'TIME_WAIT' && e.timeWaitSince !== null && now - e.timeWaitSince < 2 * this.config.msl) holder = e;
    }
    if (holder === null) return null;
    const isA = holder === this.a;
    return new TimeWaitTombstone(
      this.id,
      this.config.msl,
      holder.side,
      holder.timeWaitSince!,
      isA,
      this.ipVersion,
      isA ? this.a0 : this.b0,
      this.addressWord(isA, 1),
      this.addressWord(isA, 2),
      this.addressWord(isA, 3),
      isA ? this.portA : this.portB,
      this.a,
      this.b,
    );
  }

  /**
   * Whether it is over at capture time `now`, i.e. whether its verdict can no longer change in
   * practice:
   * - reset (an accepted RST) and quiet for `resetGrace`;
   * - otherwise terminal (both ends CLOSED or TIME_WAIT after a FIN) and quiet for `closedGrace`;
   * - a SYN nobody answered, once its sender has given up retrying (see {@link synGivenUpAt}).
   * The flow layer passes the graces (see ConnectionManager); left out, they are 2×MSL.
   */
  overAt(now: number, closedGrace: number = 2 * this.config.msl, resetGrace: number = closedGrace): boolean {
    const quiet = now - this.lastTime;
    if (this.reset) return quiet >= resetGrace;
    if (this.isTerminal()) return quiet >= closedGrace;
    return this.client.state === 'SYN_SENT' && !this.server.sentAny && now >= this.synGivenUpAt();
  }

  /**
   * The capture time from which overAt() holds if no segment comes first: Infinity when only a
   * segment can end it (an open or half-closed connection). overAt(now) is false for any `now`
   * before it (it compares the quiet time, `now - lastTime`, so right at this time the two may
   * differ by a rounding; ConnectionManager keeps a margin).
   */
  overFrom(closedGrace: number = 2 * this.config.msl, resetGrace: number = closedGrace): number {
    if (this.reset) return this.lastTime + resetGrace;
    if (this.isTerminal()) return this.lastTime + closedGrace;
    return this.client.state === 'SYN_SENT' && !this.server.sentAny ? this.synGivenUpAt() : Infinity;
  }

  /**
   * Capture time after which a client whose SYNs got no answer will send no more. A connecting end
   * retransmits its SYN with exponential backoff (RFC 6298 §5.5; Linux: 1, 3, 7, 15, 31, 63 s after
   * the first SYN with tcp_syn_retries = 6, then gives up at about 127 s): the next retry comes at
   * most twice the longest interval seen so far after the last one, and the first retry at most
   * {@link SYN_FIRST_RETRY_MAX} after the SYN. When that has passed, plus {@link SYN_RETRY_SLACK},
   * without a new SYN, the attempt is over. Never later than 4×MSL of quiet (the old rule, a bound for
   * stacks with longer backoffs). Without this, a SYN scan would keep one tracker per probed port for
   * two minutes of capture time.
   */
  synGivenUpAt(): number {
    const c = this.client;
    let longest = 0;
    let prev = c.firstSynTime;
    for (const t of c.laterSynTimes) {
      longest = Math.max(longest, t - prev);
      prev = t;
    }
    const wait = Math.max(2 * longest, SYN_FIRST_RETRY_MAX) + SYN_RETRY_SLACK;
    return this.lastTime + Math.min(wait, 4 * this.config.msl);
  }

  // ------------------------------------------------------------------ Zeek's boundaries (--zeek-compat)

  /** Whether Zeek would end this connection and start a new one with `seg` (ZeekObserver.isReuse). */
  zeekIsReuse(seg: Segment, fromA: boolean): boolean {
    return this.zeek.isReuse(seg, fromA);
  }

  /** When the next of Zeek's timers for this connection is due (Infinity without them). */
  zeekNextTimer(): number {
    return this.zeek.nextTimer();
  }

  /** Fires Zeek's timers due by `now`; why Zeek removes the connection there, or null. */
  zeekFireTimers(now: number): ZeekRemoval | null {
    return this.zeek.fireTimers(now);
  }

  /**
   * A segment left out of the analysis because its checksum is wrong (`checksums: 'verify'`): only
   * the Zeek view sees it, as Zeek without -C does (a `C`/`c` letter, the connection's last time).
   */
  onUnverifiedSegment(seg: Segment, fromA: boolean, t: number): void {
    this.zeek.onSegment(seg, fromA, t);
    // It still belongs to the connection's span of frames and time, as in Zeek's conn.log.
    this.lastFrame = seg.frame;
    this.lastFile = seg.fileIndex;
    if (t > this.lastTime) this.lastTime = t;
  }

  /** The report's Zeek view, its originator named by role. */
  private zeekView(): ConnectionReport['zeek'] {
    const z = this.zeek.result();
    return {
      connState: z.connState,
      history: z.history,
      orig: z.origIsA === this.aIsClient ? 'client' : 'server',
      origBytes: z.origBytes,
      respBytes: z.respBytes,
    };
  }

  /** Turn the tracker into its report. `now` is the capture time the verdict is given at. */
  finish(reason: FinishReason, now: number, idleTimeout: number | null): ConnectionReport {
    this.finished = true;
    for (let k = 0; k < 2; k++) {
      const e = k === 0 ? this.a : this.b;
      const i = e.duplicateEvent;
      const duplicate = i >= 0 ? (this.eventPayloads?.[i] as EventPayloads['duplicate'] | undefined) : undefined;
      if (duplicate !== undefined) duplicate.copies = e.duplicates;
      e.duplicateEvent = -1;
    }
    const f = this.lastFrame;
    const fl = this.lastFile;
    const lt = this.lastTime;
    const hf: HandshakeFacts = {
      clientSyn: this.client.synCount > 0,
      serverSyn: this.server.synCount > 0,
      synAck: this.server.synAckCount > 0 || this.synAckInferred || (this.client.synAckCount > 0 && this.server.synCount > 0),
      clientAcked: this.clientAcked,
      refused: this.refused,
      midstream: this.midstream,
    };
    const hsKind = handshakeKind(hf);
    const established = handshakeEstablished(hsKind, this.client.everEstablished && this.server.everEstablished);

    if (reason === 'idle') this.emitAt('idle_timeout', null, { idle: interval(lt, now), limit: idleTimeout ?? 0 }, f, fl, lt);
    if (hsKind === 'unanswered') this.emitAt('unanswered', this.client, { syns: this.client.synCount }, f, fl, lt);
    if (this.secondFin !== null && !this.finalAckSeen && !this.finalAckLost && !this.reset) {
      const active = this.other(this.secondFin);
      this.emitAt('final_ack_not_seen', active, { fin: this.frameRef(this.secondFin.finFrame, this.secondFin.finFile), finOf: this.secondFin.side }, f, fl, lt);
    }
    for (let k = 0; k < 2; k++) {
      const e = k === 0 ? this.a : this.b;
      const unseen = this.directionNotCaptured(e);
      if (unseen !== null) this.emitAt('direction_not_captured', e, unseen, e.unseenAcked > 0 ? e.unseenFrame : f, e.unseenAcked > 0 ? e.unseenFile : fl, lt);
    }
    if (reason === 'end' && established && !this.reset && !(quiescent(this.a.state) && quiescent(this.b.state))) {
      this.emitAt('open_at_end', null, { states: { client: this.client.state, server: this.server.state } }, f, fl, lt);
    }

    const cf: CloseFacts = {
      established,
      firstFin: this.firstFin === null ? null : this.firstFin.side,
      secondFin: this.secondFin === null ? null : this.secondFin.side,
      secondFinAcksFirst: this.secondFinAcksFirst,
      firstFinAckedSeparately: this.firstFinAckedSeparately,
      resetBy: this.reset ? whoOf(this.rstClient, this.rstServer) : null,
      firstRst: this.rstInfo === null ? null : this.rstInfo!.by,
    };
    const kind = closeKind(cf);
    const close: CloseReport = {
      kind,
      initiator: closeInitiator(cf),
      rstBy: whoOf(this.rstClient, this.rstServer),
      finalAckLost: this.finalAckLost,
      finalAckSeen: this.finalAckSeen,
    };
    const detail = this.closeDetail(kind);
    if (detail !== '') close.detail = detail;
    if (this.rstInfo !== null) close.rst = this.rstInfo;
    if (this.firstFin !== null) close.afterFirstFin = { segments: this.afterFinSegments, bytes: this.afterFinBytes };

    const c = this.client;
    const s = this.server;
    // TIME_WAIT ends 2×MSL after it began (RFC 9293 §3.6.1): when that is past at `now`, the end is
    // CLOSED by the timer (inferred), after the connection's last frame.
    for (let k = 0; k < 2; k++) {
      const e = k === 0 ? this.a : this.b;
      if (e.state !== 'TIME_WAIT' || e.timeWaitSince === null) continue;
      const expiry = e.timeWaitSince + 2 * this.config.msl;
      if (expiry > now) continue;
      e.state = 'CLOSED';
      e.logState('CLOSED', this.lastFrame, this.config.clock.epoch(expiry), 'inferred', true);
    }
    const synToSynAck = c.synCount > 0 && s.synAckCount > 0 && s.synAckTime >= c.synTime ? interval(c.synTime, s.synAckTime) : null;
    const synAckToAck =
      s.synAckCount > 0 && this.clientAcked && !this.clientAckInferred && this.clientAckTime >= s.synAckTime ? interval(s.synAckTime, this.clientAckTime) : null;
    const backoff: number[] = [];
    for (let i = 1; i < c.synTimes.length; i++) backoff.push(interval(c.synTimes[i - 1]!, c.synTimes[i]!));
    const handshake: HandshakeReport = {
      kind: hsKind,
      synRetransmits: Math.max(0, c.synCount - 1),
      synAckRetransmits: Math.max(0, s.synAckCount - 1),
      rtt: { synToSynAck, synAckToAck, synBackoff: backoff },
      capturePoint: capturePoint(synToSynAck, synAckToAck),
      options: { client: c.options, server: s.options },
    };

    const clientEp = this.clientEndpoint();
    const serverEp = this.serverEndpoint();
    const duration = Math.max(0, interval(this.firstTime, this.lastTime));
    const report: ConnectionReport = {
      id: this.id,
      client: clientEp,
      server: serverEp,
      roles: { decidedBy: this.decidedBy },
      firstFrame: this.firstFrame,
      lastFrame: this.lastFrame,
      start: this.config.clock.epoch(this.firstTime),
      duration,
      handshake,
      close,
      finalState: { client: c.state, server: s.state },
      states: { client: c.states, server: s.states },
      events: this.events,
      stats: { client: c.stats(duration, lt), server: s.stats(duration, lt) },
      zeek: this.zeekView(),
      completeness: this.completeness.value(),
      displayFilter: displayFilter(clientEp, serverEp, this.ipVersion, this.tupleReused && this.firstFile === this.lastFile ? [this.firstFrame, this.lastFrame] : null),
    };
    if (this.config.multiFile) {
      report.firstFile = this.firstFile;
      report.lastFile = this.lastFile;
    }
    if (this.recorder !== null) {
      report.segments = this.recorder.records();
      labelStates(report.segments, report.states.client, report.states.server);
      const elided = this.recorder.elided();
      if (elided > 0) report.elidedSegments = elided;
    }
    if (reason === 'idle') report.idleExpired = true;
    return report;
  }

  /**
   * The payload of a `direction_not_captured` event when none of `e`'s segments is in the capture yet
   * its peer's acknowledge what it sent (data, or the SYN-ACK the client answered); else null. A
   * SYN-ACK alone (`syn_ack_only`) or an unanswered SYN does not prove a missing direction.
   */
  private directionNotCaptured(e: EndpointTrack): EventPayloads['direction_not_captured'] | null {
    if (e.sentAny) return null;
    const synAck = e === this.server && this.synAckInferred;
    if (e.unseenAcked === 0 && !synAck) return null;
    return { synAck, bytes: e.unseenAcked };
  }

  private closeDetail(kind: ReturnType<typeof closeKind>): string {
    const ff = this.firstFin;
    const sf = this.secondFin;
    switch (kind) {
      case 'reset': {
        const r = this.rstInfo!;
        const st = r.by === 'client' ? r.state.client : r.state.server;
        const peer = r.by === 'client' ? r.state.server : r.state.client;
        let d = `RST by ${r.by} in ${st} (peer in ${peer}, ${r.check})`;
        if (ff !== null) d += sf !== null ? ` after both FINs (${ff.side} first)` : ` after ${ff.side} FIN`;
        return d;
      }
      case 'four_way':
        return `${ff!.side} FIN, ${sf!.side} ACK, ${sf!.side} FIN, ${this.finalAckSeen ? 'final ACK seen' : 'final ACK not seen'}`;
      case 'three_way':
        return `${ff!.side} FIN, ${sf!.side} FIN+ACK, ${this.finalAckSeen ? 'final ACK seen' : 'final ACK not seen'}`;
      case 'simultaneous':
        return 'both FINs crossed: each end passed CLOSING';
      case 'half_closed':
        return `only the ${ff!.side} sent FIN (${this.other(ff!).side} in ${this.other(ff!).state})`;
      case 'open':
        return '';
      case 'not_established':
        return this.refused ? 'refused' : '';
      default:
        return assertNever(kind, 'close kind');
    }
  }
}

/** What a tombstone keeps of each end: the sequence and timestamp spaces it had reached. */
export type TombstoneEndpoint = Pick<EndpointTrack, 'sndKnown' | 'sndNxt' | 'tsKnown' | 'lastTsVal'>;

/** ConnectionTracker's boolean members other than the per-segment facts, kept as bits of `bits`. */
defineBitFlags(ConnectionTracker, ['initDone', 'tupleReused', 'synAckInferred', 'clientAcked', 'clientAckInferred', 'refused', 'handshakeDone', 'synAckLostNoted', 'secondFinAcksFirst', 'firstFinAckedSeparately', 'finalAckSeen', 'finalAckLost', 'closeCompleteNoted', 'halfCloseNoted', 'reset', 'rstClient', 'rstServer', 'rstAfterFin', 'simultaneousClose', 'finished']);

/**
 * A new SYN on a 4-tuple an end of the previous connection still held in TIME_WAIT: the event the new
 * connection reports (`ConnectionTracker.reusedTimeWait`), and whether the SYN came from that end.
 */
export interface TimeWaitReuse {
  event: EventPayloads['time_wait_reuse'];
  holderIsSynSender: boolean;
}

/**
 * A reported connection one of whose ends still holds TIME_WAIT (see ConnectionTracker.tombstone()).
 * Endpoint A is the old connection's A, as in the flow table entry it stays in.
 */
export class TimeWaitTombstone {
  readonly aSndKnown: boolean;
  readonly aSndNxt: number;
  readonly aTsKnown: boolean;
  readonly aTsVal: number;
  readonly bSndKnown: boolean;
  readonly bSndNxt: number;
  readonly bTsKnown: boolean;
  readonly bTsVal: number;

  constructor(
    readonly id: number,
    private readonly msl: number,
    readonly holderSide: Side,
    readonly timeWaitSince: number,
    readonly holderIsA: boolean,
    private readonly ipVersion: 4 | 6,
    private readonly h0: number,
    private readonly h1: number,
    private readonly h2: number,
    private readonly h3: number,
    private readonly holderPort: number,
    a: TombstoneEndpoint,
    b: TombstoneEndpoint,
  ) {
    this.aSndKnown = a.sndKnown;
    this.aSndNxt = a.sndNxt;
    this.aTsKnown = a.tsKnown;
    this.aTsVal = a.lastTsVal;
    this.bSndKnown = b.sndKnown;
    this.bSndNxt = b.sndNxt;
    this.bTsKnown = b.tsKnown;
    this.bTsVal = b.lastTsVal;
  }

  /** Capture time at which TIME_WAIT ends (2×MSL after it began). */
  get expires(): number {
    return this.timeWaitSince + 2 * this.msl;
  }

  /**
   * The payload of the `time_wait_reuse` event for a new SYN `seg` (from A when fromA) at `now`, or
   * null when TIME_WAIT is over by then.
   */
  reuse(seg: Segment, fromA: boolean, now: number): TimeWaitReuse | null {
    if (now - this.timeWaitSince >= 2 * this.msl) return null;
    const sndKnown = fromA ? this.aSndKnown : this.bSndKnown;
    const sndNxt = fromA ? this.aSndNxt : this.bSndNxt;
    const tsKnown = fromA ? this.aTsKnown : this.bTsKnown;
    const tsVal = fromA ? this.aTsVal : this.bTsVal;
    const event: EventPayloads['time_wait_reuse'] = {
      holder: { ip: formatWords(this.ipVersion, this.h0, this.h1, this.h2, this.h3), port: this.holderPort },
      holderSide: this.holderSide,
      oldConnection: this.id,
      heldFor: interval(this.timeWaitSince, now),
      timeWaitLimit: 2 * this.msl,
      isn: seg.seq >>> 0,
      isnAbove: sndKnown ? seqGt(seg.seq, sndNxt) : true,
      oldSndNxt: sndNxt >>> 0,
      timestampAbove: seg.options.hasTimestamps && tsKnown ? seqGt(seg.options.tsVal, tsVal) : null,
    };
    return { event, holderIsSynSender: this.holderIsA === fromA };
  }
}

const scratch16 = new Uint8Array(16);

/** Address text from the 32-bit words the flow layer keeps (one for IPv4, four for IPv6). */
export function formatWords(ipVersion: 4 | 6, w0: number, w1: number, w2: number, w3: number): string {
  if (ipVersion === 4) return `${w0 >>> 24}.${(w0 >>> 16) & 255}.${(w0 >>> 8) & 255}.${w0 & 255}`;
  const words = [w0, w1, w2, w3];
  for (let i = 0; i < 4; i++) {
    const w = words[i]!;
    scratch16[4 * i] = w >>> 24;
    scratch16[4 * i + 1] = (w >>> 16) & 255;
    scratch16[4 * i + 2] = (w >>> 8) & 255;
    scratch16[4 * i + 3] = w & 255;
  }
  return formatAddress(scratch16, 0, 16);
}

/** A Wireshark display filter for one connection (frame bounds when its 4-tuple was reused). */
export function displayFilter(client: Endpoint, server: Endpoint, ipVersion: 4 | 6, frames: [number, number] | null): string {
  const ip = ipVersion === 6 ? 'ipv6.addr' : 'ip.addr';
  let f = `${ip}==${client.ip} && tcp.port==${client.port} && ${ip}==${server.ip} && tcp.port==${server.port}`;
  if (frames !== null) f += ` && frame.number>=${frames[0]} && frame.number<=${frames[1]}`;
  return f;
}
