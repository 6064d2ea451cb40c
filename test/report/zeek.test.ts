import { describe, expect, it } from 'vitest';
import { ZEEK_FIELDS, renderZeek, zeekEscape, zeekUid } from '../../src/report/zeek.js';
import { capture, conn, report, T0 } from './fixtures.js';
import { zeekCut } from './zeekcut.js';


describe('zeek conn.log', () => {
  const r = report(
    [
      conn({ id: 1 }),
      conn({
        id: 2,
        duration: 0,
        handshake: { ...conn({ id: 2 }).handshake, kind: 'unanswered' },
        zeek: { connState: 'S0', history: 'S', orig: 'client', origBytes: 0, respBytes: 0 },
        stats: { client: { packets: 1, bytes: 0, ipBytes: 60, retransmits: 0, wireBytes: 0, retransmittedBytes: 0, outOfOrder: 0, dupAcks: 0, zeroWindow: { episodes: 0, seconds: 0, shutAtEnd: false }, zeroWindowProbes: 0, rtt: null, throughput: null }, server: { packets: 0, bytes: 0, ipBytes: 0, retransmits: 0, wireBytes: 0, retransmittedBytes: 0, outOfOrder: 0, dupAcks: 0, zeroWindow: { episodes: 0, seconds: 0, shutAtEnd: false }, zeroWindowProbes: 0, rtt: null, throughput: null } },
      }),
    ],
    [capture({ firstTime: T0, lastTime: T0 + 3661 })],
  );
  const log = renderZeek(r);
  const lines = log.trimEnd().split('\n');

  it('has the ASCII writer header lines, in order', () => {
    expect(lines[0]).toBe('#separator \\x09');
    expect(lines[1]).toBe('#set_separator\t,');
    expect(lines[2]).toBe('#empty_field\t(empty)');
    expect(lines[3]).toBe('#unset_field\t-');
    expect(lines[4]).toBe('#path\tconn');
    expect(lines[5]).toBe('#open\t2023-11-14-22-13-20');
    expect(lines[6]).toBe(
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents',
    );
    expect(lines[7]).toBe(
      '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]',
    );
    expect(lines.at(-1)).toBe('#close\t2023-11-14-23-14-21');
  });

  it('writes one tab-separated row per connection with every column', () => {
    const rows = lines.filter((l) => !l.startsWith('#'));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.split('\t')).toHaveLength(ZEEK_FIELDS.length);
  });

  it('reads back the way zeek-cut does', () => {
    const cut = zeekCut(log, ['id.orig_h', 'id.orig_p', 'id.resp_p', 'conn_state', 'history', 'duration', 'orig_bytes', 'orig_pkts', 'resp_ip_bytes']);
    expect(cut).toEqual([
      ['10.0.0.1', '40001', '80', 'SF', 'ShADadFf', '0.052000', '100', '5', '320'],
      // Zeek leaves duration and byte counts unset when the duration is 0.
      ['10.0.0.1', '40002', '80', 'S0', 'S', '-', '-', '1', '0'],
    ]);
    const ts = zeekCut(log, ['ts'])[0]![0]!;
    expect(ts).toBe((T0 + 1).toFixed(6));
  });

  it("writes Zeek's originator first, with its counts, when Zeek's originator is tcpshake's server", () => {
    const flipped = conn({ id: 3, zeek: { connState: 'SHR', history: '^hAf', orig: 'server', origBytes: 7, respBytes: 0 } });
    const out = renderZeek(report([flipped], [capture({ firstTime: T0, lastTime: T0 + 5 })]));
    const cut = zeekCut(out, ['id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'history', 'orig_bytes', 'resp_bytes', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes']);
    expect(cut).toEqual([['10.0.0.2', '80', '10.0.0.1', '40003', '^hAf', '7', '0', '3', '320', '5', '300']]);
  });

  it('makes deterministic Zeek-like uids, different per connection', () => {
    const a = zeekUid(conn({ id: 1 }));
    expect(a).toMatch(/^C[0-9A-Za-z]{17}$/);
    expect(zeekUid(conn({ id: 1 }))).toBe(a);
    expect(zeekUid(conn({ id: 2 }))).not.toBe(a);
  });

  it('escapes separators and control characters, marks empty strings', () => {
    expect(zeekEscape('a\tb')).toBe('a\\x09b');
    expect(zeekEscape('')).toBe('(empty)');
  });
});
