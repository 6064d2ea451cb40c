import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/decode/segment.js';
import { ZeekObserver, zeekConnState, type ZeekObserverOptions } from '../../src/tracker/zeek.js';
import { TunnelKind } from '../../src/decode/tunnel.js';
import { c, s } from './segments.js';

/** Feed segments; `c(...)` ones come from A (the client), `s(...)` ones from B. */
function run(segs: Segment[], options: ZeekObserverOptions = {}): { connState: string; history: string } {
  const obs = new ZeekObserver(options);
  const aPort = segs[0]!.srcPort;
  const aDst = segs[0]!.dstPort;
  for (const x of segs) obs.onSegment(x, x.srcPort === aPort && x.dstPort === aDst);
  const { connState, history } = obs.result();
  return { connState, history };
}

const C = 1000; // client ISN (client port 40000, server port 9000: neither is a likely server port)
const S = 5000; // server ISN

/** SYN, SYN-ACK, ACK. */
function handshake(): Segment[] {
  return [c('S', C), s('SA', S, C + 1), c('A', C + 1, S + 1)];
}

describe("orig_bytes / resp_bytes: from the sequence numbers, as TCP_Endpoint::Size()", () => {
  it('counts payload once (a retransmission adds nothing, a gap is counted), not SYN or FIN', () => {
    const obs = new ZeekObserver();
    for (const [x, fromA] of [
      [c('S', C), true],
      [s('SA', S, C + 1), false],
      [c('A', C + 1, S + 1), true],
      [c('PA', C + 1, S + 1, 10), true],
      [c('PA', C + 1, S + 1, 10), true], // retransmitted
      [s('PA', S + 1 + 30, C + 11, 20), false], // 30 bytes never captured before it
      [c('FA', C + 11, S + 51), true],
      [s('FA', S + 51, C + 12), false],
    ] as const) {
      obs.onSegment(x, fromA);
    }
    const r = obs.result();
    expect([r.origIsA, r.origBytes, r.respBytes]).toEqual([true, 10, 50]);
  });
});

describe('X: the tunnels of a connection changed more than Tunnel::max_changes_per_connection (5) times', () => {
  /** `x` as carried in GTP-U over the outer UDP flow `outer` (uplink and downlink use different ones). */
  function gtp(x: Segment, outer: 'up' | 'down'): Segment {
    const bytes = new Uint8Array(8);
    bytes.set([10, 0, 0, 1, 10, 0, 0, 2]);
    x.bytes = bytes;
    x.tunnelDepth = 1;
    const t = x.tunnels[0]!;
    t.kind = TunnelKind.gtp;
    t.addrLength = 4;
    t.srcOffset = outer === 'up' ? 0 : 4;
    t.dstOffset = outer === 'up' ? 4 : 0;
    t.srcPort = outer === 'up' ? 2152 : 40000;
    t.dstPort = outer === 'up' ? 40001 : 2152;
    return x;
  }
  const exchange = (n: number): Segment[] => {
    const out = [gtp(c('S', C), 'up'), gtp(s('SA', S, C + 1), 'down'), gtp(c('A', C + 1, S + 1), 'up')];
    for (let i = 0; i < n; i++) {
      out.push(gtp(c('PA', C + 1 + i, S + 1 + i, 1), 'up'), gtp(s('PA', S + 1 + i, C + 2 + i, 1), 'down'));
    }
    return out;
  };
  it('five changes are counted, the sixth writes X once', () => {
    // SYN up, SYN-ACK down (change 1), ACK up (2), then data down (3), up (4), down (5), up (6th: X).
    expect(run(exchange(2)).history).toBe('ShADd');
    expect(run(exchange(3)).history).toBe('ShADdX');
    expect(run(exchange(5)).history).toBe('ShADdX');
  });
  it('the two directions of one outer UDP flow are one tunnel', () => {
    const same = exchange(5).map((x) => {
      const t = x.tunnels[0]!;
      if (t.srcOffset === 4) {
        t.srcPort = 40001;
        t.dstPort = 2152;
      }
      return x;
    });
    expect(run(same).history).toBe('ShADd');
  });
});

