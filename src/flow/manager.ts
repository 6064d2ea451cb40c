/**
 * Segments → connections. Looks each segment's 4-tuple up in the flow table, decides when a SYN
 * starts a new connection on a reused tuple, assigns client/server roles and ids (in order of first
 * frame), feeds the connection's tracker, and hands a connection's report over as soon as it is
 * over (closed and out of TIME_WAIT, reset and quiet, or idle) so that memory follows the number of
 * connections open at once, not the size of the capture.
 *
 * Expiry is swept by capture time: at most once per `sweepInterval` seconds of capture time the
 * live connections are checked, never per packet.
 */
import type { Segment } from '../decode/segment.js';
import { TcpFlag } from '../decode/segment.js';
import type { ConnectionEvent, ConnectionReport, Endpoint } from '../report/model.js';
import { ConnectionTracker, type FinishReason, type RoleRule } from '../tracker/connection.js';
import { rolesByPort } from './roles.js';
import { FlowTable, type FlowEntry } from './table.js';

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
  onEvent?: (event: ConnectionEvent, connection: { id: number; client: Endpoint; server: Endpoint }) => void;
  /** Each connection's report, when it is over (or at finish(), in id order). */
  onConnection: (report: ConnectionReport) => void;
}

interface Live {
  tracker: ConnectionTracker;
  entry: FlowEntry<Live>;
  /** Index in the live array (swap-remove). */
  index: number;
}

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const RST = TcpFlag.RST;
const FIN = TcpFlag.FIN;

export class ConnectionManager {
  private readonly table = new FlowTable<Live>();
  private readonly live: Live[] = [];
  private nextId = 1;
  private readonly msl: number;
  private readonly idleTimeout: number | null;
  private readonly sweepInterval: number;
  private lastSweep = -Infinity;
  /** Latest capture time seen (seconds). */
  private now = -Infinity;
  private readonly recordAll: boolean;
  private readonly recordFn: ((id: number) => boolean) | null;
  private readonly maxRecorded: number;

  constructor(private readonly options: ConnectionManagerOptions) {
    this.msl = options.msl ?? 30;
    this.idleTimeout = options.idleTimeout ?? null;
    const horizon = Math.min(2 * this.msl, this.idleTimeout ?? Infinity);
    // Sweep often enough that an expiry is reported within a fraction of its own horizon.
    this.sweepInterval = Math.max(0.001, horizon / 8);
    this.recordAll = options.recordSegments === true;
    this.recordFn = typeof options.recordSegments === 'function' ? options.recordSegments : null;
    this.maxRecorded = options.maxRecordedSegments ?? 2000;
  }

  /** Connections currently tracked (open, closing, or in TIME_WAIT). */
  get liveCount(): number {
    return this.live.length;
  }

  /** Connections created so far. */
  get connectionCount(): number {
    return this.nextId - 1;
  }

  /** The trackers currently live, in no particular order (inspection and tests). */
  liveTrackers(): ConnectionTracker[] {
    return this.live.map((l) => l.tracker);
  }

  /** Capture time of the latest segment (seconds), or null before any. */
  get lastTime(): number | null {
    return this.now === -Infinity ? null : this.now;
  }

  onSegment(seg: Segment): void {
    const t = seg.tsSec + seg.tsNsec * 1e-9;
    if (t > this.now) {
      this.now = t;
      if (t - this.lastSweep >= this.sweepInterval) {
        this.lastSweep = t;
        this.sweep(t);
      }
    }
    const entry = this.table.lookup(seg);
    if (entry === null) {
      const live: Live = { tracker: null as unknown as ConnectionTracker, entry: null as unknown as FlowEntry<Live>, index: -1 };
      live.entry = this.table.insert(seg, live);
      live.tracker = this.create(seg);
      this.addLive(live);
      live.tracker.onSegment(seg, true);
      return;
    }
    const live = entry.value;
    const fromA = this.table.fromA;
    if (this.idleTimeout !== null && t - live.tracker.lastTime > this.idleTimeout) {
      // Idle past the limit before this segment came (between two sweeps): the old connection is
      // expired and this segment starts a new one.
      this.retire(live, 'idle', live.tracker.lastTime + this.idleTimeout);
      this.onSegment(seg);
      return;
    }
    const f = seg.flags;
    if ((f & SYN) !== 0 && (f & (RST | FIN)) === 0 && live.tracker.startsNewConnection(seg, fromA)) {
      this.replace(live, seg, fromA, t);
      return;
    }
    live.tracker.onSegment(seg, fromA);
  }

