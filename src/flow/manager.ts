/**
 * Segments → connections. Looks each segment's 4-tuple up in the flow table, decides when a SYN
 * starts a new connection on a reused tuple, assigns client/server roles and ids (in order of first
 * frame), feeds the connection's tracker, and hands a connection's report over as soon as it is
 * over, so that memory follows the number of connections open at once, not the size of the capture.
 *
 * When a connection is over — when its verdict can no longer change in practice (all by capture
 * time, so a file and a live pipe give the same result):
 * - closed: both ends CLOSED or TIME_WAIT after the FINs, then quiet for {@link CLOSED_GRACE}
 *   (at most 2×MSL). The grace catches the one late segment that still changes the verdict: the
 *   passive closer's FIN retransmitted because the final ACK was lost (`finalAckLost`), which comes
 *   one retransmission timeout after its first FIN. Its report then shows the states at that moment
 *   (an active closer still in TIME_WAIT; CLOSED when the grace is the whole 2×MSL).
 * - reset (an accepted RST), then quiet for {@link RESET_GRACE} (at most 2×MSL): segments already
 *   in flight when the RST was sent (`data_after_rst`) and RSTs answering them arrive within a
 *   round trip or so.
 * - while an end still holds TIME_WAIT after the report, the 4-tuple keeps a tombstone (a dozen
 *   numbers in a TombstoneStore) until 2×MSL after TIME_WAIT began, so a new SYN reusing the tuple
 *   is still reported as `time_wait_reuse` (RFC 6191). Any other segment on a reported tuple (a FIN
 *   retransmitted after the grace, a late RST) starts a new connection, as it would after TIME_WAIT:
 *   it is reported, never dropped, though no longer attributed to the old connection.
 * - a SYN nobody answered, once its sender has stopped retrying (ConnectionTracker.synGivenUpAt():
 *   twice the longest retry interval after the last SYN, at least a few seconds, at most 4×MSL); with
 *   `idleTimeout`, anything idle that long (reported with `idle_timeout` and `idleExpired`);
 * - the end of input, for everything else (in id order).
 *
 * So what is held follows the connections really in progress: a closed connection for a few
 * seconds of capture time, not the 60 s of TIME_WAIT.
 *
 * Expiry is swept by capture time: at most once per `sweepInterval` seconds of capture time the
 * live connections are checked, never per packet.
 *
 * With `zeekCompat`, the connections follow Zeek's boundaries instead, so that each one is one row of
 * a default Zeek run's conn.log: a SYN starts a new connection where Zeek's reuse rule says so
 * (ZeekObserver.isReuse: after either side closed or reset, or with a new initial sequence number),
 * and a connection ends when one of Zeek's timers removes it (tracker/zeek-timers.ts: the 5 s attempt
 * timer, the expire checks after 5 s of quiet, the 5 s close/reset delay, the 5-minute inactivity
 * timeout, `idleTimeout` standing for the last). As in Zeek, the timers fire by capture time before
 * the packet that reaches their time is looked up, so that packet starts a new connection.
 */
import type { Segment } from '../decode/segment.js';
import { TcpFlag } from '../decode/segment.js';
import type { ConnectionEvent } from '../model/events.js';
import type { Endpoint } from '../model/endpoint.js';
import type { ConnectionReport } from '../model/report.js';
import { ConnectionTracker, SegmentScratch, SYN_FIRST_RETRY_MAX, SYN_RETRY_SLACK, type FinishReason, type RoleRule } from '../tracker/connection.js';
import type { ZeekObserverOptions } from '../tracker/zeek.js';
import { ZEEK_TCP_TIMERS } from '../tracker/zeek-timers.js';
import { CaptureClock } from '../tracker/clock.js';
import type { Encapsulation } from '../model/report.js';
import { encapsulationOf, orientEncapsulation, tunnelDisplayFilter, tunnelIds } from './encapsulation.js';
import { rolesByPort } from './roles.js';
import { FlowTable, segmentFlowHash, type FlowEntry } from './table.js';
import { TombstoneStore } from './tombstones.js';
import { formatAddress } from '../decode/address.js';

