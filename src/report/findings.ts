/**
 * Capture-wide findings: the questions a postmortem asks ("which server leaves CLOSE_WAIT behind",
 * "who piles up TIME_WAIT", "whose RSTs were those"), answered from the connection reports alone.
 * Pure: the same report always gives the same findings. `FindingsCollector` takes connections one at
 * a time so a streaming run (ndjson) can compute them without keeping the connections.
 */
import { endpointText } from '../model/endpoint.js';
import { type ConnectionReport, type Finding, FINDING_KINDS, type FindingKind, type Report } from '../model/report.js';
import type { Side } from '../model/vocabulary.js';
import { assertNever } from '../util/assert.js';
import { StringInterner } from '../util/intern.js';

/** How many connection ids a finding lists, and how many endpoints its `top`. */
export const MAX_FINDING_CONNECTIONS = 50;
export const MAX_FINDING_TOP = 5;
/** RSTs within this many seconds of capture time count as one burst. */
export const RST_BURST_WINDOW = 1;
/** Fewest RSTs in the window for a burst. */
export const RST_BURST_MIN = 10;
/**
 * TIME_WAIT is the normal end of the side that closes first; it becomes worth a finding when one
 * host collects many (info from TIME_WAIT_MIN entries, a warning from TIME_WAIT_WARN: ports run out
 * around the size of the ephemeral range, 28232 by default on Linux).
 */
export const TIME_WAIT_MIN = 10;
export const TIME_WAIT_WARN = 1000;

/**
 * How many endpoints a finding counts exactly: past twice this many distinct endpoints, the ones
 * with the smallest counts are dropped (see EndpointCounts). A run of 800,000 connections from
 * 800,000 client addresses would otherwise keep a count for each.
 */
export const MAX_TRACKED_ENDPOINTS = 1000;

/**
 * Counts per endpoint in bounded memory (Misra–Gries / lossy counting): exact while there are fewer
 * than 2×{@link MAX_TRACKED_ENDPOINTS} distinct endpoints; beyond that, each time the map fills up,
 * the endpoints below the MAX_TRACKED_ENDPOINTS-th largest count are forgotten. An endpoint that
 * accounts for a real share of the connections is counted early and never forgotten, so the few
 * endpoints a finding names keep their exact counts on any realistic capture; one that is forgotten
 * and comes back restarts from zero (its count can only be under, never over, the truth).
 */
export class EndpointCounts {
  private readonly counts = new Map<string, number>();
  /** Highest count an endpoint had when it was forgotten (0: every count is exact). */
  forgottenMax = 0;

  get size(): number {
    return this.counts.size;
  }

  add(endpoint: string): void {
    const n = this.counts.get(endpoint);
    if (n !== undefined) {
      this.counts.set(endpoint, n + 1);
      return;
    }
    if (this.counts.size >= 2 * MAX_TRACKED_ENDPOINTS) this.prune();
    this.counts.set(endpoint, 1);
  }

  private prune(): void {
    const sorted = [...this.counts.values()].sort((a, b) => b - a);
    const kth = sorted[MAX_TRACKED_ENDPOINTS - 1]!;
    // Forget those below the k-th count; when ties at the k-th count leave the map nearly full,
    // those too (all equal: nothing stands out yet).
    let below = 0;
    for (const n of sorted) if (n < kth) below++;
    const cut = this.counts.size - below > (3 * MAX_TRACKED_ENDPOINTS) / 2 ? kth + 1 : kth;
    for (const [k, n] of this.counts) {
      if (n < cut) {
        this.counts.delete(k);
        if (n > this.forgottenMax) this.forgottenMax = n;
      }
    }
  }

  max(): number {
    let most = 0;
    for (const n of this.counts.values()) if (n > most) most = n;
    return most;
  }

  /** The `n` endpoints with the highest counts (ties by endpoint text). */
  top(n: number): { endpoint: string; count: number }[] {
    return [...this.counts.entries()]
      .map(([endpoint, count]) => ({ endpoint, count }))
      .sort((a, b) => b.count - a.count || (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0))
      .slice(0, n);
  }
}