describe('conn_state, one per state', () => {
  it('S0: a SYN, never answered (retransmitted with the same sequence number: one S)', () => {
    expect(run([c('S', C), c('S', C)])).toEqual({ connState: 'S0', history: 'S' });
  });
  it('REJ: a SYN answered by RST', () => {
    expect(run([c('S', C), s('RA', 0, C + 1)])).toEqual({ connState: 'REJ', history: 'Sr' });
  });
  it('S1: established, not closed', () => {
    expect(run(handshake())).toEqual({ connState: 'S1', history: 'ShA' });
  });
  it('SF: data both ways and both FINs', () => {
    const r = run([
      ...handshake(),
      c('PA', C + 1, S + 1, 10),
      s('PA', S + 1, C + 11, 20),
      c('A', C + 11, S + 21),
      c('FA', C + 11, S + 21),
      s('FA', S + 21, C + 12),
      c('A', C + 12, S + 22),
    ]);
    expect(r).toEqual({ connState: 'SF', history: 'ShADdFf' });
  });
  it('S2: the originator closes, the responder does not', () => {
    expect(run([...handshake(), c('FA', C + 1, S + 1), s('A', S + 1, C + 2)]).connState).toBe('S2');
  });
  it('S3: the responder closes, the originator does not', () => {
    expect(run([...handshake(), s('FA', S + 1, C + 1), c('A', C + 1, S + 2)])).toEqual({ connState: 'S3', history: 'ShAf' });
  });
  it('RSTO: established, the originator resets', () => {
    expect(run([...handshake(), c('RA', C + 1, S + 1)])).toEqual({ connState: 'RSTO', history: 'ShAR' });
  });
  it('RSTR: established, the responder resets', () => {
    expect(run([...handshake(), s('RA', S + 1, C + 1)])).toEqual({ connState: 'RSTR', history: 'ShAr' });
  });
  it('RSTOS0: SYN then the originator resets, no SYN-ACK seen', () => {
    expect(run([c('S', C), c('R', C + 1)])).toEqual({ connState: 'RSTOS0', history: 'SR' });
    // A pure ACK from the responder (lower case) does not spoil RSTOS0.
    expect(run([c('S', C), s('A', S, C + 1), c('R', C + 1)])).toEqual({ connState: 'RSTOS0', history: 'SaR' });
  });
  it('RSTOS0 does not hold once the originator sent a FIN: OTH', () => {
    expect(run([c('S', C), s('A', S, C + 1), c('FA', C + 1, S), c('R', C + 2)])).toEqual({ connState: 'OTH', history: 'SaFR' });
  });
  it('RSTRH: the responder sent a SYN-ACK and then a RST, no SYN seen', () => {
    // The SYN-ACK comes from port 80, a likely server port: Zeek flips at once.
    expect(run([s('SA', S, C + 1, 0, { srcPort: 80 }), s('R', S + 1, 0, 0, { srcPort: 80 })])).toEqual({
      connState: 'RSTRH',
      history: '^hr',
    });
  });
  it('SH: the originator sent a SYN and a FIN, no answer', () => {
    expect(run([c('S', C), c('FA', C + 1, 0)])).toEqual({ connState: 'SH', history: 'SF' });
  });
  it('SHR: the responder sent a SYN-ACK and a FIN, no SYN', () => {
    expect(run([s('SA', S, C + 1, 0, { srcPort: 22 }), s('FA', S + 1, C + 1, 0, { srcPort: 22 })])).toEqual({
      connState: 'SHR',
      history: '^hf',
    });
  });
  it('OTH: mid-stream data, no SYN', () => {
    expect(run([c('PA', C, S, 10), s('PA', S, C + 10, 10), c('A', C + 10, S + 10)])).toEqual({
      connState: 'OTH',
      history: 'DdA',
    });
  });
  it('a FIN then RST from one side, then the other FIN: back to a normal close', () => {
    const r = run([...handshake(), c('FA', C + 1, S + 1), c('R', C + 2), s('FA', S + 1, C + 2)]);
    expect(r.connState).toBe('SF');
    expect(r.history).toBe('ShAFRf');
  });
});

