import { describe, expect, it } from 'vitest';
import { closeText, notableEvents, renderFindings, renderText } from '../../src/report/text.js';
import { computeFindings } from '../../src/report/findings.js';
import { capture, conn, ev, report } from './fixtures.js';

const ESC = '\u001b[';

describe('text report', () => {
  const reset = conn({
    id: 2,
    client: { ip: '2001:db8::1', port: 51000 },
    server: { ip: '2001:db8::2', port: 443 },
    close: { kind: 'reset', initiator: 'client', rstBy: 'server', finalAckLost: false, finalAckSeen: false, detail: 'RST by server in CLOSE_WAIT after client FIN' },
    finalState: { client: 'CLOSED', server: 'CLOSED' },
    events: [ev('syn', 21, 'client'), ev('syn_retransmit', 22, 'client'), ev('syn_retransmit', 23, 'client'), ev('fin', 26, 'client'), ev('rst', 27, 'server'), ev('bad_checksum', 24, 'client')],
  });
  const r = report([conn({ id: 1 }), reset], [capture({ file: 'a.pcap' }), capture({ file: 'b.pcapng', format: 'pcapng', linkTypes: ['LINUX_SLL2'] })]);

  it('has a header per run with files, formats, link types, frames and counts', () => {
    const text = renderText(r, { color: false, findings: computeFindings(r) });
    expect(text).toContain('a.pcap: pcap, EN10MB, 100 frames, 98 TCP segments, 2023-11-14 22:13:20.123456 UTC + 12.500000s');
    expect(text).toContain('b.pcapng: pcapng, LINUX_SLL2');
    expect(text).toContain('skipped: non_tcp 2');
    expect(text).toContain('TCP connections: 2, time span 12.500000s');
    expect(text).toContain('handshakes: three_way 2');
    expect(text).toContain('closes: four_way 1, reset 1');
    expect(text).toContain('anomalies: bad_checksum 1');
    expect(text).not.toContain(ESC);
  });

  it('writes one line per connection: id, ends, handshake, close, final states, duration, notable events', () => {
    const lines = renderText(r, { color: false }).split('\n');
    const l1 = lines.find((l) => l.startsWith('#1 '))!;
    expect(l1).toMatch(/^#1\s+10\.0\.0\.1:40001 → 10\.0\.0\.2:80\s+three_way\s+four_way by client\s+TIME_WAIT\/CLOSED\s+0\.052000s$/);
    const l2 = lines.find((l) => l.startsWith('#2 '))!;
    expect(l2).toContain('[2001:db8::1]:51000 → [2001:db8::2]:443');
    expect(l2).toContain('reset by server after client FIN');
    expect(l2).toContain('CLOSED/CLOSED');
    expect(l2).toMatch(/syn_retransmit×2 rst\(server\) bad_checksum$/);
    // Columns line up.
    expect(l1.indexOf('three_way')).toBe(l2.indexOf('three_way'));
  });

  it('colours only when asked', () => {
    expect(renderText(r, { color: true })).toContain(ESC);
  });

  it('shows per-connection detail (display filter, close detail, states) on request', () => {
    const text = renderText(r, { color: false, details: true });
    expect(text).toContain('wireshark filter: tcp.stream eq 0');
    expect(text).toContain('close: RST by server in CLOSE_WAIT after client FIN');
    expect(text).toContain('client states: SYN_SENT@11 → TIME_WAIT@18');
  });

  it('lays out 200,000 connections without running out of call stack', () => {
    // Column widths once came from Math.max(...rows): 200,000 arguments overflow V8's stack.
    const one = conn({ id: 1 });
    const many = Array.from({ length: 200_000 }, (_, i) => ({ ...one, id: i + 1 }));
    const text = renderText(report(many), { color: false });
    expect(text).toContain('TCP connections: 200000');
    expect(text).toMatch(/\n#200000\s+10\.0\.0\.1:40001/);
  });

  it('says when a filter hides connections', () => {
    expect(renderText(report([conn({ id: 1 })]), { color: false, totalConnections: 5 })).toContain('TCP connections: 1 of 5 (filtered)');
  });

  it('close text covers each kind', () => {
    expect(closeText(conn({ id: 1, close: { kind: 'simultaneous', initiator: 'both', rstBy: null, finalAckLost: false, finalAckSeen: true } }))).toBe('simultaneous');
    expect(closeText(conn({ id: 1, close: { kind: 'three_way', initiator: 'server', rstBy: null, finalAckLost: true, finalAckSeen: true } }))).toBe('three_way by server, final ACK lost');
    expect(closeText(conn({ id: 1, close: { kind: 'open', initiator: null, rstBy: null, finalAckLost: false, finalAckSeen: false } }))).toBe('open');
    expect(notableEvents(conn({ id: 1, idleExpired: true }))).toBe('idle_expired');
  });

  it('renders findings with title, explanation, top endpoints and connections', () => {
    const cw = Array.from({ length: 3 }, (_, i) => conn({ id: i + 1, finalState: { client: 'FIN_WAIT_2', server: 'CLOSE_WAIT' }, states: { client: [], server: [] } }));
    const text = renderFindings(computeFindings(report(cw)), false, 80);
    expect(text).toMatch(/^findings:\n {2}! 3 connections left in CLOSE_WAIT by the server \[close_wait_pileup\]\n/);
    expect(text).toContain('    top: 10.0.0.2:80 (3)\n    connections: 1, 2, 3\n');
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    expect(renderFindings([], false)).toBe('findings: none\n');
  });
});
