/**
 * Zeek's view of one TCP connection: its `conn_state` and `history`, reproduced segment by segment
 * the way Zeek's TCP analyzer derives them (zeek/zeek: src/packet_analysis/protocol/tcp/TCP.cc and
 * TCPSessionAdapter.cc, src/analyzer/protocol/tcp/TCP_Endpoint.cc and TCP_Reassembler.cc,
 * src/Conn.cc, scripts/base/protocols/conn/main.zeek), so that a tcpshake user can line a connection
 * up with the conn.log row they already trust.
 *
 * Zeek keeps per endpoint one of INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED,
 * RESET; `conn_state` is a pure function of the two (see {@link zeekConnState}). The history letters
 * are upper case for the originator, lower case for the responder.
 *
 * "A" is the sender of the first segment of this connection that the capture saw; the observer keeps
 * which of A and B Zeek takes as its originator (Zeek can flip that, writing `^`). Per-connection
 * state is a handful of numbers per endpoint and the history string.
 *
 * Zeek's splitting of a 4-tuple is left to the caller: it asks {@link ZeekObserver.isReuse} before
 * feeding a segment (a new SYN after a close or reset), and, when the observer keeps Zeek's timers
 * (`timers`, see zeek-timers.ts), {@link ZeekObserver.fireTimers} before each packet of the run.
 */
import { TcpFlag, type Segment } from '../decode/segment.js';
import { TunnelKind } from '../decode/tunnel.js';
import { StringInterner } from '../util/intern.js';
import { ZeekTimers, ZEEK_TCP_TIMERS, type ZeekRemoval, type ZeekTimerView } from './zeek-timers.js';

/** History letters that are repeated logarithmically: bad checksum, retransmission, zero window, gap. */
const SCALED_CODES = ['C', 'T', 'W', 'G'] as const;
type ScaledCode = (typeof SCALED_CODES)[number];

/** Zeek's per-endpoint TCP states (TCP_Endpoint.h `EndpointState`). */
export type ZeekEndpointState =
  | 'INACTIVE'
  | 'SYN_SENT'
  | 'SYN_ACK_SENT'
  | 'PARTIAL'
  | 'ESTABLISHED'
  | 'CLOSED'
  | 'RESET';

export type ZeekConnState =
  | 'S0'
  | 'S1'
  | 'SF'
  | 'REJ'
  | 'S2'
  | 'S3'
  | 'RSTO'
  | 'RSTR'
  | 'RSTOS0'
  | 'RSTRH'
  | 'SH'
  | 'SHR'
  | 'OTH';

export interface ZeekObserverOptions {
  /**
   * Like `zeek -C`: do not drop segments whose IPv4 header or TCP checksum is wrong. Default true:
   * captures taken on the sending host carry checksums the NIC fills in later (offload), and Zeek
   * run without -C would drop exactly those packets, writing `C`/`c` instead.
   */
  ignoreChecksums?: boolean;
  /**
   * Zeek's `likely_server_ports` (TCP), used to decide who the originator is when the first packet
   * is not a bare SYN. Default {@link ZEEK_LIKELY_SERVER_PORTS}, the ports Zeek's default scripts
   * register (`zeek -b` loads none of them: pass an empty set to mirror it).
   */
  likelyServerPorts?: ReadonlySet<number>;
  /**
   * Keep Zeek's connection timers (attempt, expire, close delay, inactivity; see zeek-timers.ts) so
   * the caller can end the connection when Zeek would. Default false. Segments then need their time.
   */
  timers?: boolean;
  /** Zeek's `tcp_inactivity_timeout` in seconds when `timers` is set (default 300; 0: never). */
  inactivityTimeout?: number;
}

/**
 * The TCP ports Zeek's base protocol scripts add to `likely_server_ports` (each protocol's
 * `redef likely_server_ports += { ports }` in scripts/base/protocols/<name>/main.zeek).
 */
export const ZEEK_LIKELY_SERVER_PORTS: ReadonlySet<number> = new Set([
  21, 2811, // ftp
  22, // ssh
  25, 587, // smtp
  53, // dns
  79, // finger
  80, 81, 631, 1080, 3128, 8000, 8080, 8888, // http (1080 also socks)
  88, 750, // krb
  110, // pop3
  135, // dce-rpc
  139, 445, // smb
  143, // imap
  389, 3268, // ldap
  443, 563, 585, 614, 636, 989, 990, 992, 993, 995, 5223, // ssl
  502, // modbus
  1434, 3306, // mysql
  1883, // mqtt
  3389, // rdp
  5222, 5269, // xmpp
  5432, // postgresql
  6379, // redis
  6666, 6667, 6668, 6669, // irc
  20000, // dnp3
]);

