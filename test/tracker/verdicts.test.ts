import { describe, expect, it } from 'vitest';
import {
  capturePoint,
  closeInitiator,
  closeKind,
  finalState,
  handshakeKind,
  negotiatedOptions,
  synAckEcn,
  synEcn,
  type CloseFacts,
  type HandshakeFacts,
} from '../../src/tracker/verdicts.js';
import { newTcpOptions, TcpFlag, type TcpOptions } from '../../src/decode/segment.js';

const H: HandshakeFacts = { clientSyn: false, serverSyn: false, synAck: false, clientAcked: false, refused: false, midstream: false };

describe('handshakeKind', () => {
  it.each<[Partial<HandshakeFacts>, string]>([
    [{ clientSyn: true, synAck: true, clientAcked: true }, 'three_way'],
    [{ synAck: true, clientAcked: true }, 'three_way'],
    [{ clientSyn: true, serverSyn: true }, 'simultaneous_open'],
    [{ clientSyn: true, serverSyn: true, synAck: true, clientAcked: true }, 'simultaneous_open'],
    [{ clientSyn: true, refused: true }, 'refused'],
    [{ clientSyn: true }, 'unanswered'],
    [{ clientSyn: true, synAck: true }, 'incomplete'],
    [{ clientSyn: true, synAck: true, refused: true }, 'incomplete'],
    // A SYN-ACK whose SYN the capture missed, unacknowledged: what was seen, not a half-open attempt.
    [{ synAck: true }, 'syn_ack_only'],
    [{ midstream: true }, 'not_captured'],
    [{}, 'not_captured'],
  ])('%o → %s', (f, kind) => {
    expect(handshakeKind({ ...H, ...f })).toBe(kind);
  });
});

const C: CloseFacts = {
  established: true,
  firstFin: null,
  secondFin: null,
  secondFinAcksFirst: false,
  firstFinAckedSeparately: false,
  resetBy: null,
  firstRst: null,
};

describe('closeKind / closeInitiator', () => {
  it.each<[Partial<CloseFacts>, string, string | null]>([
    [{ established: false }, 'not_established', null],
    [{ established: false, resetBy: 'server', firstRst: 'server' }, 'not_established', 'server'],
    [{}, 'open', null],
    [{ firstFin: 'client' }, 'half_closed', 'client'],
    [{ firstFin: 'client', secondFin: 'server', secondFinAcksFirst: true }, 'three_way', 'client'],
    [{ firstFin: 'server', secondFin: 'client', secondFinAcksFirst: true, firstFinAckedSeparately: true }, 'four_way', 'server'],
    [{ firstFin: 'client', secondFin: 'server', secondFinAcksFirst: false }, 'simultaneous', 'both'],
    [{ resetBy: 'client', firstRst: 'client' }, 'reset', 'client'],
    [{ firstFin: 'client', resetBy: 'server', firstRst: 'server' }, 'reset', 'client'],
    [{ resetBy: 'both', firstRst: 'server' }, 'reset', 'server'],
  ])('%o → %s, initiator %s', (f, kind, initiator) => {
    const facts = { ...C, ...f };
    expect(closeKind(facts)).toBe(kind);
    expect(closeInitiator(facts)).toBe(initiator);
  });
});

describe('finalState', () => {
  it.each([
    ['TIME_WAIT', 0, 59, 30, 'TIME_WAIT'],
    ['TIME_WAIT', 0, 60, 30, 'CLOSED'],
    ['TIME_WAIT', 10, 11, 0.5, 'CLOSED'],
    ['CLOSE_WAIT', null, 1000, 30, 'CLOSE_WAIT'],
    ['LAST_ACK', null, 1000, 30, 'LAST_ACK'],
  ] as const)('%s since %s at %s (MSL %s) → %s', (state, since, now, msl, out) => {
    expect(finalState(state, since, now, msl)).toBe(out);
  });
});

describe('capturePoint', () => {
  it.each([
    [0.1, 0.0001, 'client_side'],
    [0.0001, 0.1, 'server_side'],
    [0.05, 0.05, 'in_between'],
    [0.03, 0.1, 'in_between'],
    [null, 0.1, 'unknown'],
    [0.1, null, 'unknown'],
    [0, 0, 'unknown'],
    [-1, 0.1, 'unknown'],
  ] as const)('synToSynAck %s, synAckToAck %s → %s', (a, b, out) => {
    expect(capturePoint(a, b)).toBe(out);
  });
});