interface Tally {
  count: number;
  top: EndpointCounts;
  ids: number[];
  /** The highest of `ids` once it is full (a later, higher id is not looked at). */
  idsMax: number;
}

function newTally(): Tally {
  return { count: 0, top: new EndpointCounts(), ids: [], idsMax: -1 };
}

function bump(t: Tally, endpoint: string, id: number): void {
  t.count++;
  t.top.add(endpoint);
  // The lowest ids, whatever order connections come in (a run reports them as they end).
  if (t.ids.length === MAX_FINDING_CONNECTIONS && id >= t.idsMax) return;
  if (t.ids.includes(id)) return;
  if (t.ids.length < MAX_FINDING_CONNECTIONS) t.ids.push(id);
  else t.ids[t.ids.indexOf(t.idsMax)] = id;
  if (t.ids.length === MAX_FINDING_CONNECTIONS) t.idsMax = Math.max(...t.ids);
}

function topOf(t: Tally): { endpoint: string; count: number }[] {
  return t.top.top(MAX_FINDING_TOP);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * RSTs held for the burst search before the oldest are settled (see RstBurstSearch): about 1.5 MB.
 * Below it the search is the plain one over all RSTs.
 */
export const RST_HELD_MAX = 65_536;
/**
 * Capture time (seconds) an RST may reach the collector after a later one: connections are reported
 * out of time order, each a few seconds after its last segment (3 s after a close, 2 s after a reset),
 * so this is far more than they ever lag. An RST later than this behind the newest, once RSTs are
 * being settled, is left out of the burst search (and counted in `lateRsts`).
 */
export const RST_SETTLE_AFTER = 120;

/**
 * The densest RST_BURST_WINDOW of RSTs, found in memory bounded by the RSTs of the last
 * RST_SETTLE_AFTER seconds rather than by the capture. RSTs are held (three parallel arrays:
 * unboxed doubles, small integers, shared strings) until there are RST_HELD_MAX of them; then those
 * older than the newest by RST_SETTLE_AFTER are settled: sorted, swept by the same two pointers as
 * the plain search together with the settled RSTs of the window before them, and dropped. Only the
 * best window so far is kept, as its tally. The result is the plain search's: the windows are
 * examined in the same order (by time, ties in arrival order) and the first strictly larger one wins.
 */
export class RstBurstSearch {
  private times: number[] = [];
  private ids: number[] = [];
  private senders: string[] = [];
  /** Arrival numbers of the held RSTs, for the order among equal times. */
  private arrivals: number[] = [];
  private arrived = 0;
  /** Settled RSTs within RST_BURST_WINDOW of the last settled one (windows may span the boundary). */
  private carryTimes: number[] = [];
  private carryIds: number[] = [];
  private carrySenders: string[] = [];
  /** RSTs before this time are settled. */
  private settledBefore = -Infinity;
  private newest = -Infinity;
  private nextSettle: number;
  private best = 0;
  private bestTally: Tally | null = null;
  /** RSTs that arrived after RSTs of their time had been settled (left out). */
  lateRsts = 0;
  /** One copy of each sender's address text: each report carries its own. */
  private readonly senderNames = new StringInterner(4096);

  constructor(private readonly heldMax: number = RST_HELD_MAX) {
    this.nextSettle = heldMax;
  }

  add(time: number, id: number, sender: string): void {
    if (time < this.settledBefore) {
      this.lateRsts++;
      return;
    }
    const name = this.senderNames.get(sender);
    this.times.push(time);
    this.ids.push(id);
    this.senders.push(name);
    this.arrivals.push(this.arrived++);
    if (time > this.newest) this.newest = time;
    if (this.times.length >= this.nextSettle) {
      this.settle(this.newest - RST_SETTLE_AFTER);
      // An RST storm keeps more than heldMax within the horizon: look again when twice as many are held.
      this.nextSettle = Math.max(this.heldMax, 2 * this.times.length);
    }
  }

  /** RSTs held now (not settled), carried ones included. */
  get held(): number {
    return this.times.length + this.carryTimes.length;
  }

  /** The best window's tally, or null when it has fewer than RST_BURST_MIN RSTs. */
  result(): Tally | null {
    this.settle(Infinity);
    return this.best >= RST_BURST_MIN ? this.bestTally : null;
  }

  /** Settle the held RSTs before `before` (all of them for Infinity). */
  private settle(before: number): void {
    const { times, arrivals } = this;
    const order = Array.from(times.keys()).sort((x, y) => times[x]! - times[y]! || arrivals[x]! - arrivals[y]!);
    let n = 0;
    while (n < order.length && times[order[n]!]! < before) n++;
    if (n === 0) return;
    // The settled RSTs in time order, after the carried ones.
    const wt = this.carryTimes.slice();
    const wi = this.carryIds.slice();
    const ws = this.carrySenders.slice();
    const carried = wt.length;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      wt.push(times[i]!);
      wi.push(this.ids[i]!);
      ws.push(this.senders[i]!);
    }
    // Two pointers over them; windows ending in a carried RST were examined by an earlier settle.
    let lo = 0;
    let bestLo = -1;
    let bestHi = -1;
    for (let hi = 0; hi < wt.length; hi++) {
      while (wt[hi]! - wt[lo]! > RST_BURST_WINDOW) lo++;
      if (hi >= carried && hi - lo + 1 > this.best) {
        this.best = hi - lo + 1;
        bestLo = lo;
        bestHi = hi;
      }
    }
    if (bestHi >= 0) {
      const t = newTally();
      for (let i = bestLo; i <= bestHi; i++) bump(t, ws[i]!, wi[i]!);
      this.bestTally = t;
    }
    // Carry what a later window can still reach: the settled RSTs within the window of the last one.
    const last = wt[wt.length - 1]!;
    let from = wt.length;
    while (from > 0 && last - wt[from - 1]! <= RST_BURST_WINDOW) from--;
    this.carryTimes = wt.slice(from);
    this.carryIds = wi.slice(from);
    this.carrySenders = ws.slice(from);
    // Keep the rest, in arrival order.
    const keep = order.slice(n).sort((x, y) => arrivals[x]! - arrivals[y]!);
    this.times = keep.map((i) => times[i]!);
    this.ids = keep.map((i) => this.ids[i]!);
    this.senders = keep.map((i) => this.senders[i]!);
    this.arrivals = keep.map((i) => arrivals[i]!);
    this.settledBefore = before;
  }
}