// Endpoint states as small integers (the hot path compares numbers, not strings).
const INACTIVE = 0;
const SYN_SENT = 1;
const SYN_ACK_SENT = 2;
const PARTIAL = 3;
const ESTABLISHED = 4;
const CLOSED = 5;
const RESET = 6;

const STATE_NAMES: readonly ZeekEndpointState[] = [
  'INACTIVE',
  'SYN_SENT',
  'SYN_ACK_SENT',
  'PARTIAL',
  'ESTABLISHED',
  'CLOSED',
  'RESET',
];

// Bits of Zeek's `hist_seen` (TCP_Endpoint.h HIST_*): originator in the low 16 bits, responder in the
// high 16. They stay where they are when roles flip (Conn.cc FlipRoles does not move them).
const HIST_SYN = 0x1;
const HIST_FIN = 0x2;
const HIST_RST = 0x4;
const HIST_FIN_RST = 0x8;
const HIST_ACK = 0x10;
const HIST_DATA = 0x20;
const HIST_MULTI_FLAG = 0x400;

/** Session.h HIST_ANALYZER_LIMIT_REACHED (the same bit as an originator's HIST_MULTI_FLAG in Zeek too). */
const HIST_ANALYZER_LIMIT_REACHED = 0x400;

/** Tunnel::max_changes_per_connection (scripts/base/init-bare.zeek). */
const TUNNEL_MAX_CHANGES_PER_CONNECTION = 5;

/**
 * A hash of the tunnels a segment came through, as Zeek tells them apart (TunnelEncapsulation.h,
 * EncapsulatingConn ==): per layer its kind and outer endpoints in either order — with the outer UDP
 * ports for tunnels Zeek names by their outer UDP connection (GTP-U, Teredo, AYIYA), without them for
 * VXLAN and GENEVE (whose source port follows the inner flow) and the IP-level ones. Never 0.
 */
function encapsulationKey(seg: Segment): number {
  let h = 0x811c9dc5;
  const b = seg.bytes;
  for (let i = 0; i < seg.tunnelDepth; i++) {
    const t = seg.tunnels[i]!;
    const ports = t.kind === TunnelKind.gtp || t.kind === TunnelKind.teredo || t.kind === TunnelKind.ayiya;
    let x = ports ? t.srcPort : 0;
    let y = ports ? t.dstPort : 0;
    for (let k = 0; k < t.addrLength; k++) {
      x = Math.imul(x ^ b[t.srcOffset + k]!, 0x01000193);
      y = Math.imul(y ^ b[t.dstOffset + k]!, 0x01000193);
    }
    h = Math.imul(h ^ t.kind, 0x01000193);
    h = Math.imul(h ^ ((x + y) | 0) ^ Math.imul(x ^ y, 0x9e3779b1), 0xc2b2ae35);
  }
  return h === 0 ? 1 : h;
}

/** Zeek's TOO_LARGE_SEQ_DELTA: SYN/RST sequence jumps beyond this are not trusted. */
const TOO_LARGE_SEQ_DELTA = 1048576;

/** How many out-of-order data ranges one endpoint's gap tracking keeps (more are merged). */
const MAX_PENDING_RANGES = 4;

function seqDelta(a: number, b: number): number {
  return (a - b) | 0;
}

/** One side of the connection, as Zeek's TCP_Endpoint plus the gap bookkeeping of its reassembler. */
class Endpoint {
  state = INACTIVE;
  prevState = INACTIVE;
  // Absolute (unsigned 32-bit) sequence numbers, and where last/ack sit relative to start (numbers,
  // so they keep counting past a 32-bit wrap). The absolute ones are stored as signed 32-bit integers
  // and read back unsigned: V8 keeps a small integer in the object itself, but boxes a number past
  // 2^31 as a separate heap number (three per endpoint, a tenth of this view's memory).
  private startBits = 0;
  private lastBits = 0;
  private ackBits = 0;
  get startSeq(): number {
    return this.startBits >>> 0;
  }
  set startSeq(seq: number) {
    this.startBits = seq | 0;
  }
  get lastSeq(): number {
    return this.lastBits >>> 0;
  }
  set lastSeq(seq: number) {
    this.lastBits = seq | 0;
  }
  get ackSeq(): number {
    return this.ackBits >>> 0;
  }
  set ackSeq(seq: number) {
    this.ackBits = seq | 0;
  }
  relLast = 0;
  relAck = 0;
  histLastSyn = 0;
  histLastFin = 0;
  histLastRst = 0;
  finCnt = 0;
  finSeq = 0;
  didClose = false;
  // Logarithmic history counters (Conn.cc ScaledHistoryEntry): count and next threshold.
  /**
   * Occurrences of C, T, W, G (in SCALED_CODES order), then the count at which each next letter is
   * due: made at the first such letter (most connections have none, and two arrays per endpoint were
   * about 6% of a live connection's memory).
   */
  scaled: number[] | null = null;
  // TCP_Reassembler: in-order data delivered up to (relative), acks trimmed up to, and data seen
  // above a hole as [lo, hi) pairs (allocated only when out-of-order data shows up).
  lastReassem = 1;
  trimSeq = 1;
  pending: number[] | null = null;