  /** Report every connection still tracked, in id order (end of input). */
  finish(): void {
    const rest = this.live.slice().sort((x, y) => x.tracker.id - y.tracker.id);
    const now = this.now === -Infinity ? 0 : this.now;
    for (const l of rest) this.retire(l, 'end', now);
  }

  // ------------------------------------------------------------------

  private create(seg: Segment): ConnectionTracker {
    const id = this.nextId++;
    const f = seg.flags & (SYN | ACK | RST | FIN);
    let aIsClient: boolean;
    let decidedBy: RoleRule;
    if (f === SYN) {
      aIsClient = true;
      decidedBy = 'syn';
    } else if (f === (SYN | ACK)) {
      aIsClient = false;
      decidedBy = 'syn_ack';
    } else {
      const r = rolesByPort(seg.srcPort, seg.dstPort);
      aIsClient = r.aIsClient;
      decidedBy = r.decidedBy;
    }
    const record = this.recordAll || (this.recordFn !== null && this.recordFn(id)) ? this.maxRecorded : 0;
    return new ConnectionTracker(id, seg, { aIsClient, decidedBy }, {
      msl: this.msl,
      recordSegments: record,
      multiFile: this.options.multiFile === true,
      onEvent: this.options.onEvent ?? null,
    });
  }

  /** A SYN with a new ISN on a tuple whose connection is finished: the old one is over. */
  private replace(live: Live, seg: Segment, fromA: boolean, t: number): void {
    const old = live.tracker;
    const reuse = old.timeWaitReuse(seg, fromA, t);
    old.tupleReused = true;
    this.removeLive(live);
    this.options.onConnection(old.finish(old.isTerminal() ? 'over' : 'replaced', t, this.idleTimeout));
    if (!fromA) live.entry.swap();
    const tracker = this.create(seg);
    tracker.tupleReused = true;
    live.tracker = tracker;
    this.addLive(live);
    tracker.onSegment(seg, true);
    if (reuse !== null) tracker.emit('time_wait_reuse', tracker.a, reuse.detail);
  }

  private addLive(l: Live): void {
    l.index = this.live.length;
    this.live.push(l);
  }

  private removeLive(l: Live): void {
    const i = l.index;
    const last = this.live.pop()!;
    if (last !== l) {
      this.live[i] = last;
      last.index = i;
    }
    l.index = -1;
  }

  private retire(l: Live, reason: FinishReason, now: number): void {
    this.removeLive(l);
    this.table.remove(l.entry);
    this.options.onConnection(l.tracker.finish(reason, now, this.idleTimeout));
  }

  /** Expire what is over at capture time `now`; reported in id order. */
  private sweep(now: number): void {
    let due: { l: Live; reason: FinishReason }[] | null = null;
    const idle = this.idleTimeout;
    for (let i = 0; i < this.live.length; i++) {
      const l = this.live[i]!;
      const tr = l.tracker;
      let reason: FinishReason | null = null;
      if (tr.overAt(now)) reason = 'over';
      else if (idle !== null && now - tr.lastTime > idle) reason = 'idle';
      if (reason !== null) (due ??= []).push({ l, reason });
    }
    if (due === null) return;
    due.sort((x, y) => x.l.tracker.id - y.l.tracker.id);
    for (const d of due) this.retire(d.l, d.reason, now);
  }
}