/**
 * The most intervals held at once, and when, in memory bounded like RstBurstSearch's: intervals (a
 * TIME_WAIT from its start to its end) arrive out of order, each a few seconds after it ended at most
 * RST_SETTLE_AFTER seconds behind the newest start; once more than `heldMax` wait, those starting
 * before the newest start less RST_SETTLE_AFTER are settled — swept in time order (an end before a
 * start at the same instant: the two were not held together) — and only the ends of the intervals
 * still running at that boundary are carried. An interval starting before the settled boundary
 * arrives too late to count (`late`).
 */
export class ConcurrencyMax {
  private starts: number[] = [];
  private ends: number[] = [];
  /** Ends (ascending) of the settled intervals still running at `settledBefore`. */
  private carried: number[] = [];
  private settledBefore = -Infinity;
  private newest = -Infinity;
  private nextSettle: number;
  best = 0;
  bestAt = NaN;
  late = 0;

  constructor(private readonly heldMax: number = RST_HELD_MAX) {
    this.nextSettle = heldMax;
  }

  add(start: number, end: number): void {
    if (start < this.settledBefore) {
      this.late++;
      return;
    }
    this.starts.push(start);
    this.ends.push(Math.max(start, end));
    if (start > this.newest) this.newest = start;
    if (this.starts.length >= this.nextSettle) {
      this.settle(this.newest - RST_SETTLE_AFTER);
      this.nextSettle = Math.max(this.heldMax, 2 * this.starts.length);
    }
  }