  setState(s: number): void {
    if (s !== this.state) {
      this.prevState = this.state;
      this.state = s;
    }
  }

  initStart(seq: number): void {
    this.startSeq = seq >>> 0;
  }
  initAck(seq: number): void {
    this.ackSeq = seq >>> 0;
    this.relAck = seqDelta(this.ackSeq, this.startSeq);
  }
  initLast(seq: number): void {
    this.lastSeq = seq >>> 0;
    this.relLast = seqDelta(this.lastSeq, this.startSeq);
  }
  updateLast(seq: number): void {
    this.relLast += seqDelta(seq, this.lastSeq);
    this.lastSeq = seq >>> 0;
  }
  updateAck(seq: number): void {
    this.relAck += seqDelta(seq, this.ackSeq);
    this.ackSeq = seq >>> 0;
  }
  /** Sequence number relative to this endpoint's start (negative: before it, Zeek's underflow). */
  relSeq(seq: number): number {
    return this.relLast + seqDelta(seq, this.lastSeq);
  }
  relAckOf(ack: number): number {
    return this.relAck + seqDelta(ack, this.ackSeq);
  }
  /**
   * Payload bytes sent, as TCP_Endpoint::Size(): from the sequence numbers (gaps included,
   * retransmissions not); Zeek's orig_bytes/resp_bytes, and the REJ rule of conn_state.
   */
  size(peer: Endpoint): number {
    // A half-open connection found and aborted: its sequence numbers say nothing about data.
    if (this.prevState === SYN_SENT && this.state === RESET && peer.state === INACTIVE && this.relAck !== 0 && this.relAck !== 1) return 0;
    let size = Math.max(this.relLast, this.relAck);
    if (size < 0) size = 0;
    if (size !== 0) size--;
    if (this.finCnt > 0 && size !== 0) size--;
    return size;
  }

  /** Payload accepted by the reassembler (TCP_Reassembler::DataSent / Reassembler::NewBlock). */
  dataSent(seq: number, len: number): void {
    let lo = seq;
    const hi = seq + len;
    if (lo < this.relAck) {
      if (hi <= this.relAck) return; // already delivered and acknowledged
      lo = this.relAck;
    }
    if (hi <= this.trimSeq) return;
    if (lo < this.trimSeq) lo = this.trimSeq;
    if (lo <= this.lastReassem) {
      if (hi > this.lastReassem) this.lastReassem = hi;
      this.absorbPending();
    } else {
      this.addPending(lo, hi);
    }
  }

  private addPending(lo: number, hi: number): void {
    const p = (this.pending ??= []);
    // Insert sorted by lo, merging overlaps and adjacent ranges.
    let i = 0;
    while (i < p.length && p[i]! < lo) i += 2;
    p.splice(i, 0, lo, hi);
    for (let j = 0; j + 2 < p.length; ) {
      if (p[j + 2]! <= p[j + 1]!) {
        p[j + 1] = Math.max(p[j + 1]!, p[j + 3]!);
        p.splice(j + 2, 2);
      } else j += 2;
    }
    while (p.length > MAX_PENDING_RANGES * 2) {
      // Keep memory bounded: fold the two highest ranges into one.
      const n = p.length;
      p[n - 3] = p[n - 1]!;
      p.length = n - 2;
    }
  }

  /** Deliver pending ranges that now join the in-order data. */
  private absorbPending(): void {
    const p = this.pending;
    if (p === null) return;
    while (p.length > 0 && p[0]! <= this.lastReassem) {
      if (p[1]! > this.lastReassem) this.lastReassem = p[1]!;
      p.splice(0, 2);
    }
  }
}