/**
 * Quiet time (seconds of capture time) a closed connection is held before its report: long enough
 * for the passive closer to retransmit its FIN when the final ACK was lost. That retransmission comes
 * one RTO after the FIN: Linux's RTO is at least 200 ms (TCP_RTO_MIN) and about 1 s early in a
 * connection (RFC 6298 §2: 1 s initial RTO, then SRTT + 4·RTTVAR), a few seconds only on long or
 * jittery paths. A FIN retransmitted later still appears in the output, as a new connection.
 */
export const CLOSED_GRACE = 3;

/**
 * Quiet time (seconds of capture time) a reset connection is held before its report: segments the
 * peer had in flight when the RST was sent, and the RSTs answering them, arrive within a round trip.
 */
export const RESET_GRACE = 2;

/**
 * 4-tuples whose connection was reported before it was terminal (an unanswered SYN given up, an idle
 * expiry, an attempt replaced by a new one) while its roles were known from a SYN or SYN-ACK, kept so
 * that a later connection on the tuple the capture saw no SYN of keeps those roles instead of guessing
 * by ports. At most this many (the oldest forgotten first).
 */
export const MAX_REMEMBERED_ROLES = 4096;

/** "ip|port" of an endpoint, as both the tracker's endpoints and a segment's addresses give it. */
function endpointId(ip: string, port: number): string {
  return `${ip}|${port}`;
}

/** The same key for a 4-tuple in either direction. */
function tupleId(x: string, y: string): string {
  return x < y ? `${x} ${y}` : `${y} ${x}`;
}

export interface ConnectionManagerOptions {
  /** Maximum segment lifetime in seconds (TIME_WAIT = 2×MSL). Default 30. */
  msl?: number;
  /** Expire connections idle this long (seconds of capture time). Default: never. */
  idleTimeout?: number;
  /** Which connections record ladder rows. */
  recordSegments?: boolean | ((id: number) => boolean);
  maxRecordedSegments?: number;
  /** The run has several inputs. */
  multiFile?: boolean;
  /** Settings of each connection's Zeek view (see ZeekObserverOptions). */
  zeek?: ZeekObserverOptions;
  /**
   * Split 4-tuples into connections as a default Zeek run does (see above) instead of by tcpshake's
   * own rules. `idleTimeout` then stands for Zeek's inactivity timeout (default 5 min).
   */
  zeekCompat?: boolean;
  onEvent?: (event: ConnectionEvent, connection: { id: number; client: Endpoint; server: Endpoint }) => void;
  /** False: no tracker takes its fast path (same reports, slower; see TrackerConfig.fastPath). */
  fastPath?: boolean;
  /** Each connection's report, when it is over (or at finish(), in id order). */
  onConnection: (report: ConnectionReport) => void;
}

/** What the flow table holds per 4-tuple: the live connection's tracker. */
interface Live {
  tracker: ConnectionTracker | null;
  entry: FlowEntry<Live>;
  /** Index in the live array (swap-remove); -1 when not live. */
  index: number;
  /** With zeekCompat: the due time of this connection's latest entry in the timer queue. */
  queuedAt: number;
  /** The tunnels of the connection's first segment (outer source = its sender's side); null when untunnelled. */
  tunnels: Encapsulation[] | null;
  /** The tunnels' identifiers on A's first segment and on B's (null until B sends). */
  idsA: number[] | null;
  idsB: number[] | null;
}

/** One entry of the zeekCompat timer queue: `live`'s tracker has a Zeek timer due at `at`. */
interface TimerEntry {
  at: number;
  live: Live;
  tracker: ConnectionTracker;
}