  /** The most held at once and when (NaN when none), all intervals settled. */
  result(): { best: number; at: number } {
    this.settle(Infinity);
    return { best: this.best, at: this.bestAt };
  }

  private settle(before: number): void {
    const starts: number[] = [];
    const ends: number[] = [];
    const keepStarts: number[] = [];
    const keepEnds: number[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      if (this.starts[i]! < before) {
        starts.push(this.starts[i]!);
        ends.push(this.ends[i]!);
      } else {
        keepStarts.push(this.starts[i]!);
        keepEnds.push(this.ends[i]!);
      }
    }
    if (starts.length === 0) return;
    starts.sort((x, y) => x - y);
    const allEnds = this.carried.concat(ends).sort((x, y) => x - y);
    let held = this.carried.length;
    let e = 0;
    for (const s of starts) {
      while (e < allEnds.length && allEnds[e]! <= s) {
        e++;
        held--;
      }
      held++;
      if (held > this.best) {
        this.best = held;
        this.bestAt = s;
      }
    }
    // Ends reached before the boundary are over; the rest run on past it.
    while (e < allEnds.length && allEnds[e]! < before) e++;
    this.carried = allEnds.slice(e);
    this.starts = keepStarts;
    this.ends = keepEnds;
    this.settledBefore = before;
  }
}

export class FindingsCollector {
  private readonly tallies = new Map<FindingKind, Tally>();
  private readonly rsts: RstBurstSearch;
  private readonly timeWaits: ConcurrencyMax;

  /**
   * @param rstHeldMax RSTs (and TIME_WAITs) held before the oldest are settled (see RstBurstSearch):
   *   the default suits connections added as a run reports them; Infinity holds them all (any order).
   * @param msl the run's MSL (seconds): a TIME_WAIT with no end in its report lasts 2×MSL.
   */
  constructor(
    rstHeldMax: number = RST_HELD_MAX,
    private readonly msl: number = 30,
  ) {
    this.rsts = new RstBurstSearch(rstHeldMax);
    this.timeWaits = new ConcurrencyMax(rstHeldMax);
  }

  private tally(kind: FindingKind): Tally {
    let t = this.tallies.get(kind);
    if (!t) {
      t = newTally();
      this.tallies.set(kind, t);
    }
    return t;
  }

  add(c: ConnectionReport): void {
    const server = endpointText(c.server.ip, c.server.port);
    // A side none of whose segments was captured: its states are inferred, its FIN may simply not
    // be in the capture, so its CLOSE_WAIT proves nothing about its application.
    let serverUnseen = false;
    for (const e of c.events) {
      if (e.kind !== 'direction_not_captured') continue;
      if (e.by === 'server') serverUnseen = true;
      bump(this.tally('one_direction_only'), server, c.id);
    }
    // RFC 9293 §3.6: a passive closer sits in CLOSE_WAIT until its application calls close();
    // still there at the end of the capture means the application never did (or not yet).
    if (c.finalState.server === 'CLOSE_WAIT' && !serverUnseen) bump(this.tally('close_wait_pileup'), server, c.id);
    for (const side of ['client', 'server'] as const) {
      // The side that closes first ends in TIME_WAIT (RFC 9293 §3.6), for 2×MSL: from its start to
      // the next change (the timer's CLOSED, a RST, a new SYN taking the tuple over), else 2×MSL.
      const states = c.states[side];
      for (let i = 0; i < states.length; i++) {
        if (states[i]!.state !== 'TIME_WAIT') continue;
        const start = states[i]!.time;
        const next = states[i + 1];
        this.timeWaits.add(start, next !== undefined ? next.time : start + 2 * this.msl);
        bump(this.tally('time_wait_pileup'), c[side].ip, c.id);
      }
    }
    switch (c.handshake.kind) {
      case 'refused':
        bump(this.tally('refused_ports'), server, c.id);
        break;
      case 'unanswered':
        bump(this.tally('unanswered_syns'), server, c.id);
        break;
      case 'incomplete':
        bump(this.tally('half_open_handshakes'), server, c.id);
        break;
      case 'three_way':
      case 'simultaneous_open':
      case 'not_captured':
      // A SYN-ACK alone shows no client giving up: its SYN was before the capture or took another path.
      case 'syn_ack_only':
        break;
      default:
        assertNever(c.handshake.kind, 'handshake kind');
    }
    if (c.close.finalAckLost) {
      // The passive closer retransmitted its FIN: name it, it is the one left in LAST_ACK.
      const passive: Side = c.close.initiator === 'server' ? 'client' : 'server';
      bump(this.tally('lost_final_acks'), endpointText(c[passive].ip, c[passive].port), c.id);
    }
    for (const e of c.events) {
      if (e.kind === 'rst' && e.by !== null) this.rsts.add(e.time, c.id, c[e.by].ip);
    }
  }

