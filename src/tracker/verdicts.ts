/**
 * Verdicts: pure functions from what the tracker saw (facts) to the report's vocabulary
 * (src/model/vocabulary.ts; docs/architecture.md). Like Zeek's conn_state, a verdict is a function of recorded facts only, so it can be
 * table-tested without packets.
 */
import type { HandshakeReport, NegotiatedOptions } from '../model/report.js';
import type { CloseKind, EndpointState, HandshakeKind, Side, Who } from '../model/vocabulary.js';
import { TcpFlag, type TcpOptions } from '../decode/segment.js';
import { assertNever } from '../util/assert.js';

export interface HandshakeFacts {
  /** The client sent a bare SYN the capture saw. */
  clientSyn: boolean;
  /** The server sent a bare SYN too (simultaneous open, RFC 9293 §3.5 figure 8). */
  serverSyn: boolean;
  /** A SYN-ACK was seen, or is proven by the client acknowledging the server's ISN + 1. */
  synAck: boolean;
  /** The client acknowledged the server's SYN (pure ACK or data acknowledging it). */
  clientAcked: boolean;
  /** A RST answered the SYN (acknowledging its sequence number + 1) before any SYN-ACK. */
  refused: boolean;
  /** The first segment of the connection the capture saw was neither SYN nor SYN-ACK. */
  midstream: boolean;
}

/**
 * handshake.kind. Decisions:
 * - `not_captured` wins when the capture started after the handshake (no SYN, no SYN-ACK seen).
 * - `simultaneous_open` whenever both sides sent a bare SYN, however the rest went.
 * - `refused` when a RST answered the SYN before any SYN-ACK.
 * - `incomplete` is SYN-ACK without the client's acknowledgment — also when the client then sent a
 *   RST (a port scanner's "half-open" probe, or a client that gave up): the handshake is what did
 *   not complete; who reset is reported in close.rstBy.
 * - `syn_ack_only` is a SYN-ACK whose SYN the capture never saw, and no acknowledgment of it: the
 *   capture began after the SYN, or the SYN took another path. Nothing shows a client that gave up
 *   (Zeek's `OTH` with history `^h`), so it is not a half-open attempt.
 */
export function handshakeKind(f: HandshakeFacts): HandshakeKind {
  if (f.midstream && !f.clientSyn && !f.synAck) return 'not_captured';
  if (f.clientSyn && f.serverSyn) return 'simultaneous_open';
  if (f.refused && !f.synAck) return 'refused';
  if (f.synAck && f.clientAcked) return 'three_way';
  if (f.synAck && !f.clientSyn && !f.serverSyn) return 'syn_ack_only';
  if (f.synAck) return 'incomplete';
  if (f.clientSyn) return 'unanswered';
  return 'not_captured';
}

/** The connection reached a synchronized state (or was already there when the capture began). */
export function handshakeEstablished(kind: HandshakeKind, simultaneousCompleted: boolean): boolean {
  switch (kind) {
    case 'three_way':
    case 'not_captured':
      return true;
    case 'simultaneous_open':
      return simultaneousCompleted;
    case 'refused':
    case 'unanswered':
    case 'incomplete':
    case 'syn_ack_only':
      return false;
    default:
      return assertNever(kind, 'handshake kind');
  }
}

export interface CloseFacts {
  established: boolean;
  /** Who sent the first FIN, and whether the other side's FIN came too. */
  firstFin: Side | null;
  secondFin: Side | null;
  /** The second FIN carried the acknowledgment of the first FIN. */
  secondFinAcksFirst: boolean;
  /** The second closer acknowledged the first FIN in a segment of its own before its FIN. */
  firstFinAckedSeparately: boolean;
  /** A RST that ended the connection (not an out-of-window one) was seen. */
  resetBy: Who | null;
  /** The first accepted RST's sender, when there was no FIN. */
  firstRst: Side | null;
}

/**
 * close.kind. A handshake that never completed is `not_established` whatever followed (a RST
 * answering the SYN shows up as handshake `refused` and close.rstBy). A RST that ended the
 * connection makes it `reset`, even after FINs (the detail says so).
 */
export function closeKind(f: CloseFacts): CloseKind {
  if (!f.established) return 'not_established';
  if (f.resetBy !== null) return 'reset';
  if (f.firstFin !== null && f.secondFin !== null) {
    // RFC 9293 §3.5 case 3: each side sent FIN before it had the other's → both pass CLOSING.
    if (!f.secondFinAcksFirst) return 'simultaneous';
    return f.firstFinAckedSeparately ? 'four_way' : 'three_way';
  }
  if (f.firstFin !== null) return 'half_closed';
  return 'open';
}

/** close.initiator: who sent the first FIN (both for a simultaneous close), else the first RST. */
export function closeInitiator(f: CloseFacts): Who | null {
  if (f.firstFin !== null) {
    if (f.secondFin !== null && !f.secondFinAcksFirst) return 'both';
    return f.firstFin;
  }
  return f.firstRst;
}

/** Combine sides into Who. */
export function whoOf(client: boolean, server: boolean): Who | null {
  if (client && server) return 'both';
  if (client) return 'client';
  if (server) return 'server';
  return null;
}

/**
 * The state an endpoint is in at the end of the capture: TIME_WAIT lasts 2×MSL (RFC 9293 §3.6.1,
 * §3.10.7.4 TIME-WAIT), so an end that entered it at least 2×MSL of capture time before `now` is
 * CLOSED.
 */
