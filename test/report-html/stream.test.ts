/**
 * The HTML report gathered connection by connection (report/html/stream.ts): the same page as
 * renderHtml() while every connection has a row; past its bound, the table keeps the notable
 * connections and those with a ladder, and the rest are summarised by server with a note.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionReport } from '../../src/model/report.js';
import { COL, renderHtml, type Payload } from '../../src/report/html/index.js';
import { HtmlReportCollector } from '../../src/report/html/stream.js';
import { computeFindings } from '../../src/report/findings.js';
import { isNotable } from '../../src/report/notable.js';
import { conn, ev, report, seg } from '../report/fixtures.js';

function payloadOf(html: string): Payload {
  const m = /<script type="application\/json" id="tcpshake-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(m![1]!) as Payload;
}

/** `n` connections: every third reset by the server (notable), the first two with a ladder. */
function connections(n: number): ConnectionReport[] {
  return Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    const c = conn({ id, server: { ip: `10.0.1.${id % 4}`, port: 80 } });
    const withLadder = id <= 2 ? { segments: [seg(id * 10 + 1, 'client', 'S', 0, null)] } : {};
    return id % 3 === 0
      ? { ...c, ...withLadder, close: { ...c.close, kind: 'reset' as const, rstBy: 'server' as const }, events: [...c.events, ev('rst', id * 10 + 5, 'server')] }
      : { ...c, ...withLadder };
  });
}

/** Connections end in no particular order (`reversed`): the table is in capture order all the same. */
function collect(conns: readonly ConnectionReport[], options: ConstructorParameters<typeof HtmlReportCollector>[0] = {}, reversed = true): HtmlReportCollector {
  const collector = new HtmlReportCollector(options);
  for (const c of reversed ? [...conns].reverse() : conns) collector.add(c);
  return collector;
}

describe('HtmlReportCollector', () => {
  it('gives renderHtml()\'s page while every connection has a row', () => {
    const conns = connections(40);
    const r = report(conns);
    const findings = computeFindings(r);
    const { connections: _none, ...head } = r;
    // In the same order, the same bytes (strings are numbered as they come).
    expect(collect(conns, {}, false).render(head, { findings, ladderNote: 'Every connection has a ladder.' })).toBe(
      renderHtml(r, { findings, ladderNote: 'Every connection has a ladder.' }),
    );
    const reversed = payloadOf(collect(conns).render(head));
    expect(reversed.rows.map((row) => row[COL.id])).toEqual(conns.map((c) => c.id));
  });

  it('past its bound lists the notable connections and the ladders, and summarises the others by server', () => {
    const conns = connections(60);
    const r = report(conns);
    const { connections: _none, ...head } = r;
    const html = collect(conns, { tableAllMax: 25 }).render(head);
    const rows = payloadOf(html).rows;
    const expected = conns.filter((c) => isNotable(c) || c.id <= 2).map((c) => c.id);
    expect(rows.map((row) => row[COL.id])).toEqual(expected);
    // Rows point at their own detail blocks after the clean ones were dropped.
    for (const row of rows) if (row[COL.detail]! >= 0) expect(payloadOf(html).detail[row[COL.detail]!]).toBeDefined();
    expect(payloadOf(html).ladders).toBe(2);
    const left = 60 - expected.length;
    expect(html).toContain(`The table lists ${expected.length} of the 60 connections`);
    expect(html).toContain(`${left} connections not listed in the table, by server`);
    // Every left-out connection is counted once, under its server.
    const counts = [...html.matchAll(/<tr><td class="file">10\.0\.1\.\d:80<\/td><td>three way<\/td><td>four way by client<\/td><td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(left);
    // The summary still counts every connection.
    expect(html).toContain('<div class="v">60</div>');
  });

  it('holds at most rowsMax rows, counting the notable ones past it in the summary', () => {
    const conns = connections(90);
    const { connections: _none, ...head } = report(conns);
    const html = collect(conns, { tableAllMax: 10, rowsMax: 12 }).render(head);
    // rowsMax rows, and the two with a ladder (ladders have bounds of their own: --ladders).
    expect(payloadOf(html).rows.length).toBe(14);
    expect(html).toMatch(/The other 76 \(\d+ of them notable\)/);
  });
});