describe('zeekConnState is a pure function of the endpoint states', () => {
  it('REJ when both reset without payload, RSTR when there was payload', () => {
    expect(zeekConnState('RESET', 'RESET', 'ShAR', 0, 0)).toBe('REJ');
    expect(zeekConnState('RESET', 'RESET', 'ShADR', 10, 0)).toBe('RSTR');
  });
  it('S0 only while the responder is INACTIVE (PARTIAL counts as inactive elsewhere)', () => {
    expect(zeekConnState('SYN_SENT', 'INACTIVE', 'S', 0, 0)).toBe('S0');
    expect(zeekConnState('SYN_SENT', 'PARTIAL', 'Sd', 0, 0)).toBe('OTH');
  });
});

describe('the originator flip (^)', () => {
  it('first packet not a bare SYN, from a likely server port: flip', () => {
    expect(run([s('PA', S, C, 10, { srcPort: 80 })]).history).toBe('^d');
  });
  it('first packet from an unlikely port to a likely one: no flip', () => {
    expect(run([c('PA', C, S, 10, { dstPort: 80 })]).history).toBe('D');
  });
  it('both ports likely: a non-SYN flips only towards the higher destination port', () => {
    expect(run([seg2('PA', 80, 443)]).history).toBe('^d');
    expect(run([seg2('PA', 443, 80)]).history).toBe('D');
  });
  it('both ports likely: a SYN-ACK never flips (stealth scans)', () => {
    expect(run([seg2('SA', 80, 443)]).history).toBe('H');
  });
  it('a bare SYN is never flipped by ports', () => {
    expect(run([seg2('S', 80, 40000)]).history).toBe('S');
  });
  it('with no likely server ports (zeek -b), a lone SYN-ACK stays the originator', () => {
    expect(run([s('SA', S, C + 1, 0, { srcPort: 80 })], { likelyServerPorts: new Set() })).toEqual({
      connState: 'OTH',
      history: 'H',
    });
  });
  it('a lone SYN-ACK then an ACK from the other side: flip, the handshake is taken as seen', () => {
    expect(run([s('SA', S, C + 1), c('A', C + 1, S + 1), c('PA', C + 1, S + 1, 5), s('PA', S + 1, C + 6, 5)])).toEqual({
      connState: 'S1',
      history: '^hADd',
    });
  });
  it('a lone SYN-ACK then an ACK from the same side: flip as well', () => {
    expect(run([s('SA', S, C + 1), s('A', S + 1, C + 1), s('FA', S + 1, C + 1)]).history).toBe('^haf');
  });
  it('SYN-ACK seen before its SYN (reordered): flip when the SYN arrives', () => {
    const r = run([s('SA', S, C + 1), c('S', C), c('A', C + 1, S + 1)]);
    expect(r).toEqual({ connState: 'S1', history: 'Hs^A' });
  });
});

function seg2(flags: string, srcPort: number, dstPort: number): Segment {
  return c(flags, C, S, flags.includes('S') ? 0 : 10, { srcPort, dstPort });
}

describe('history repeat rules', () => {
  it('A and D at most once per direction', () => {
    const r = run([
      ...handshake(),
      c('PA', C + 1, S + 1, 10),
      c('PA', C + 11, S + 1, 10),
      s('A', S + 1, C + 21),
      s('A', S + 1, C + 21),
      c('A', C + 21, S + 1),
    ]);
    expect(r.history).toBe('ShADa');
  });
  it('S repeats only with a new sequence number relative to the endpoint start', () => {
    // A SYN with a new ISN while in SYN_SENT re-anchors the sequence space (relative 0 again): no
    // second S (Zeek would start a new connection for it anyway, see isReuse).
    expect(run([c('S', C), c('S', C), c('S', C + 7)]).history).toBe('S');
    // After a RST the sequence space is kept, so a new SYN is a new S.
    expect(run([c('S', C), c('R', C + 1), c('S', C + 50)]).history).toBe('SRS');
  });
  it('F repeats only when seq + payload moved; R likewise', () => {
    const r = run([...handshake(), c('FA', C + 1, S + 1), c('FA', C + 1, S + 1), c('R', C + 2), c('R', C + 2), c('R', C + 9)]);
    expect(r.history).toBe('ShAFRR');
  });
  it('multi-flag packets: Q once (SYN+FIN), I once (FIN+RST)', () => {
    expect(run([c('SF', C), c('SF', C + 5), c('FR', C + 1), c('FR', C + 1)]).history).toBe('QI');
  });
});