export function finalState(state: EndpointState, timeWaitSince: number | null, now: number, msl: number): EndpointState {
  if (state === 'TIME_WAIT' && timeWaitSince !== null && now - timeWaitSince >= 2 * msl) return 'CLOSED';
  return state;
}

/**
 * Where the capture was taken, from the two handshake intervals seen at the capture point.
 *
 * A host answers a handshake segment in microseconds; the network round trip is what takes time.
 * Next to the client, SYN→SYN-ACK spans the whole round trip while SYN-ACK→ACK is only the client's
 * own turnaround: synToSynAck ≫ synAckToAck. Next to the server it is the other way round. When
 * neither interval dominates (ratio below 4 either way) the capture point sat somewhere in between.
 */
export function capturePoint(synToSynAck: number | null, synAckToAck: number | null): HandshakeReport['capturePoint'] {
  if (synToSynAck === null || synAckToAck === null || synToSynAck < 0 || synAckToAck < 0) return 'unknown';
  if (synToSynAck === 0 && synAckToAck === 0) return 'unknown';
  const RATIO = 4;
  if (synToSynAck > RATIO * synAckToAck) return 'client_side';
  if (synAckToAck > RATIO * synToSynAck) return 'server_side';
  return 'in_between';
}

/**
 * ECN on a SYN (RFC 3168 §6.1.1: ECE+CWR; RFC 9768 AccECN: AE+CWR+ECE) and on a SYN-ACK (RFC 3168:
 * ECE without CWR; AccECN: the (AE,CWR,ECE) codepoints 010, 011, 100, 110 of RFC 9768 table 2).
 */
export function synEcn(flags: number): NegotiatedOptions['ecn'] {
  const ae = (flags & TcpFlag.AE) !== 0;
  const cwr = (flags & TcpFlag.CWR) !== 0;
  const ece = (flags & TcpFlag.ECE) !== 0;
  if (ae && cwr && ece) return 'accecn';
  if (!ae && cwr && ece) return 'ecn';
  return 'none';
}

export function synAckEcn(flags: number, requested: NegotiatedOptions['ecn']): NegotiatedOptions['ecn'] {
  if (requested === 'none') return 'none';
  const code = ((flags & TcpFlag.AE) !== 0 ? 4 : 0) | ((flags & TcpFlag.CWR) !== 0 ? 2 : 0) | ((flags & TcpFlag.ECE) !== 0 ? 1 : 0);
  if (requested === 'accecn' && (code === 2 || code === 3 || code === 4 || code === 6)) return 'accecn';
  if (code === 1) return 'ecn';
  return 'none';
}

/** The options one side offered on its SYN (client) or SYN-ACK (server). */
export function negotiatedOptions(
  o: TcpOptions,
  flags: number,
  payloadLength: number,
  isSynAck: boolean,
  clientEcn: NegotiatedOptions['ecn'],
  synDataAcked: boolean,
): Readonly<NegotiatedOptions> {
  let tfo: NegotiatedOptions['tfo'] = 'none';
  if (!isSynAck) {
    // RFC 7413 §4.1: an empty cookie option asks for a cookie; a cookie with data uses it.
    if (o.tfoCookieLength === 0) tfo = 'cookie_request';
    else if (o.tfoCookieLength > 0) tfo = payloadLength > 0 ? 'data' : 'cookie';
  } else {
    if (synDataAcked) tfo = 'data';
    else if (o.tfoCookieLength > 0) tfo = 'cookie';
  }
  const ecn = isSynAck ? synAckEcn(flags, clientEcn) : synEcn(flags);
  const mss = o.mss >= 0 ? o.mss : -1;
  const windowScale = o.windowScale >= 0 ? o.windowScale : -1;
  // Every field as a digit of one number (mss < 2^16, window scale < 2^8): exact below 2^53.
  const key =
    ((((mss + 1) * 512 + (windowScale + 1)) * 4 + (o.sackPermitted ? 2 : 0) + (o.hasTimestamps ? 1 : 0)) * 4 + ECN_CODE[ecn]) * 4 + TFO_CODE[tfo];
  let shared = OPTIONS_SEEN.get(key);
  if (shared === undefined) {
    shared = Object.freeze({
      mss: mss >= 0 ? mss : null,
      windowScale: windowScale >= 0 ? windowScale : null,
      sackPermitted: o.sackPermitted,
      timestamps: o.hasTimestamps,
      ecn,
      tfo,
    });
    if (OPTIONS_SEEN.size < MAX_OPTIONS_SEEN) OPTIONS_SEEN.set(key, shared);
  }
  return shared;
}

/**
 * The option sets seen so far, each one frozen object shared by every endpoint that offered it: a
 * run sees a handful of distinct sets (one per TCP stack and MSS), and an object per endpoint was
 * about 4% of a live connection's memory. Bounded, so that a capture of crafted SYNs cannot grow it.
 *
 * Process-wide, yet no side effect a caller can see: it holds only frozen values, each equal to what
 * negotiatedOptions() would build afresh, so runs (even at once) get the same reports whatever it
 * holds. The key gives each member digits of its own (mss < 2^16, window scale < 2^9, two flag bits,
 * ECN < 4, TFO < 4); a test goes through every combination.
 */
const OPTIONS_SEEN = new Map<number, NegotiatedOptions>();
const MAX_OPTIONS_SEEN = 4096;
const ECN_CODE: Record<NegotiatedOptions['ecn'], number> = { none: 0, ecn: 1, accecn: 2 };
const TFO_CODE: Record<NegotiatedOptions['tfo'], number> = { none: 0, cookie_request: 1, cookie: 2, data: 3 };