  result(): Finding[] {
    const out: Finding[] = [];
    for (const kind of FINDING_KINDS) {
      const t = kind === 'rst_burst' ? this.rsts.result() : this.tallies.get(kind);
      if (!t || t.count === 0) continue;
      if (kind === 'time_wait_pileup') {
        const held = this.timeWaits.result();
        if (held.best < TIME_WAIT_MIN) continue;
        out.push(describeTimeWaits(t, held.best, held.at));
        continue;
      }
      out.push(describe(kind, t));
    }
    const rank = { error: 0, warning: 1, info: 2 } as const;
    return out.sort((a, b) => rank[a.severity] - rank[b.severity] || b.count - a.count);
  }
}

/**
 * `time_wait_pileup`: `count` is the most TIME_WAIT entries held at once (what uses up ports and
 * kernel memory), `at` when; `top` the hosts by TIME_WAIT entries over the whole capture.
 */
function describeTimeWaits(t: Tally, most: number, at: number): Finding {
  const base = describe('time_wait_pileup', t);
  const when = new Date(Math.round(at * 1000)).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return {
    ...base,
    count: most,
    at,
    severity: most >= TIME_WAIT_WARN ? 'warning' : 'info',
    title: `up to ${plural(most, 'TIME_WAIT entry', 'TIME_WAIT entries')} held at once (${when}), ${t.count} in all (held by the side that closed first)`,
  };
}