describe('ECN negotiation', () => {
  const { AE, CWR, ECE, SYN, ACK } = TcpFlag;
  it.each([
    [SYN, 'none'],
    [SYN | ECE | CWR, 'ecn'],
    [SYN | AE | ECE | CWR, 'accecn'],
    [SYN | ECE, 'none'],
  ] as const)('SYN flags %i → %s', (f, out) => expect(synEcn(f)).toBe(out));
  it.each([
    [SYN | ACK | ECE, 'ecn', 'ecn'],
    [SYN | ACK, 'ecn', 'none'],
    [SYN | ACK | ECE, 'none', 'none'],
    [SYN | ACK | CWR, 'accecn', 'accecn'],
    [SYN | ACK | CWR | ECE, 'accecn', 'accecn'],
    [SYN | ACK | AE, 'accecn', 'accecn'],
    [SYN | ACK | AE | CWR, 'accecn', 'accecn'],
    [SYN | ACK | ECE, 'accecn', 'ecn'],
    [SYN | ACK, 'accecn', 'none'],
  ] as const)('SYN-ACK flags %i to a %s SYN → %s', (f, req, out) => expect(synAckEcn(f, req)).toBe(out));
});

describe('negotiated options', () => {
  const { SYN, ACK, ECE, CWR } = TcpFlag;
  const opts = (o: Partial<TcpOptions>): TcpOptions => Object.assign(newTcpOptions(), o);
  const linux = { mss: 1460, windowScale: 7, sackPermitted: true, hasTimestamps: true };

  it('gives every endpoint offering the same set one shared, frozen object', () => {
    const a = negotiatedOptions(opts(linux), SYN | ECE | CWR, 0, false, 'none', false);
    const b = negotiatedOptions(opts(linux), SYN | ECE | CWR, 0, false, 'none', false);
    expect(a).toEqual({ mss: 1460, windowScale: 7, sackPermitted: true, timestamps: true, ecn: 'ecn', tfo: 'none' });
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('tells apart sets that differ in any one member', () => {
    const base = negotiatedOptions(opts(linux), SYN, 0, false, 'none', false);
    const variants = [
      negotiatedOptions(opts({ ...linux, mss: 1448 }), SYN, 0, false, 'none', false),
      negotiatedOptions(opts({ ...linux, mss: -1 }), SYN, 0, false, 'none', false),
      negotiatedOptions(opts({ ...linux, windowScale: 8 }), SYN, 0, false, 'none', false),
      negotiatedOptions(opts({ ...linux, windowScale: -1 }), SYN, 0, false, 'none', false),
      negotiatedOptions(opts({ ...linux, sackPermitted: false }), SYN, 0, false, 'none', false),
      negotiatedOptions(opts({ ...linux, hasTimestamps: false }), SYN, 0, false, 'none', false),
      negotiatedOptions(opts(linux), SYN | ECE | CWR, 0, false, 'none', false),
      negotiatedOptions(opts({ ...linux, tfoCookieLength: 0 }), SYN, 0, false, 'none', false),
      negotiatedOptions(opts({ ...linux, tfoCookieLength: 8 }), SYN, 0, false, 'none', false),
      negotiatedOptions(opts({ ...linux, tfoCookieLength: 8 }), SYN, 10, false, 'none', false),
    ];
    expect(variants[1]!.mss).toBeNull();
    expect(variants[3]!.windowScale).toBeNull();
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    for (const v of variants) expect(v).not.toEqual(base);
    // A SYN-ACK whose SYN's data was acknowledged: the same set as a SYN carrying data with a cookie.
    expect(negotiatedOptions(opts(linux), SYN | ACK, 0, true, 'none', true)).toBe(variants[9]);
  });

  it('keeps every combination of ECN, TFO, SACK and timestamps apart, at the extremes of MSS and window scale', () => {
    const { AE } = TcpFlag;
    const seen = new Map<string, object>();
    for (const mss of [-1, 0, 65535])
      for (const windowScale of [-1, 0, 14, 255])
        for (const sackPermitted of [false, true])
          for (const hasTimestamps of [false, true])
            for (const [ecnFlags, ecn] of [[0, 'none'], [ECE | CWR, 'ecn'], [AE | ECE | CWR, 'accecn']] as const)
              for (const [tfoCookieLength, payload, tfo] of [[-1, 0, 'none'], [0, 0, 'cookie_request'], [8, 0, 'cookie'], [8, 10, 'data']] as const) {
                const o = negotiatedOptions(opts({ mss, windowScale, sackPermitted, hasTimestamps, tfoCookieLength }), SYN | ecnFlags, payload, false, 'none', false);
                const want = { mss: mss >= 0 ? mss : null, windowScale: windowScale >= 0 ? windowScale : null, sackPermitted, timestamps: hasTimestamps, ecn, tfo };
                expect(o).toEqual(want);
                seen.set(JSON.stringify(want), o);
              }
    // As many distinct objects as distinct sets: no two sets share a cache entry.
    expect(new Set(seen.values()).size).toBe(seen.size);
  });
});
