/**
 * The HTML report of the project's samples (or, until they exist, a few corpus captures) in a real
 * chromium: opens from file:// with no console errors and no network requests, the table filters,
 * a ladder renders for a chosen connection, and the page is not blank.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import { main } from '../../src/cli/main.js';
import type { ConnectionReport, Report } from '../../src/model/report.js';
import { HANDSHAKE_KINDS } from '../../src/model/vocabulary.js';
import { computeFindings } from '../../src/report/findings.js';
import { segmentStates } from '../../src/report/ladder-rows.js';
import { DEFAULT_MAX_SEGMENTS } from '../../src/cli/report.js';
import { colourStats, haveChromium, memoryIO, reportInChromium, shownCount } from './helpers.js';

const SAMPLES = resolve('samples');
const CORPUS = resolve('../shared/corpus');
const CORPUS_PICK = [
  'zeek/wikipedia.pcap',
  'zeek/http__get.pcap',
  'zeek/tcp__syn-then-rst.pcap',
  'zeek/tcp__retransmit-fast009.pcap',
  'zeek/tcp__single-rst.pcap',
  'tcpdump/tcp_rst_data.pcap',
  'zeek/ftp__ipv6.pcap',
];

function inputs(): string[] {
  if (existsSync(SAMPLES)) {
    const s = readdirSync(SAMPLES)
      .filter((f) => /\.pcap(ng)?(\.gz)?$/.test(f))
      .sort()
      .map((f) => relative(process.cwd(), join(SAMPLES, f)));
    if (s.length > 0) return s;
  }
  return CORPUS_PICK.map((f) => join(CORPUS, f)).filter((f) => existsSync(f));
}

function ep(ip: string, port: number): string {
  return `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

const files = inputs();

describe.skipIf(!haveChromium || files.length === 0)('report of the sample captures in chromium', () => {
  let report: Report;
  const opened = reportInChromium('tcpshake-report-', async (dir) => {
    const out = join(dir, 'report.html');
    const io = memoryIO();
    const code = await main(['report', ...files, '-o', out], io);
    expect(io.stderr).toContain('wrote');
    expect([0, 3]).toContain(code);
    // What the page should show: the same analysis, with the ladders the CLI records.
    report = await analyze(files, { recordSegments: true, maxRecordedSegments: DEFAULT_MAX_SEGMENTS });
    return out;
  });

  it('opens from file:// without console errors or network requests', async () => {
    expect(opened.w.problems).toEqual([]);
    expect(opened.w.network).toEqual([]);
    expect(await shownCount(opened.w.page)).toBe(report.connections.length);
    const rows = await opened.w.page.locator('#conn-body tr[data-row]').count();
    expect(rows).toBe(Math.min(100, report.connections.length));
    expect(await opened.w.page.locator('svg.chart').count()).toBe(6);
  });

  it('filters the table by endpoint text and by kind', async () => {
    const page = opened.w.page;
    // The busiest server endpoint: typing it keeps exactly its connections.
    const counts = new Map<string, number>();
    for (const c of report.connections) counts.set(ep(c.server.ip, c.server.port), (counts.get(ep(c.server.ip, c.server.port)) ?? 0) + 1);
    const [term] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const expected = report.connections.filter((c) => `${ep(c.client.ip, c.client.port)} ${ep(c.server.ip, c.server.port)}`.toLowerCase().includes(term.toLowerCase())).length;
    await page.fill('#f-text', term);
    await expect.poll(() => shownCount(page)).toBe(expected);
    expect(await page.locator('#conn-body tr[data-row]').count()).toBe(Math.min(100, expected));
    // No connection has this endpoint.
    await page.fill('#f-text', '203.0.113.254:1');
    await expect.poll(() => shownCount(page)).toBe(0);
    await page.fill('#f-text', '');
    await expect.poll(() => shownCount(page)).toBe(report.connections.length);
    // By close kind, then by event kind.
    const kind = report.connections[0]!.close.kind;
    await page.selectOption('#f-ck', { label: kind.replace(/_/g, ' ') });
    await expect.poll(() => shownCount(page)).toBe(report.connections.filter((c) => c.close.kind === kind).length);
    await page.selectOption('#f-ck', '-1');
    const ev = report.connections[0]!.events[0]?.kind;
    if (ev) {
      await page.selectOption('#f-ev', { label: ev.replace(/_/g, ' ') });
      await expect.poll(() => shownCount(page)).toBe(report.connections.filter((c) => c.events.some((e) => e.kind === ev)).length);
    }
    await page.click('#f-reset');
    await expect.poll(() => shownCount(page)).toBe(report.connections.length);
    // Clicking a bar of the handshake chart filters by that kind.
    const hk = report.connections[0]!.handshake.kind;
    await page.click(`svg.chart g[data-filter="hk:${HANDSHAKE_KINDS.indexOf(hk)}"]`);
    await expect.poll(() => shownCount(page)).toBe(report.connections.filter((c) => c.handshake.kind === hk).length);
    await page.click('#f-reset');
    // A finding's button shows its connections.
    const findings = computeFindings(report);
    if (findings.length > 0) {
      await page.click('#findings button[data-ids] >> nth=0');
      await expect.poll(() => shownCount(page)).toBe(new Set(findings[0]!.connections).size);
      expect(await page.isVisible('#ids-chip')).toBe(true);
      await page.click('#ids-clear');
      await expect.poll(() => shownCount(page)).toBe(report.connections.length);
    }
    expect(opened.w.problems).toEqual([]);
  });

  it('draws the ladder of a chosen connection with one arrow per segment', async () => {
    const page = opened.w.page;
    const chosen: ConnectionReport = [...report.connections].sort((a, b) => (b.segments?.length ?? 0) - (a.segments?.length ?? 0))[0]!;
    const n = chosen.segments?.length ?? 0;
    expect(n).toBeGreaterThan(0);
    await page.fill('#f-text', `#${chosen.id}`);
    await expect.poll(() => shownCount(page)).toBe(1);
    await page.click('#conn-body tr[data-row]');
    await page.waitForSelector('svg.ladder');
    expect(await page.locator('svg.ladder g.seg').count()).toBe(n);
    // One pill per state entered, several on a segment that passes through more than one.
    const states = segmentStates(chosen).reduce((n, s) => n + s.client.length + s.server.length, 0);
    expect(await page.locator('svg.ladder g.state:not(.initial)').count()).toBe(states);
    expect(await page.textContent('#display-filter')).toBe(chosen.displayFilter);
    await page.click('#copy-filter');
    await expect.poll(() => page.textContent('#detail .copied')).toMatch(/Copied|by hand/);
    expect(opened.w.problems).toEqual([]);
  });

  it('renders a page that is not blank', async () => {
    const page = opened.w.page;
    // Show a connection that tells a story: a whole handshake and close, a few states changing.
    const score = (c: ConnectionReport): number => {
      const n = c.segments?.length ?? 0;
      if (n < 5 || n > 14) return -1;
      // One capture point: the same connection seen from both ends in two files is not a story.
      if (new Set([...c.segments!.map((g) => g.file ?? 0), ...c.events.map((e) => e.file ?? 0)]).size > 1) return -1;
      const clean = c.handshake.kind === 'three_way' ? 2 : 0;
      const ended = ['four_way', 'three_way', 'simultaneous', 'reset'].includes(c.close.kind) ? 2 : 0;
      const marks = c.segments!.some((g) => g.marks.length > 0) ? 1 : 0;
      return clean + ended + marks + (c.close.finalAckLost ? 1 : 0);
    };
    const showcase = [...report.connections].sort((a, b) => score(b) - score(a) || a.id - b.id)[0]!;
    await page.click('#f-reset');
    await expect.poll(() => shownCount(page)).toBe(report.connections.length);
    await page.fill('#f-text', `#${showcase.id}`);
    await expect.poll(() => shownCount(page)).toBe(1);
    await page.click('#conn-body tr[data-row]');
    await page.waitForSelector('svg.ladder');
    await page.click('#f-reset');
    await expect.poll(() => shownCount(page)).toBe(report.connections.length);
    const shot = await page.screenshot({ fullPage: true });
    const stats = colourStats(shot);
    // A blank page is one colour; the report has text, charts and coloured bars.
    expect(stats.distinct).toBeGreaterThan(200);
    expect(stats.dominantShare).toBeLessThan(0.9);
    // A blank page of the same size, for contrast: the check must be able to fail.
    const blank = await opened.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await blank.setContent('<html><body></body></html>');
    const blankStats = colourStats(await blank.screenshot());
    expect(blankStats.distinct).toBeLessThan(5);
    await blank.close();
    if (process.env['TCPSHAKE_UPDATE_SCREENSHOT'] === '1') writeFileSync(resolve('docs/report-screenshot.png'), shot);
  });
});