describe('logarithmic letters (1st, 10th, 100th occurrence)', () => {
  it('T: retransmitted payload', () => {
    const segs = [...handshake(), c('PA', C + 1, S + 1, 10)];
    for (let i = 0; i < 10; i++) segs.push(c('PA', C + 1, S + 1, 10));
    let r = run(segs);
    expect(r.history).toBe('ShADTT');
    for (let i = 0; i < 90; i++) segs.push(c('PA', C + 1, S + 1, 10));
    r = run(segs);
    expect(r.history).toBe('ShADTTT');
  });
  it('W: zero window, not with a RST nor after the peer FIN', () => {
    const r = run([...handshake(), s('A', S + 1, C + 1, 0, { window: 0 }), s('A', S + 1, C + 1, 0, { window: 0 })]);
    expect(r.history).toBe('ShAaw');
    expect(run([...handshake(), s('RA', S + 1, C + 1, 0, { window: 0 })]).history).toBe('ShAr');
    expect(run([...handshake(), c('FA', C + 1, S + 1), s('A', S + 1, C + 2, 0, { window: 0 })]).history).toBe('ShAFa');
  });
  it('C: bad TCP checksum when checksums are checked, and the packet is dropped', () => {
    const segs = [c('S', C, 0, 0, { checksumOk: false })];
    for (let i = 0; i < 9; i++) segs.push(c('S', C, 0, 0, { checksumOk: false }));
    expect(run(segs, { ignoreChecksums: false })).toEqual({ connState: 'OTH', history: 'CC' });
    expect(run(segs, { ignoreChecksums: true })).toEqual({ connState: 'S0', history: 'S' });
  });
  it('a bad IPv4 header checksum drops the packet without a letter', () => {
    const r = run([c('S', C), s('SA', S, C + 1, 0, { ipChecksumOk: false }), c('A', C + 1, S + 1)], { ignoreChecksums: false });
    expect(r.history).toBe('SA');
  });
  it('G: the peer acknowledges data never seen (both sides established)', () => {
    const r = run([...handshake(), c('PA', C + 1, S + 1, 10), c('PA', C + 21, S + 1, 10), s('A', S + 1, C + 31)]);
    expect(r.history).toBe('ShADaG');
  });
  it('no G when the acked data was all seen, even out of order (the late segment counts as T)', () => {
    const r = run([...handshake(), c('PA', C + 11, S + 1, 10), c('PA', C + 1, S + 1, 10), s('A', S + 1, C + 21)]);
    expect(r.history).toBe('ShADTa');
  });
  it('no G for the acknowledgment of a FIN', () => {
    const r = run([...handshake(), c('FA', C + 1, S + 1), s('A', S + 1, C + 2)]);
    expect(r.history).toBe('ShAFa');
  });
});

describe('isReuse (Zeek starts a new connection)', () => {
  it('a SYN with the same sequence number while open: no; with a new one: yes', () => {
    const obs = new ZeekObserver();
    obs.onSegment(c('S', C), true);
    expect(obs.isReuse(c('S', C), true)).toBe(false);
    expect(obs.isReuse(c('S', C + 99), true)).toBe(true);
  });
  it('any SYN once a side has closed', () => {
    const obs = new ZeekObserver();
    for (const x of [...handshake(), c('FA', C + 1, S + 1), s('FA', S + 1, C + 2), c('A', C + 2, S + 2)]) {
      obs.onSegment(x, x.srcPort === 40000);
    }
    expect(obs.isReuse(c('S', C), true)).toBe(true);
    expect(obs.isReuse(c('A', C + 2, S + 2), true)).toBe(false);
  });
  it('a SYN-ACK only reuses a half connection', () => {
    const obs = new ZeekObserver();
    for (const x of handshake()) obs.onSegment(x, x.srcPort === 40000);
    expect(obs.isReuse(s('SA', S + 77, C + 1), false)).toBe(false);
  });
});
