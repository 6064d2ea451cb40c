import { describe, expect, it } from 'vitest';
import { FindingsCollector, RST_BURST_MIN, TIME_WAIT_MIN, computeFindings } from '../../src/report/findings.js';
import type { ConnectionReport, Finding, FindingKind } from '../../src/model/report.js';
import { conn, ev, report, T0 } from './fixtures.js';

const hs = (c: ConnectionReport, kind: ConnectionReport['handshake']['kind']): ConnectionReport['handshake'] => ({ ...c.handshake, kind });
function byKind(fs: Finding[], kind: FindingKind): Finding | undefined {
  return fs.find((f) => f.kind === kind);
}

describe('findings', () => {
  it('a clean capture has no findings', () => {
    expect(computeFindings(report([conn({ id: 1 }), conn({ id: 2 })]))).toEqual([]);
  });

  it('names the hosts piling up TIME_WAIT once one holds many', () => {
    const many = (n: number, ip: string, from = 1): ConnectionReport[] =>
      Array.from({ length: n }, (_, i) => conn({ id: from + i, client: { ip, port: 30000 + i } }));
    expect(computeFindings(report(many(TIME_WAIT_MIN - 1, '10.0.0.1')))).toEqual([]);
    const fs = computeFindings(report([...many(TIME_WAIT_MIN, '10.0.0.1'), ...many(3, '10.0.0.3', 100)]));
    expect(fs.map((f) => f.kind)).toEqual(['time_wait_pileup']);
    const tw = fs[0]!;
    expect(tw.severity).toBe('info');
    // The three of 10.0.0.3 begin 100 s later, after the first ten ended (2×MSL = 60 s): never held together.
    expect(tw.count).toBe(TIME_WAIT_MIN);
    expect(tw.title).toMatch(new RegExp(`up to ${TIME_WAIT_MIN} TIME_WAIT entries held at once .*, ${TIME_WAIT_MIN + 3} in all`));
    expect(tw.top).toEqual([{ endpoint: '10.0.0.1', count: TIME_WAIT_MIN }, { endpoint: '10.0.0.3', count: 3 }]);
    expect(tw.explanation).toMatch(/tcp_tw_reuse/);
    expect(tw.explanation).toMatch(/ip_local_port_range/);
    expect(tw.explanation).toMatch(/SO_LINGER/);
    expect(tw.explanation).toMatch(/removed in Linux 4\.12/);
    // Settings people reach for that do not do what they hope: TIME_WAIT's length is not tunable.
    expect(tw.explanation).toMatch(/tcp_fin_timeout is the FIN_WAIT_2 timeout/);
    expect(tw.explanation).toMatch(/tcp_max_tw_buckets/);
  });

  it('counts the TIME_WAITs held at once, and when, not the total', () => {
    // One close a second for 1000 s, each TIME_WAIT 2×MSL = 60 s: 60 at once (one ends as the next begins).
    const conns = Array.from({ length: 1000 }, (_, i) => conn({ id: i + 1, client: { ip: '10.0.0.1', port: 20000 + i } }));
    for (const order of [conns, conns.slice().reverse()]) {
      const tw = byKind(computeFindings(report(order)), 'time_wait_pileup')!;
      expect(tw.count).toBe(60);
      expect(tw.at).toBeCloseTo(T0 + 60 + 0.05, 6);
      expect(tw.top).toEqual([{ endpoint: '10.0.0.1', count: 1000 }]);
    }
    // The streaming collector, settling as it goes (a small hold), agrees.
    const streaming = new FindingsCollector(64);
    for (const c of conns) streaming.add(c);
    expect(byKind(streaming.result(), 'time_wait_pileup')!.count).toBe(60);
    // A TIME_WAIT the timer ended (or a RST cut short) ends there, not 2×MSL later.
    const cut = conns.map((c) => ({
      ...c,
      states: { client: [...c.states.client, { state: 'CLOSED' as const, frame: 0, time: c.states.client[1]!.time + 10, how: 'inferred' as const }], server: [] },
    }));
    expect(byKind(computeFindings(report(cut)), 'time_wait_pileup')!.count).toBe(10);
  });

  it('names the servers that leave connections in CLOSE_WAIT', () => {
    const cw = (id: number, ip: string, port: number): ConnectionReport =>
      conn({ id, server: { ip, port }, close: { kind: 'half_closed', initiator: 'client', rstBy: null, finalAckLost: false, finalAckSeen: false }, finalState: { client: 'FIN_WAIT_2', server: 'CLOSE_WAIT' }, states: { client: [], server: [] } });
    const fs = computeFindings(report([cw(1, '10.0.0.9', 8080), cw(2, '10.0.0.9', 8080), cw(3, '2001:db8::5', 443), conn({ id: 4 })]));
    const f = byKind(fs, 'close_wait_pileup')!;
    expect(f.severity).toBe('warning');
    expect(f.count).toBe(3);
    expect(f.top).toEqual([
      { endpoint: '10.0.0.9:8080', count: 2 },
      { endpoint: '[2001:db8::5]:443', count: 1 },
    ]);
    expect(f.connections).toEqual([1, 2, 3]);
    expect(f.explanation).toMatch(/close\(\)/);
  });

  it('counts refused ports, unanswered SYNs and half-open handshakes per server endpoint', () => {
    const base = conn({ id: 1 });
    const notEst = { kind: 'not_established', initiator: null, rstBy: null, finalAckLost: false, finalAckSeen: false } as const;
    const noStates = { client: [], server: [] };
    const fin = { client: 'CLOSED', server: 'CLOSED' } as const;
    const fs = computeFindings(
      report([
        conn({ id: 1, handshake: hs(base, 'refused'), server: { ip: '10.0.0.2', port: 81 }, close: notEst, states: noStates, finalState: fin }),
        conn({ id: 2, handshake: hs(base, 'refused'), server: { ip: '10.0.0.2', port: 81 }, close: notEst, states: noStates, finalState: fin }),
        conn({ id: 3, handshake: hs(base, 'unanswered'), server: { ip: '10.0.0.3', port: 22 }, close: notEst, states: noStates, finalState: fin }),
        conn({ id: 4, handshake: hs(base, 'incomplete'), server: { ip: '10.0.0.4', port: 443 }, close: notEst, states: noStates, finalState: fin }),
      ]),
    );
    expect(byKind(fs, 'refused_ports')).toMatchObject({ count: 2, top: [{ endpoint: '10.0.0.2:81', count: 2 }], connections: [1, 2] });
    expect(byKind(fs, 'unanswered_syns')).toMatchObject({ count: 1, top: [{ endpoint: '10.0.0.3:22', count: 1 }] });
    expect(byKind(fs, 'half_open_handshakes')).toMatchObject({ count: 1, top: [{ endpoint: '10.0.0.4:443', count: 1 }] });
    expect(byKind(fs, 'time_wait_pileup')).toBeUndefined();
    // Warnings come before information.
    expect(fs.every((f) => f.severity === 'warning')).toBe(true);
  });

  it('names the passive closer when the final ACK was lost', () => {
    const fs = computeFindings(
      report([conn({ id: 1, close: { kind: 'four_way', initiator: 'client', rstBy: null, finalAckLost: true, finalAckSeen: true } })]),
    );
    expect(byKind(fs, 'lost_final_acks')).toMatchObject({ count: 1, top: [{ endpoint: '10.0.0.2:80', count: 1 }], connections: [1] });
  });

  it('finds a burst of RSTs only when enough fall within the window', () => {
    const rstConn = (id: number, at: number, ip: string): ConnectionReport =>
      conn({
        id,
        server: { ip, port: 80 },
        close: { kind: 'reset', initiator: 'server', rstBy: 'server', finalAckLost: false, finalAckSeen: false },
        states: { client: [], server: [] },
        events: [{ ...ev('rst', id, 'server'), time: T0 + at }],
      });
    const dense = Array.from({ length: RST_BURST_MIN }, (_, i) => rstConn(i + 1, 5 + i * 0.05, i < 7 ? '10.0.0.7' : '10.0.0.8'));
    const fs = computeFindings(report(dense));
    const f = byKind(fs, 'rst_burst')!;
    expect(f.count).toBe(RST_BURST_MIN);
    expect(f.top[0]).toEqual({ endpoint: '10.0.0.7', count: 7 });

    const sparse = Array.from({ length: RST_BURST_MIN }, (_, i) => rstConn(i + 1, i * 2, '10.0.0.7'));
    expect(byKind(computeFindings(report(sparse)), 'rst_burst')).toBeUndefined();
  });

  it('the streaming collector agrees with computeFindings', () => {
    const conns = [conn({ id: 1 }), conn({ id: 2, finalState: { client: 'FIN_WAIT_2', server: 'CLOSE_WAIT' } })];
    const c = new FindingsCollector();
    for (const x of conns) c.add(x);
    expect(c.result()).toEqual(computeFindings(report(conns)));
  });
});