/** Zeek's conn_state (scripts/base/protocols/conn/main.zeek `conn_state`), first match wins. */
export function zeekConnState(
  orig: ZeekEndpointState,
  resp: ZeekEndpointState,
  history: string,
  origSize: number,
  respSize: number,
): ZeekConnState {
  const oInactive = orig === 'INACTIVE' || orig === 'PARTIAL';
  const rInactive = resp === 'INACTIVE' || resp === 'PARTIAL';
  if (resp === 'RESET') {
    if (orig === 'SYN_SENT' || orig === 'SYN_ACK_SENT' || (orig === 'RESET' && origSize === 0 && respSize === 0)) {
      return 'REJ';
    }
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (orig === 'RESET') {
    if (rInactive) return /^\^?S[^HAFGIQ]*R.*$/.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (resp === 'CLOSED' && orig === 'CLOSED') return 'SF';
  if (orig === 'CLOSED') return rInactive ? 'SH' : 'S2';
  if (resp === 'CLOSED') return oInactive ? 'SHR' : 'S3';
  if (orig === 'SYN_SENT' && resp === 'INACTIVE') return 'S0';
  if (orig === 'ESTABLISHED' && resp === 'ESTABLISHED') return 'S1';
  return 'OTH';
}

const FIRST_ORIG = 1;
const FIRST_RESP = 2;

/**
 * Most connections of a run share a few histories (ShADadFf): one copy of each instead of a string
 * per connection (1% of a live one's memory). Process-wide but harmless: it returns a string equal to
 * the one it is given, so nothing a caller sees depends on what it holds, and it is bounded.
 */
const HISTORIES = new StringInterner(4096);

export class ZeekObserver implements ZeekTimerView {
  private readonly ignoreChecksums: boolean;
  private readonly serverPorts: ReadonlySet<number>;
  private readonly a = new Endpoint();
  private readonly b = new Endpoint();
  /** Whether Zeek's originator is A. */
  private origIsA = true;
  private started = false;
  private history = '';
  private histSeen = 0;
  /** TCPSessionAdapter's is_partial and first_packet_seen. */
  private isPartial = false;
  private firstSeen = 0;
  /** Zeek's EncapsulationStack of the connection, as a hash (0: not tunnelled); how often it changed. */
  private encapsulation = 0;
  private tunnelChanges = 0;
  /** Zeek's timers for this connection (only with the `timers` option; made at its first packet). */
  private timers: ZeekTimers | null = null;
  private readonly keepTimers: boolean;
  private readonly inactivityTimeout: number;

  constructor(options: ZeekObserverOptions = {}) {
    this.ignoreChecksums = options.ignoreChecksums ?? true;
    this.serverPorts = options.likelyServerPorts ?? ZEEK_LIKELY_SERVER_PORTS;
    this.keepTimers = options.timers === true;
    this.inactivityTimeout = options.inactivityTimeout ?? ZEEK_TCP_TIMERS.inactivityTimeout;
  }

  /** When the next of Zeek's timers for this connection is due (Infinity: none, or no timers kept). */
  nextTimer(): number {
    return this.timers === null ? Infinity : this.timers.next();
  }

  /**
   * Fires Zeek's timers due at or before `now`, the time of the next packet of the run (Zeek fires
   * them before it looks that packet up). Returns why Zeek removes the connection there, or null.
   */
  fireTimers(now: number): ZeekRemoval | null {
    return this.timers === null ? null : this.timers.fire(now, this);
  }

  // ZeekTimerView
  origInactive(): boolean {
    return (this.origIsA ? this.a : this.b).state === INACTIVE;
  }
  respInactive(): boolean {
    return (this.origIsA ? this.b : this.a).state === INACTIVE;
  }
  origAttempting(): boolean {
    const s = (this.origIsA ? this.a : this.b).state;
    return s === SYN_SENT || s === SYN_ACK_SENT;
  }
  origClosed(): boolean {
    return (this.origIsA ? this.a : this.b).didClose;
  }
  respClosed(): boolean {
    return (this.origIsA ? this.b : this.a).didClose;
  }
  anyReset(): boolean {
    return this.a.state === RESET || this.b.state === RESET;
  }

  /**
   * Whether Zeek would end this connection and start a new one with `seg`
   * (TCPSessionAdapter::IsReuse): a SYN on a 4-tuple whose connection has closed, or a SYN whose
   * sequence number differs from the one the connection started with.
   */
  isReuse(seg: Segment, _fromA: boolean): boolean {
    if (!this.started) return false;
    if (!this.ignoreChecksums && seg.ipVersion === 4 && seg.ipChecksumOk === false) return false;
    const f = seg.flags;
    if ((f & TcpFlag.SYN) === 0) return false;
    const orig = this.origIsA ? this.a : this.b;
    const resp = this.origIsA ? this.b : this.a;
    let connOrig = orig;
    if ((f & TcpFlag.ACK) !== 0) {
      // Only a half connection can be reused by a SYN-ACK.
      if (orig.state !== INACTIVE) return false;
      connOrig = resp;
    }
    if (!(orig.didClose || resp.didClose)) {
      if (seg.seq >>> 0 === connOrig.startSeq) return false;
      if (
        (f & TcpFlag.ACK) === 0 &&
        connOrig.state === SYN_ACK_SENT &&
        resp.state === INACTIVE &&
        seg.seq >>> 0 === resp.startSeq
      ) {
        // SYN and SYN-ACK seen in reverse order: the state machine flips the roles instead.
        return false;
      }
    }
    return true;
  }

  /** One segment (from A when `fromA`) at capture time `t` (needed only when timers are kept). */
  onSegment(seg: Segment, fromA: boolean, t = 0): void {
    // Zeek checks the IPv4 header checksum before looking the connection up: a bad one drops the
    // packet without trace (no connection, no history letter).
    if (!this.ignoreChecksums && seg.ipVersion === 4 && seg.ipChecksumOk === false) return;
    const f = seg.flags;
    if (!this.started) {
      if (this.keepTimers) this.timers = new ZeekTimers(t, this.inactivityTimeout);
      this.start(seg, fromA);
      this.encapsulation = seg.tunnelDepth === 0 ? 0 : encapsulationKey(seg);
    } else if (seg.tunnelDepth !== 0 || this.encapsulation !== 0) {
      this.checkEncapsulation(seg);
    }
    // The connection's last packet time moves before the checksum is looked at (Connection::NextPacket).
    this.timers?.packet(t);
    // A TCP header the capture cut short: Zeek made the connection but analyses nothing of it.
    if (seg.options.truncated) return;
    let isOrig = fromA === this.origIsA;
    let ep = fromA ? this.a : this.b;
    if (!this.ignoreChecksums && seg.checksumOk === false) {
      // TCPAnalyzer::ValidateChecksum: counted as C/c, then the packet is dropped.
      this.scaled(ep, isOrig, 'C');
      return;
    }
    const syn = (f & TcpFlag.SYN) !== 0;
    const fin = (f & TcpFlag.FIN) !== 0;
    const rst = (f & TcpFlag.RST) !== 0;
    const ack = (f & TcpFlag.ACK) !== 0;
    const len = seg.payloadLength;

    // A connection that began with a lone SYN-ACK and now sees an ACK or data (in either direction)
    // is taken to be a handshake whose SYN was missed: flip, so the SYN-ACK sender is the responder.
    const orig0 = this.origIsA ? this.a : this.b;
    const resp0 = this.origIsA ? this.b : this.a;
    if (
      this.history === 'H' &&
      orig0.state === SYN_ACK_SENT &&
      resp0.state === INACTIVE &&
      !syn &&
      !fin &&
      !rst &&
      (ack || len > 0)
    ) {
      this.origIsA = !this.origIsA;
      this.history = '^h';
      this.histSeen = (this.histSeen & ~HIST_SYN) | (HIST_SYN << 16);
      orig0.setState(ESTABLISHED);
      this.isPartial = false;
      isOrig = fromA === this.origIsA;
      ep = fromA ? this.a : this.b;
    }
    const peer = fromA ? this.b : this.a;
    this.setPartialStatus(syn, ack, isOrig);

    const seq = seg.seq >>> 0;
    const ackSeq = seg.ack >>> 0;
    const segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
    const seqOnePast = (seq + segLen) >>> 0;
    this.initEndpoint(ep, syn, seq, seqOnePast);
    const relSeq = ep.relSeq(seq);
    const underflow = relSeq < 0;

    this.updateHistory(ep, isOrig, syn, fin, rst, ack, relSeq, len);
    // Zero window (update_window): not with or after a RST, nor once the peer has sent its FIN.
    if (seg.window === 0 && !rst && peer.state !== CLOSED && ep.state !== RESET) this.scaled(ep, isOrig, 'W');

    if (fin) {
      ep.finCnt++;
      ep.finSeq = relSeq + segLen;
    }

    let relAck = 0;
    if (ack) {
      if (peer.state === INACTIVE) {
        // init_peer: number the peer's sequence space as if its SYN had been seen.
        relAck = 1;
        peer.initStart(ackSeq - 1);
        peer.initAck(ackSeq - 1);
        peer.initLast(ackSeq - 1);
      } else {
        relAck = peer.relAckOf(ackSeq);
        if (relAck < 0) relAck = 0;
        else if (!rst) {
          const d = seqDelta(ackSeq, peer.ackSeq);
          if (!(ackSeq === 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0) peer.updateAck(ackSeq);
        }
      }
    }

    this.updateLastSeq(ep, isOrig, seqOnePast, syn, fin, rst, len);

    const doClose = this.updateStateMachine(ep, peer, isOrig, seq, len, syn, fin, rst, ack);
    // Roles may have flipped inside the state machine (SYN / SYN-ACK reversal).
    isOrig = fromA === this.origIsA;

    if (ack) this.ackReceived(peer, !isOrig, relAck);

    if (len > 0 && !rst && !underflow && seg.capturedPayload >= len) {
      ep.dataSent(syn ? relSeq + 1 : relSeq, len);
    }
    if (doClose && !ep.didClose) {
      // ConnectionClosed(): the close is complete when this side reset, the peer had closed, or the
      // peer never sent anything.
      ep.didClose = true;
      this.timers?.closed(ep.state === RESET || peer.didClose || peer.state === INACTIVE, ep.prevState === INACTIVE);
    }
  }

  /**
   * conn_state and history; which end is Zeek's originator (A or not); the originator's and
   * responder's payload bytes as Zeek counts them (orig_bytes, resp_bytes).
   */
  result(): { connState: string; history: string; origIsA: boolean; origBytes: number; respBytes: number } {
    const orig = this.origIsA ? this.a : this.b;
    const resp = this.origIsA ? this.b : this.a;
    const origBytes = orig.size(resp);
    const respBytes = resp.size(orig);
    return {
      connState: zeekConnState(STATE_NAMES[orig.state]!, STATE_NAMES[resp.state]!, this.history, origBytes, respBytes),
      history: this.history,
      origIsA: this.origIsA,
      origBytes,
      respBytes,
    };
  }

  /** Zeek's endpoint states, originator first (for tests and diagnostics). */
  endpointStates(): { orig: ZeekEndpointState; resp: ZeekEndpointState; origIsA: boolean } {
    const orig = this.origIsA ? this.a : this.b;
    const resp = this.origIsA ? this.b : this.a;
    return { orig: STATE_NAMES[orig.state]!, resp: STATE_NAMES[resp.state]!, origIsA: this.origIsA };
  }

  /**
   * Connection::CheckEncapsulation: the packet came through other tunnels than the connection's last
   * one (a GTP-U uplink and downlink on different outer UDP flows alternate with every reply). After
   * Tunnel::max_changes_per_connection changes, Zeek writes `X` (once: its mask is the one `Q` uses).
   */
  private checkEncapsulation(seg: Segment): void {
    const key = seg.tunnelDepth === 0 ? 0 : encapsulationKey(seg);
    if (key === this.encapsulation) return;
    this.encapsulation = key;
    if (this.tunnelChanges >= TUNNEL_MAX_CHANGES_PER_CONNECTION) {
      if ((this.histSeen & HIST_ANALYZER_LIMIT_REACHED) === 0) {
        this.histSeen |= HIST_ANALYZER_LIMIT_REACHED;
        this.history = HISTORIES.get(this.history + 'X');
      }
      return;
    }
    this.tunnelChanges++;
  }

  // --- creation and roles

  private start(seg: Segment, fromA: boolean): void {
    this.started = true;
    this.origIsA = fromA;
    // TCPAnalyzer::WantConnection: a connection that does not start with a bare SYN is partial; the
    // port numbers decide whether the sender is really the server.
    const f = seg.flags;
    const synOnly = (f & TcpFlag.SYN) !== 0 && (f & TcpFlag.ACK) === 0;
    if (!synOnly && this.serverPorts.has(seg.srcPort)) {
      const flip = this.serverPorts.has(seg.dstPort)
        ? // Both plausible: flip only if this is not a SYN-ACK (stealth scans) and the destination
          // port is the higher one.
          (f & TcpFlag.SYN) === 0 && seg.srcPort < seg.dstPort
        : true;
      if (flip) this.flipRoles();
    }
  }

  /** Conn.cc FlipRoles: swap originator and responder, write `^` (history letters stay as written). */
  private flipRoles(): void {
    this.origIsA = !this.origIsA;
    this.firstSeen = ((this.firstSeen & FIRST_ORIG) !== 0 ? FIRST_RESP : 0) | ((this.firstSeen & FIRST_RESP) !== 0 ? FIRST_ORIG : 0);
    this.isPartial = false;
    this.history = HISTORIES.get(this.history + '^');
  }

  private setPartialStatus(syn: boolean, ack: boolean, isOrig: boolean): void {
    if (isOrig) {
      if ((this.firstSeen & FIRST_ORIG) === 0) this.isPartial = !syn || ack;
      this.firstSeen |= FIRST_ORIG;
    } else {
      if ((this.firstSeen & FIRST_RESP) === 0 && !this.isPartial) this.isPartial = !syn;
      this.firstSeen |= FIRST_RESP;
    }
  }

  // --- history

  private addHistory(isOrig: boolean, code: string): void {
    this.history = HISTORIES.get(this.history + (isOrig ? code : code.toLowerCase()));
  }

  /** Connection::CheckHistory: record `code` once; true when it had been recorded before. */
  private checkHistory(isOrig: boolean, mask: number, code: string): boolean {
    const m = isOrig ? mask : mask << 16;
    if ((this.histSeen & m) === 0) {
      this.histSeen |= m;
      this.addHistory(isOrig, code);
      return false;
    }
    return true;
  }

  private updateHistory(
    ep: Endpoint,
    isOrig: boolean,
    syn: boolean,
    fin: boolean,
    rst: boolean,
    ack: boolean,
    relSeq: number,
    len: number,
  ): void {
    const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (bits > 1) {
      if (fin && rst) this.checkHistory(isOrig, HIST_FIN_RST, 'I');
      else this.checkHistory(isOrig, HIST_MULTI_FLAG, 'Q');
    } else if (bits === 1) {
      // S/H, F and R repeat only when the sequence number moved (for F: the end of its data).
      if (syn) {
        const code = ack ? 'H' : 'S';
        if (this.checkHistory(isOrig, HIST_SYN, code) && relSeq !== ep.histLastSyn) this.addHistory(isOrig, code);
        ep.histLastSyn = relSeq;
      }
      if (fin) {
        if (this.checkHistory(isOrig, HIST_FIN, 'F') && relSeq + len !== ep.histLastFin) this.addHistory(isOrig, 'F');
        ep.histLastFin = relSeq + len;
      }
      if (rst) {
        if (this.checkHistory(isOrig, HIST_RST, 'R') && relSeq !== ep.histLastRst) this.addHistory(isOrig, 'R');
        ep.histLastRst = relSeq;
      }
    } else if (len > 0) {
      this.checkHistory(isOrig, HIST_DATA, 'D');
    } else if (ack) {
      this.checkHistory(isOrig, HIST_ACK, 'A');
    }
  }

  /** Conn.cc ScaledHistoryEntry: a letter at the 1st, 10th, 100th... occurrence. */
  private scaled(ep: Endpoint, isOrig: boolean, code: ScaledCode): void {
    const i = SCALED_CODES.indexOf(code);
    const counts = (ep.scaled ??= [0, 0, 0, 0, 1, 1, 1, 1]);
    if (++counts[i]! === counts[i + 4]) {
      this.addHistory(isOrig, code);
      counts[i + 4]! *= 10;
    }
  }

  // --- sequence bookkeeping

  private initEndpoint(ep: Endpoint, syn: boolean, seq: number, lastSeq: number): void {
    switch (ep.state) {
      case INACTIVE:
        if (syn) {
          ep.initStart(seq);
          ep.initAck(seq);
          ep.initLast(lastSeq);
        } else {
          // A partial connection: number as though a SYN had been seen, and do not take this first
          // segment for a retransmission.
          ep.initStart(seq - 1);
          ep.initAck(seq - 1);
          ep.initLast(seq);
        }
        return;
      case SYN_SENT:
      case SYN_ACK_SENT:
        if (syn && seq !== ep.startSeq) {
          ep.initStart(seq);
          ep.initAck(seq);
          ep.initLast(lastSeq);
        }
        return;
      case ESTABLISHED:
      case PARTIAL:
        if (syn) {
          // A SYN inside the connection: guess that this SYN is the one that really sets it up.
          ep.initStart(seq);
          ep.initAck(seq);
          ep.initLast(lastSeq);
        }
        return;
      case RESET:
        if (syn && ep.prevState === INACTIVE) {
          ep.initStart(seq);
          ep.initAck(seq);
          ep.initLast(lastSeq);
        }
        return;
      default:
        return;
    }
  }

  /** update_last_seq: advance last_seq, or count a retransmission (T/t) when payload did not. */
  private updateLastSeq(
    ep: Endpoint,
    isOrig: boolean,
    lastSeq: number,
    syn: boolean,
    fin: boolean,
    rst: boolean,
    len: number,
  ): void {
    const delta = seqDelta(lastSeq, ep.lastSeq);
    if ((syn || rst) && (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA)) {
      // An outlandish SYN/RST sequence number is not trusted.
    } else if (fin && ep.lastSeq === ((ep.startSeq + 1) >>> 0)) {
      ep.updateLast(lastSeq);
    } else if (ep.state === RESET) {
      // Nothing after a RST is trusted.
    } else if (delta > 0) {
      ep.updateLast(lastSeq);
    } else if (len > 0) {
      this.scaled(ep, isOrig, 'T');
    }
  }

  /** TCP_Reassembler::AckReceived for the endpoint whose data `relAck` acknowledges. */
  private ackReceived(ep: Endpoint, isOrig: boolean, relAck: number): void {
    let seq = relAck;
    if (ep.finCnt > 0 && seq >= ep.finSeq) seq = ep.finSeq - 1;
    if (seq <= ep.trimSeq) return;
    if (seq > ep.lastReassem) this.undelivered(ep, isOrig, seq);
    ep.trimSeq = seq;
  }

  /** TCP_Reassembler::Undelivered: the peer acknowledged data this endpoint never delivered. */
  private undelivered(ep: Endpoint, isOrig: boolean, upTo: number): void {
    // A partial connection's faked-up start: the first ack complains about one or two octets.
    if (upTo <= 2 && this.isPartial) return;
    const p = ep.pending;
    while (p !== null && p.length > 0 && p[0]! < upTo) {
      if (p[0]! > ep.lastReassem) this.gap(ep, isOrig);
      ep.lastReassem = Math.max(ep.lastReassem, p[1]!);
      p.splice(0, 2);
    }
    if (upTo > ep.lastReassem) {
      this.gap(ep, isOrig);
      ep.lastReassem = upTo;
    }
  }

  /** TCP_Reassembler::Gap: a content gap counts only while both sides are cleanly established. */
  private gap(ep: Endpoint, isOrig: boolean): void {
    const peer = ep === this.a ? this.b : this.a;
    const clean = (e: Endpoint) => e.state === ESTABLISHED || (e.state === CLOSED && e.prevState === ESTABLISHED);
    if (clean(ep) && clean(peer)) this.scaled(ep, isOrig, 'G');
  }

  // --- the state machine (TCPSessionAdapter::UpdateStateMachine), returns do_close

  private updateStateMachine(
    ep: Endpoint,
    peer: Endpoint,
    isOrig: boolean,
    seq: number,
    len: number,
    syn: boolean,
    fin: boolean,
    rst: boolean,
    hasAck: boolean,
  ): boolean {
    switch (ep.state) {
      case INACTIVE:
        return this.inactiveState(ep, peer, isOrig, seq, len, syn, fin, rst, hasAck);
      case SYN_SENT:
      case SYN_ACK_SENT:
        // UpdateSYN_SentState: a FIN closes, a RST resets (ConnectionReset).
        if (fin) ep.setState(CLOSED);
        if (rst) {
          ep.setState(RESET);
          this.timers?.reset();
        }
        return fin || rst;
      case ESTABLISHED:
      case PARTIAL: {
        // UpdateEstablishedState.
        if (syn && ep.state === PARTIAL && peer.state === INACTIVE && !hasAck) ep.setState(SYN_SENT);
        let close = false;
        if (fin && !rst) {
          ep.setState(CLOSED);
          // The peer sent FIN then RST: that was a normal termination after all.
          if (peer.state === RESET && peer.prevState === CLOSED) peer.setState(CLOSED);
          close = true;
        }
        if (rst) {
          ep.setState(RESET);
          close = true;
          // ConnectionReset, unless the peer's own RST already reset an established connection.
          if (peer.state !== RESET || peer.prevState !== ESTABLISHED) this.timers?.reset();
        }
        return close;
      }
      case CLOSED:
        // UpdateClosedState: a RST after our FIN resets us, unless the peer has closed too.
        if (rst && peer.state !== CLOSED) {
          ep.setState(RESET);
          return !ep.didClose;
        }
        return false;
      case RESET:
        return false;
      default:
        return false;
    }
  }

  private inactiveState(
    ep: Endpoint,
    peer: Endpoint,
    isOrig: boolean,
    seq: number,
    len: number,
    syn: boolean,
    fin: boolean,
    rst: boolean,
    hasAck: boolean,
  ): boolean {
    let close = false;
    if (syn) {
      if (isOrig) {
        ep.setState(hasAck ? SYN_ACK_SENT : SYN_SENT);
        this.timers?.attemptStarted();
      } else {
        if (!hasAck && peer.state === SYN_ACK_SENT && seq === ep.startSeq) {
          // SYN / SYN-ACK reversal (the two came in the wrong order): flip and establish.
          this.flipRoles();
          peer.setState(ESTABLISHED);
          this.firstSeen |= FIRST_ORIG;
        }
        if (peer.state === SYN_SENT) peer.setState(ESTABLISHED);
        ep.setState(ESTABLISHED);
      }
    }
    if (fin) {
      ep.setState(CLOSED);
      close = true;
    }
    if (rst) {
      ep.setState(RESET);
      close = true;
    }
    if (ep.state === INACTIVE) {
      const orig = this.origIsA ? this.a : this.b;
      if (!isOrig && len === 0 && orig.state === SYN_SENT) {
        // Some stacks ack the SYN before answering it: not yet a partial connection.
      } else if (hasAck && peer.state === ESTABLISHED) {
        // The peer's SYN-ACK was seen but not our SYN: establish rather than call it partial.
        ep.setState(ESTABLISHED);
        this.isPartial = false;
        this.firstSeen |= isOrig ? FIRST_ORIG : FIRST_RESP;
      } else {
        ep.setState(PARTIAL);
      }
    }
    return close;
  }
}