function describe(kind: FindingKind, t: Tally): Finding {
  const top = topOf(t);
  const connections = t.ids.slice().sort((a, b) => a - b);
  const base = { kind, count: t.count, top, connections };
  const n = t.count;
  switch (kind) {
    case 'close_wait_pileup':
      return {
        ...base,
        severity: 'warning',
        title: `${plural(n, 'connection')} left in CLOSE_WAIT by the server`,
        explanation:
          'The client closed (sent FIN) and the server acknowledged it, but the server never sent its own FIN before the capture ended. ' +
          'A socket stays in CLOSE_WAIT until the application calls close(); many of them usually mean the server application leaks ' +
          'sockets or is stuck, and they hold file descriptors until it does.',
      };
    case 'time_wait_pileup': {
      const most = top[0]?.count ?? 0;
      return {
        ...base,
        severity: most >= TIME_WAIT_WARN ? 'warning' : 'info',
        title: `${plural(n, 'TIME_WAIT entry', 'TIME_WAIT entries')} (held by the side that closed first)`,
        explanation:
          'The endpoint that sends the first FIN keeps the 4-tuple in TIME_WAIT for 2×MSL so late segments cannot corrupt a new ' +
          'connection: 60 s on Linux, fixed in the kernel (net.ipv4.tcp_fin_timeout is the FIN_WAIT_2 timeout, not this one). ' +
          'A client opening many short connections to one server can run out of local ports (net.ipv4.ip_local_port_range). ' +
          'Options: reuse connections (keep-alive, pooling); net.ipv4.tcp_tw_reuse lets outgoing connections reuse TIME_WAIT ports ' +
          'when timestamps prove it safe; net.ipv4.tcp_max_tw_buckets caps how many the kernel keeps (beyond it they are destroyed ' +
          'early, logging "time wait bucket table overflow"); SO_LINGER with a zero timeout skips TIME_WAIT by resetting the ' +
          'connection (data in flight is lost); tcp_tw_recycle broke clients behind NAT and was removed in Linux 4.12.',
      };
    }
    case 'refused_ports':
      return {
        ...base,
        severity: 'warning',
        title: `${plural(n, 'connection attempt')} refused (SYN answered by RST)`,
        explanation:
          'Nothing was listening on the port (RFC 9293 §3.10.7.1: a SYN to a CLOSED port is answered by RST), or a firewall ' +
          'rejected the SYN with a TCP reset (e.g. iptables REJECT --reject-with tcp-reset). Check that the service is up and ' +
          'listening on that address and port.',
      };
    case 'unanswered_syns':
      return {
        ...base,
        severity: 'warning',
        title: `${plural(n, 'connection attempt')} never answered`,
        explanation:
          'SYNs got neither SYN-ACK nor RST: a firewall silently dropping them, the host down or unreachable, a full SYN queue, ' +
          'or the answer taking another path than the capture point (asymmetric routing). SYN retransmissions show the client retrying.',
      };
    case 'half_open_handshakes':
      return {
        ...base,
        severity: 'warning',
        title: `${plural(n, 'handshake')} left half-open (SYN-ACK never acknowledged)`,
        explanation:
          'The server answered with SYN-ACK but the client never completed the handshake. Many of these from many sources look ' +
          'like a SYN flood (spoofed sources never answer; SYN cookies protect the server); a few usually mean the final ACK was ' +
          'lost or filtered, or the client gave up.',
      };
    case 'rst_burst':
      return {
        ...base,
        severity: 'warning',
        title: `burst of ${n} RSTs within ${RST_BURST_WINDOW} s`,
        explanation:
          'Many connections were reset at about the same time: typically a process crashing or restarting (the kernel resets its ' +
          'sockets), a load balancer or firewall dropping its state, or a scan. The top entries are the hosts that sent the RSTs.',
      };
    case 'lost_final_acks':
      return {
        ...base,
        severity: 'info',
        title: `${plural(n, 'final ACK')} lost (the passive closer retransmitted its FIN)`,
        explanation:
          'The side that closed second did not get the ACK of its FIN and sent the FIN again; the other side, in TIME_WAIT, ' +
          'acknowledges it again and restarts its 2×MSL timer (RFC 9293 §3.10.7.4): that is what TIME_WAIT is for. The top ' +
          'entries are the passive closers, which stayed in LAST_ACK longer. Occasional losses are normal; many point at loss on the path.',
      };
    case 'one_direction_only':
      return {
        ...base,
        severity: 'info',
        title: `${plural(n, 'connection')} seen in one direction only`,
        explanation:
          "The capture holds no segment from one end of these connections, though the other end's acknowledgments show it sent: " +
          'the capture point saw one direction only — a one-way tap or SPAN port, asymmetric routing (the return path avoids the ' +
          'capture point), or a direction filter (tcpdump -Q in/out, an inbound-only rule). The missing end\'s states are inferred ' +
          'from the segments it received and marked so; handshakes and closes are judged from one side. The top entries are the servers.',
      };
    default:
      return assertNever(kind, 'finding kind');
  }
}

export function computeFindings(report: Report, msl = 30): Finding[] {
  // The connections are all in memory already, in id order (not report order): hold every RST.
  const c = new FindingsCollector(Infinity, msl);
  for (const conn of report.connections) c.add(conn);
  return c.result();
}