/** A binary min-heap of timer entries by due time. */
class TimerQueue {
  private readonly heap: TimerEntry[] = [];
  get size(): number {
    return this.heap.length;
  }
  peek(): TimerEntry | undefined {
    return this.heap[0];
  }
  push(e: TimerEntry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= e.at) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }
  pop(): TimerEntry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
      if (h[c]!.at >= last.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

/** liveOverFrom's value for a connection not looked at since its last segment. */
const OVER_FROM_UNKNOWN = -Infinity;
/**
 * Taken off overFrom() before the sweep compares it with the clock: overAt() itself decides at that
 * time, from the quiet time (`now - lastTime`), which can round differently from `lastTime + grace`.
 * A microsecond is far above that rounding (capture times are relative to the run's first frame).
 */
const OVER_FROM_MARGIN = 1e-6;

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const RST = TcpFlag.RST;
const FIN = TcpFlag.FIN;

export class ConnectionManager {
  private readonly table = new FlowTable<Live>();
  private readonly live: Live[] = [];
  /**
   * `live[i].tracker.lastTime`, copied after every segment the tracker is given: the sweep reads this
   * dense array instead of one tracker object per live connection (most of which are busy and skipped).
   */
  private liveLastTime = new Float64Array(1024);
  /**
   * `live[i].tracker.overFrom()` less {@link OVER_FROM_MARGIN}, once a sweep has found the connection
   * quiet; {@link OVER_FROM_UNKNOWN} until then and again after its next segment (overFrom() is a pure
   * function of the tracker, which changes only on segments). The sweep skips a connection until this
   * time without touching its tracker: a closed one waiting out its grace, an unanswered SYN waiting
   * for the retries to stop, and (Infinity) an open or half-closed one, often the bulk of the quiet
   * ones, which costs the sweep nothing but the idle rule. On the bench's large preset this spared
   * some 700,000 visits to trackers no longer in the processor's caches.
   */
  private liveOverFrom = new Float64Array(1024);
  /** TIME_WAIT tombstones of reported connections. */
  private readonly tombs: TombstoneStore;
  /** Client endpoint ids by tuple id, of the connections MAX_REMEMBERED_ROLES describes. */
  private readonly rememberedRoles = new Map<string, string>();
  private nextId = 1;
  private readonly msl: number;
  private readonly closedGrace: number;
  private readonly resetGrace: number;
  private readonly idleTimeout: number | null;
  private readonly sweepInterval: number;
  /** Shortest quiet time after which any connection can be over (the sweep skips busier ones at once). */
  private readonly minQuiet: number;
  private lastSweep = -Infinity;
  /** Latest capture time seen (seconds on the run's clock). */
  private now = -Infinity;
  /** Capture times in here and in the trackers are relative to this clock (see tracker/clock.ts). */
  private readonly clock = new CaptureClock();
  private readonly recordAll: boolean;
  private readonly recordFn: ((id: number) => boolean) | null;
  private readonly maxRecorded: number;
  private readonly trackerConfig: ConstructorParameters<typeof ConnectionTracker>[3];
  /** zeekCompat: Zeek's timers of the live connections, by due time (null: tcpshake's own rules). */
  private readonly zeekTimers: TimerQueue | null;
  /** zeekCompat: Zeek's inactivity timeout (for the report of a connection it ended). */
  private readonly zeekInactivity: number;

  constructor(private readonly options: ConnectionManagerOptions) {
    this.msl = options.msl ?? 30;
    this.closedGrace = Math.min(2 * this.msl, CLOSED_GRACE);
    this.resetGrace = Math.min(2 * this.msl, RESET_GRACE);
    this.tombs = new TombstoneStore(this.msl);
    const compat = options.zeekCompat === true;
    this.zeekTimers = compat ? new TimerQueue() : null;
    this.zeekInactivity = options.idleTimeout ?? ZEEK_TCP_TIMERS.inactivityTimeout;
    // With Zeek's boundaries, its inactivity timer stands for the idle timeout.
    this.idleTimeout = compat ? null : (options.idleTimeout ?? null);
    const synWait = Math.min(SYN_FIRST_RETRY_MAX + SYN_RETRY_SLACK, 4 * this.msl);
    const horizon = Math.min(this.closedGrace, this.resetGrace, synWait, this.idleTimeout ?? Infinity);
    // Sweep often enough that an expiry is reported within a fraction of its own horizon.
    this.sweepInterval = Math.max(0.001, horizon / 8);
    this.minQuiet = horizon;
    this.recordAll = options.recordSegments === true;
    this.recordFn = typeof options.recordSegments === 'function' ? options.recordSegments : null;
    this.maxRecorded = options.maxRecordedSegments ?? 2000;
    this.trackerConfig = {
      msl: this.msl,
      recordSegments: 0,
      multiFile: options.multiFile === true,
      onEvent: options.onEvent ?? null,
      clock: this.clock,
      scratch: new SegmentScratch(),
      ...(options.fastPath === false ? { fastPath: false } : {}),
      ...(compat
        ? { zeek: { ...options.zeek, timers: true, inactivityTimeout: this.zeekInactivity } }
        : options.zeek !== undefined
          ? { zeek: options.zeek }
          : {}),
    };
  }

  /** Connections currently tracked (open, closing, or lingering after their close). */
  get liveCount(): number {
    return this.live.length;
  }

  /** Reported connections whose 4-tuple still holds a TIME_WAIT tombstone. */
  get tombstoneCount(): number {
    return this.tombs.size;
  }

  /** Connections created so far. */
  get connectionCount(): number {
    return this.nextId - 1;
  }

  /** The trackers currently live, in no particular order (inspection and tests). */
  liveTrackers(): ConnectionTracker[] {
    return this.live.map((l) => l.tracker!);
  }

  /** Capture time of the latest segment (seconds), or null before any. */
  get lastTime(): number | null {
    return this.now === -Infinity ? null : this.clock.epoch(this.now);
  }

  /**
   * Moves capture time on to `seg`'s timestamp (returned, on the run's clock): reports what is over by
   * then — Zeek's timers due, and (`sweep`) the periodic sweep. onSegment() does this first; a run
   * that analyses only some connections (pipeline/shard.ts) calls it for every segment of the
   * capture, so its clock, sweeps and timers, and so the moments and contents of its reports, are
   * those of a run over everything.
   */
  advanceClock(seg: Segment, sweep: boolean): number {
    const t = this.clock.rel(seg.tsSec, seg.tsNsec);
    if (t > this.now) {
      this.now = t;
      if (this.zeekTimers !== null) this.fireZeekTimers(t);
      if (sweep && t - this.lastSweep >= this.sweepInterval) {
        this.lastSweep = t;
        this.sweep(t);
      }
    }
    return t;
  }

  onSegment(seg: Segment): void {
    const t = this.advanceClock(seg, true);
    const entry = this.table.lookup(seg);
    if (entry === null) {
      this.startOnFreeTuple(seg, t, true);
      return;
    }
    const live = entry.value;
    const tracker = live.tracker!;
    const fromA = this.table.fromA;
    if (this.zeekTimers !== null) {
      if (tracker.zeekIsReuse(seg, fromA)) this.replace(live, seg, fromA, t, true);
      else {
        tracker.onSegment(seg, fromA, t);
        this.touched(live, tracker);
      }
      return;
    }
    if (this.idleTimeout !== null && t - tracker.lastTime > this.idleTimeout) {
      // Idle past the limit before this segment came (between two sweeps): the old connection is
      // expired and this segment starts a new one.
      this.retire(live, 'idle', tracker.lastTime + this.idleTimeout);
      this.onSegment(seg);
      return;
    }
    const f = seg.flags;
    if ((f & SYN) !== 0 && (f & (RST | FIN)) === 0 && tracker.startsNewConnection(seg, fromA)) {
      this.replace(live, seg, fromA, t);
      return;
    }
    if (seg.tunnelDepth !== 0 && !fromA && live.idsB === null) live.idsB = tunnelIds(seg);
    tracker.onSegment(seg, fromA, t);
    this.liveLastTime[live.index] = tracker.lastTime;
    this.liveOverFrom[live.index] = OVER_FROM_UNKNOWN;
  }

  /**
   * A segment left out of the analysis because its checksum is wrong (`checksums: 'verify'`): the
   * Zeek view of its connection still counts it (`C`/`c`), as Zeek without -C does. With zeekCompat it
   * can also start a connection, as in Zeek (which makes the connection before it checks the TCP
   * checksum); otherwise it never does.
   */
  onUnverifiedSegment(seg: Segment): void {
    const t = this.advanceClock(seg, false);
    const entry = this.table.lookup(seg);
    if (entry === null) {
      if (this.zeekTimers !== null) this.startOnFreeTuple(seg, t, false);
      return;
    }
    const live = entry.value;
    const tracker = live.tracker!;
    const fromA = this.table.fromA;
    if (this.zeekTimers !== null && tracker.zeekIsReuse(seg, fromA)) {
      this.replace(live, seg, fromA, t, false);
      return;
    }
    tracker.onUnverifiedSegment(seg, fromA, t);
    if (this.zeekTimers !== null) this.touched(live, tracker);
  }

  /** Report every connection still tracked, in id order (end of input). */
  finish(): void {
    const rest = this.live.slice().sort((x, y) => x.tracker!.id - y.tracker!.id);
    const now = this.now === -Infinity ? 0 : this.now;
    for (const l of rest) this.retire(l, 'end', now);
    this.tombs.clear();
  }

  // ------------------------------------------------------------------

  /**
   * A new connection on `live`'s 4-tuple, starting with `seg` (whose sender is the entry's A); `seg`
   * is analysed, or only shown to the Zeek view (see onUnverifiedSegment).
   */
  private start(live: Live, seg: Segment, t: number, tupleReused: boolean, analysed: boolean): ConnectionTracker {
    const tracker = this.create(seg);
    if (tupleReused) tracker.tupleReused = true;
    live.tracker = tracker;
    live.tunnels = seg.tunnelDepth === 0 ? null : encapsulationOf(seg);
    live.idsA = seg.tunnelDepth === 0 ? null : tunnelIds(seg);
    live.idsB = null;
    this.addLive(live);
    if (analysed) tracker.onSegment(seg, true, t);
    else tracker.onUnverifiedSegment(seg, true, t);
    this.liveLastTime[live.index] = tracker.lastTime;
    this.liveOverFrom[live.index] = OVER_FROM_UNKNOWN;
    if (this.zeekTimers !== null) {
      live.queuedAt = Infinity;
      this.touched(live, tracker);
    }
    return tracker;
  }

  /** zeekCompat: after `tracker` took a segment, queue its next Zeek timer if that came earlier. */
  private touched(live: Live, tracker: ConnectionTracker): void {
    this.liveLastTime[live.index] = tracker.lastTime;
    const next = tracker.zeekNextTimer();
    if (next < live.queuedAt) {
      live.queuedAt = next;
      this.zeekTimers!.push({ at: next, live, tracker });
    }
  }

  /**
   * zeekCompat: fires the Zeek timers due by `now` (the time of the packet about to be looked up),
   * reporting the connections they remove, in id order.
   */
  private fireZeekTimers(now: number): void {
    const q = this.zeekTimers!;
    let removed: { l: Live; reason: FinishReason }[] | null = null;
    for (let top = q.peek(); top !== undefined && top.at <= now; top = q.peek()) {
      q.pop();
      const { live, tracker } = top;
      // Stale: the connection is gone, or a later entry superseded this one.
      if (live.tracker !== tracker || live.queuedAt !== top.at) continue;
      const removal = tracker.zeekFireTimers(now);
      if (removal !== null) {
        live.queuedAt = Infinity;
        (removed ??= []).push({ l: live, reason: removal === 'inactivity' ? 'idle' : 'over' });
        continue;
      }
      const next = tracker.zeekNextTimer();
      live.queuedAt = next;
      if (next !== Infinity) q.push({ at: next, live, tracker });
    }
    if (removed === null) return;
    removed.sort((x, y) => x.l.tracker!.id - y.l.tracker!.id);
    for (const r of removed) this.retire(r.l, r.reason, now);
  }

  private create(seg: Segment): ConnectionTracker {
    const id = this.nextId++;
    const f = seg.flags & (SYN | ACK | RST | FIN);
    let aIsClient: boolean;
    let decidedBy: RoleRule;
    let client: string | undefined;
    if (f === SYN) {
      aIsClient = true;
      decidedBy = 'syn';
    } else if (f === (SYN | ACK)) {
      aIsClient = false;
      decidedBy = 'syn_ack';
    } else if (this.rememberedRoles.size > 0 && (client = this.rememberedClient(seg)) !== undefined) {
      aIsClient = client === endpointId(formatAddress(seg.bytes, seg.srcOffset, seg.addrLength), seg.srcPort);
      decidedBy = 'earlier_connection';
    } else {
      const r = rolesByPort(seg.srcPort, seg.dstPort);
      aIsClient = r.aIsClient;
      decidedBy = r.decidedBy;
    }
    const record = this.recordAll || (this.recordFn !== null && this.recordFn(id)) ? this.maxRecorded : 0;
    const config = record === 0 ? this.trackerConfig : { ...this.trackerConfig, recordSegments: record };
    return new ConnectionTracker(id, seg, { aIsClient, decidedBy }, config);
  }

  /** The remembered client of `seg`'s 4-tuple (taken out: the new connection remembers it in turn). */
  private rememberedClient(seg: Segment): string | undefined {
    const src = endpointId(formatAddress(seg.bytes, seg.srcOffset, seg.addrLength), seg.srcPort);
    const dst = endpointId(formatAddress(seg.bytes, seg.dstOffset, seg.addrLength), seg.dstPort);
    const key = tupleId(src, dst);
    const client = this.rememberedRoles.get(key);
    if (client !== undefined) this.rememberedRoles.delete(key);
    return client;
  }

  /**
   * Remember the roles of a connection reported before it was terminal, when a SYN or SYN-ACK decided
   * them: what follows on the tuple (the server's late answer, more segments after an idle expiry)
   * belongs to the same client and server.
   */
  private rememberRoles(tracker: ConnectionTracker): void {
    if (tracker.decidedBy !== 'syn' && tracker.decidedBy !== 'syn_ack' && tracker.decidedBy !== 'earlier_connection') return;
    if (tracker.isTerminal()) return;
    const c = tracker.clientEndpoint();
    const s = tracker.serverEndpoint();
    const client = endpointId(c.ip, c.port);
    const key = tupleId(client, endpointId(s.ip, s.port));
    this.rememberedRoles.delete(key);
    if (this.rememberedRoles.size >= MAX_REMEMBERED_ROLES) this.rememberedRoles.delete(this.rememberedRoles.keys().next().value!);
    this.rememberedRoles.set(key, client);
  }

  /** A SYN with a new ISN on a tuple whose connection is finished: the old one is over. */
  private replace(live: Live, seg: Segment, fromA: boolean, t: number, analysed = true): void {
    const old = live.tracker!;
    const reuse = old.timeWaitReuse(seg, fromA, t);
    if (reuse !== null) old.endTimeWaitByReuse(seg, fromA, t);
    old.tupleReused = true;
    this.removeLive(live);
    this.report(live, old, old.finish(old.isTerminal() ? 'over' : 'replaced', t, this.idleTimeout));
    if (!fromA) live.entry.swap();
    const tracker = this.start(live, seg, t, true, analysed);
    if (reuse !== null) tracker.reusedTimeWait(reuse);
  }

  /**
   * A segment on a 4-tuple with no live connection: a new connection. When the tuple's last
   * connection was reported while an end held TIME_WAIT, its tombstone goes, and a SYN within
   * TIME_WAIT is a `time_wait_reuse` (any other segment is a plain new connection, as after TIME_WAIT).
   */
  private startOnFreeTuple(seg: Segment, t: number, analysed: boolean): void {
    const tomb = this.tombs.size === 0 ? null : this.tombs.take(seg, segmentFlowHash(seg));
    const f = seg.flags;
    const reuse = tomb !== null && (f & SYN) !== 0 && (f & (RST | FIN)) === 0 ? tomb.reuse(seg, this.tombs.fromA, t) : null;
    const live: Live = { tracker: null, entry: null as unknown as FlowEntry<Live>, index: -1, queuedAt: Infinity, tunnels: null, idsA: null, idsB: null };
    live.entry = this.table.insert(seg, live);
    const tracker = this.start(live, seg, t, reuse !== null, analysed);
    if (reuse !== null) tracker.reusedTimeWait(reuse);
  }

  private addLive(l: Live): void {
    l.index = this.live.length;
    this.live.push(l);
    if (l.index >= this.liveLastTime.length) {
      const grown = new Float64Array(2 * this.liveLastTime.length);
      grown.set(this.liveLastTime);
      this.liveLastTime = grown;
      const overFrom = new Float64Array(grown.length);
      overFrom.set(this.liveOverFrom);
      this.liveOverFrom = overFrom;
    }
    this.liveLastTime[l.index] = l.tracker!.lastTime;
    this.liveOverFrom[l.index] = OVER_FROM_UNKNOWN;
  }

  private removeLive(l: Live): void {
    const i = l.index;
    const last = this.live.pop()!;
    if (last !== l) {
      this.live[i] = last;
      last.index = i;
      this.liveLastTime[i] = this.liveLastTime[this.live.length]!;
      this.liveOverFrom[i] = this.liveOverFrom[this.live.length]!;
    }
    l.index = -1;
  }

  private retire(l: Live, reason: FinishReason, now: number): void {
    const tracker = l.tracker!;
    this.removeLive(l);
    l.tracker = null;
    const tomb = reason === 'over' ? tracker.tombstone(now) : null;
    if (tomb !== null) this.tombs.add(l.entry, tomb);
    if (reason !== 'end') this.rememberRoles(tracker);
    this.table.remove(l.entry);
    this.report(l, tracker, tracker.finish(reason, now, this.zeekTimers !== null ? this.zeekInactivity : this.idleTimeout));
  }

  /** Hands a finished connection's report on, with its tunnels when it had any. */
  private report(l: Live, tracker: ConnectionTracker, r: ConnectionReport): void {
    if (l.tunnels !== null) {
      r.encapsulation = orientEncapsulation(l.tunnels, tracker.aIsClient, l.idsA!, l.idsB);
      const f = tunnelDisplayFilter(r.encapsulation);
      if (f !== '') r.displayFilter += ` && ${f}`;
    }
    this.options.onConnection(r);
  }

  /** Expire what is over at capture time `now`; reported in id order. */
  private sweep(now: number): void {
    this.tombs.sweep(now);
    // With Zeek's boundaries, only Zeek's timers end a connection.
    if (this.zeekTimers !== null) return;

    let due: { l: Live; reason: FinishReason }[] | null = null;
    const idle = this.idleTimeout;
    const lastTimes = this.liveLastTime;
    const overFrom = this.liveOverFrom;
    const minQuiet = this.minQuiet;
    for (let i = 0; i < this.live.length; i++) {
      // Most live connections are busy: one subtraction rules them out (overAt() and the idle rule
      // both need at least minQuiet seconds of quiet). The mirror is never ahead of the tracker's own
      // lastTime (copied from it, which only grows), so this skips nothing the tracker would not.
      if (now - lastTimes[i]! < minQuiet) continue;
      if (now < overFrom[i]! && idle === null) continue;
      const l = this.live[i]!;
      const tr = l.tracker!;
      if (now - tr.lastTime < minQuiet) continue;
      if (overFrom[i] === OVER_FROM_UNKNOWN) overFrom[i] = tr.overFrom(this.closedGrace, this.resetGrace) - OVER_FROM_MARGIN;
      let reason: FinishReason | null = null;
      if (now >= overFrom[i]! && tr.overAt(now, this.closedGrace, this.resetGrace)) reason = 'over';
      else if (idle !== null && now - tr.lastTime > idle) reason = 'idle';
      if (reason !== null) (due ??= []).push({ l, reason });
    }
    if (due === null) return;
    due.sort((x, y) => x.l.tracker!.id - y.l.tracker!.id);
    for (const d of due) this.retire(d.l, d.reason, now);
  }
}
