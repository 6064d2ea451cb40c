import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COL, buildPayload, expandFilterTemplate, filterTemplate, jsonForScript, renderHtml, escapeHtml, type Payload } from '../../src/report/html/index.js';
import { barChart, binTimes, fmtDuration, histogram } from '../../src/report/html/charts.js';
import { anomalousLadderIds, isAnomalous } from '../../src/cli/report.js';
import { bigReport, capture, connection, ladderSegments, report, smallReport } from './fixtures.js';

function dataBlock(html: string): Payload {
  const m = /<script type="application\/json" id="tcpshake-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as Payload;
}

function inlineBlocks(html: string, tag: 'script' | 'style'): string[] {
  const re = tag === 'script' ? /<script>([\s\S]*?)<\/script>/g : /<style>([\s\S]*?)<\/style>/g;
  return [...html.matchAll(re)].map((m) => m[1]!);
}

describe('escaping helpers', () => {
  it('escapeHtml escapes the five markup characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
  it('jsonForScript escapes <, >, &, U+2028 and U+2029 and still parses back', () => {
    const v = { s: '</script><!-- & \u2028\u2029 -->', n: [1, 2] };
    const j = jsonForScript(v);
    expect(j).not.toMatch(/[<>&\u2028\u2029]/);
    expect(j).toContain('\\u003c/script\\u003e');
    expect(JSON.parse(j)).toEqual(v);
  });
});

describe('display filter templates', () => {
  it('stores the common shape once and expands back exactly', () => {
    const a = connection({ id: 1, clientIp: '10.0.0.1', clientPort: 40001 });
    const b = connection({ id: 2, clientIp: '10.0.0.9', clientPort: 51000 });
    const ta = filterTemplate(a.displayFilter, a);
    expect(ta).toBe(filterTemplate(b.displayFilter, b));
    expect(ta).not.toContain('10.0.0');
    expect(expandFilterTemplate(ta, a.client.ip, a.server.ip, a.client.port, a.server.port)).toBe(a.displayFilter);
  });
  it('handles IPv6, braces and ports that occur inside other numbers', () => {
    const c = connection({ id: 3, clientIp: '2001:db8::1', serverIp: '2001:db8::80', clientPort: 80, serverPort: 8 });
    for (const f of [
      'ipv6.addr==2001:db8::1 && ipv6.addr==2001:db8::80 && tcp.port in {80 8}',
      'tcp.stream eq 80 && frame.number >= 8080',
      '{c}{{}}',
      '',
    ]) {
      const t = filterTemplate(f, c);
      expect(expandFilterTemplate(t, c.client.ip, c.server.ip, c.client.port, c.server.port)).toBe(f);
    }
  });
});

describe('renderHtml', () => {
  const r = smallReport();
  const html = renderHtml(r, {
    findings: [
      { kind: 'rst_burst', severity: 'warning', title: 'RST burst', explanation: 'Many RSTs in one second', count: 2, top: [{ endpoint: '192.168.1.20:443', count: 2 }], connections: [2, 6] },
    ],
  });

  it('is one self-contained document: no external resources, exactly two scripts', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\s(src|href|action|srcset)\s*=/i);
    expect(html).not.toMatch(/url\(\s*['"]?(https?:|\/\/)/i);
    expect(html).not.toMatch(/@import/);
    expect((html.match(/<script\b/g) ?? []).length).toBe(2);
  });

  it('carries a strict CSP whose hashes match the inline script and style', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const [script] = inlineBlocks(html, 'script');
    const [style] = inlineBlocks(html, 'style');
    const h = (s: string): string => createHash('sha256').update(s).digest('base64');
    expect(csp).toContain(`script-src 'sha256-${h(script!)}'`);
    expect(csp).toContain(`style-src 'sha256-${h(style!)}'`);
    // No style attributes: the CSP would block them.
    expect(html).not.toMatch(/\sstyle\s*=/);
  });

  it('embeds every connection once as a compact row that decodes back to the report', () => {
    const d = dataBlock(html);
    expect(d.rows).toHaveLength(r.connections.length);
    r.connections.forEach((c, i) => {
      const row = d.rows[i]!;
      expect(row[COL.id]).toBe(c.id);
      expect(d.ips[row[COL.clientIp] as number]).toBe(c.client.ip);
      expect(row[COL.serverPort]).toBe(c.server.port);
      expect(d.hk[row[COL.handshake] as number]).toBe(c.handshake.kind);
      expect(d.ck[row[COL.close] as number]).toBe(c.close.kind);
      expect((row[COL.start] as number) + d.t0).toBeCloseTo(c.start, 5);
      const t = d.str[row[COL.filter] as number]!;
      expect(expandFilterTemplate(t, c.client.ip, c.server.ip, c.client.port, c.server.port)).toBe(c.displayFilter);
      expect(d.evsets[row[COL.eventSet] as number]!.map((k) => d.ek[k]).sort()).toEqual([...new Set(c.events.map((e) => e.kind))].sort());
    });
    // Ladder segments only for the connections that have them.
    expect(d.ladders).toBe(2);
    const withSegs = d.rows.filter((row) => (row[COL.detail] as number) >= 0 && d.detail[row[COL.detail] as number]!.g !== null);
    expect(withSegs.map((row) => row[COL.id])).toEqual([1, 6]);
    expect(d.detail[d.rows[0]![COL.detail] as number]!.g).toHaveLength(11);
  });

  it('shows the summary, findings and the charts as inline SVG', () => {
    expect(html).toContain('RST burst');
    expect(html).toContain('data-ids="2,6"');
    expect((html.match(/<svg class="chart/g) ?? []).length).toBe(6);
    expect(html).toContain('data-filter="hk:0"'); // three_way bar filters the table
    expect(html).toContain('sample.pcap');
  });

  it('escapes everything that comes from the capture', () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const conns = [
      connection({
        id: 1,
        segments: ladderSegments(1_700_000_000, 1),
        detail: `</script><script>window.__pwned=1</script>`,
        events: [{ kind: 'rst', frame: 3, time: 1_700_000_000.1, by: 'server', detail: `\u2028</script><!--${evil}` }],
      }),
    ];
    const evilReport = report(conns, [
      capture(`${evil}.pcapng`, conns, {
        comments: ['</script><script>window.__pwned=1</script>'],
        interfaces: [{ name: `eth0<svg onload="window.__pwned=1">`, description: '"quoted" & <b>bold</b>', linkType: 1 }],
        warnings: [{ file: evil, frame: 1, offset: 0, message: '<script>alert(1)</script>' }],
      }),
    ]);
    const out = renderHtml(evilReport, {
      findings: [{ kind: 'rst_burst', severity: 'error', title: evil, explanation: evil, count: 1, top: [{ endpoint: evil, count: 1 }], connections: [1] }],
      title: `<script>window.__pwned=1</script>`,
    });
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<svg onload');
    expect(out).not.toContain('<script>window.__pwned');
    expect(out).not.toContain('<b>bold</b>');
    expect(out).toContain('&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(out).toContain('eth0&lt;svg onload=&quot;window.__pwned=1&quot;&gt;');
    expect((out.match(/<script\b/g) ?? []).length).toBe(2);
    expect((out.match(/<\/script>/g) ?? []).length).toBe(2);
    const d = dataBlock(out);
    expect(d.str).toContain(`\u2028</script><!--${evil}`);
    const raw = /<script type="application\/json" id="tcpshake-data">([\s\S]*?)<\/script>/.exec(out)![1]!;
    expect(raw).not.toMatch(/[<>&\u2028\u2029]/);
  });

  it('is deterministic', () => {
    expect(renderHtml(r)).toBe(renderHtml(r));
  });

  it('renders an empty report', () => {
    const out = renderHtml(report([]));
    expect(dataBlock(out).rows).toEqual([]);
    expect(out).toContain('No findings');
  });
});

describe('charts', () => {
  it('bars leave out zero counts and carry their table filter', () => {
    const svg = barChart('t', [
      { label: 'a', value: 3, colour: '#000', filter: 'hk:0' },
      { label: 'b', value: 0, colour: '#000', filter: 'hk:1' },
    ]);
    expect(svg).toContain('data-filter="hk:0"');
    expect(svg).not.toContain('data-filter="hk:1"');
  });
  it('binTimes puts every time in a bin, clamping the edges', () => {
    expect(binTimes([0, 0.5, 1, 9.99, 10, 11, -1], 10, 10)).toEqual([3, 1, 0, 0, 0, 0, 0, 0, 0, 3]);
  });
  it('histogram uses a log scale for values across decades', () => {
    expect(histogram('h', [0.0001, 0.001, 0.1], '#000')).toContain('log scale');
    expect(histogram('h', [0.010, 0.012, 0.011], '#000')).toContain('linear scale');
    expect(histogram('h', [], '#000')).toContain('no completed');
  });
  it('formats durations', () => {
    expect(fmtDuration(0.0000123)).toBe('12.3 µs');
    expect(fmtDuration(0.0123)).toBe('12.3 ms');
    expect(fmtDuration(12.3)).toBe('12.3 s');
    expect(fmtDuration(600)).toBe('10 min');
  });
});

describe('ladder selection for big captures', () => {
  it('picks connections named in findings first, then anomalous ones, beyond the first N', () => {
    const conns = [
      connection({ id: 1, close: 'reset' }),
      connection({ id: 2 }),
      connection({ id: 3, close: 'reset' }),
      connection({ id: 4, close: 'open' }),
      connection({ id: 5, handshake: 'refused', close: 'not_established' }),
      connection({ id: 6, close: 'three_way' }),
      connection({ id: 7, close: 'reset' }),
    ];
    for (const c of conns) c.close.finalAckLost = false;
    const r = report(conns);
    expect(conns.map(isAnomalous)).toEqual([true, false, true, false, true, false, true]);
    expect(anomalousLadderIds(r, 2, [7])).toEqual([7, 3]);
    expect(anomalousLadderIds(r, 3, [])).toEqual([5, 7]);
  });
});

describe('size for 100,000 connections', () => {
  it('stays well under 30 MB with 1,000 ladders', () => {
    const big = bigReport(100_000, 1000);
    const out = renderHtml(big);
    const bytes = Buffer.byteLength(out);
    expect(bytes).toBeLessThan(30 * 1024 * 1024);
    expect(dataBlock(out).rows).toHaveLength(100_000);
  });
});

describe('ladder states in the data block', () => {
  it('a segment that takes a side through several states carries them all, in order', () => {
    // A three-way close: without the server's separate ACK, its FIN+ACK acknowledges the client's FIN
    // (client FIN_WAIT_1 → FIN_WAIT_2) and carries the server's own (→ TIME_WAIT).
    const segs = ladderSegments(1_700_000_000, 1);
    segs.splice(7, 1);
    const fin = segs[7]!;
    const c = connection({ id: 1, segments: segs });
    c.states.client.push(
      { state: 'FIN_WAIT_1', frame: segs[6]!.frame, time: segs[6]!.time, how: 'observed' },
      { state: 'FIN_WAIT_2', frame: fin.frame, time: fin.time, how: 'inferred' },
      { state: 'TIME_WAIT', frame: fin.frame, time: fin.time, how: 'inferred' },
    );
    const d = buildPayload(report([c]), { detailFor: () => true });
    const g = d.detail[0]!.g!;
    const st = (name: string): number => d.st.indexOf(name);
    expect(fin.flags).toBe('FIN, ACK');
    expect(g[7]![9]).toEqual([st('FIN_WAIT_2'), st('TIME_WAIT')]);
    expect(g[7]![10]).toBe(st('LAST_ACK'));
    expect(g[6]![9]).toBe(st('FIN_WAIT_1'));
    expect(g[3]![9]).toBe(-1);
  });
});
