/**
 * `renderHtml(report, options)`: one self-contained HTML page (no network requests; inline style
 * and script allowed by hash in a strict Content-Security-Policy) with the capture summary,
 * findings, small SVG charts, a connection table that filters, sorts and pages on the client, and
 * on-demand ladder diagrams. A pure function of its arguments.
 *
 * Safety: every string from the capture is escaped before it reaches markup (`escapeHtml`), the
 * data block is JSON with `<`, `>`, `&`, U+2028 and U+2029 escaped (`jsonForScript`), and the
 * client script builds DOM with `textContent`, never `innerHTML`.
 */
import { createHash } from 'node:crypto';
import { EVENT_CATALOGUE, EVENT_KINDS, type EventKind } from '../../model/events.js';
import type { CaptureReport, ConnectionReport, Finding, Report } from '../../model/report.js';
import { CLOSE_KINDS, HANDSHAKE_KINDS } from '../../model/vocabulary.js';
import { barChart, binTimes, fmtDuration, histogram, timeChart, type Bar } from './charts.js';
import { CLIENT_SCRIPT } from './client.js';
import { buildPayload, referenceTime, type Payload } from './data.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { STYLE } from './style.js';

export { escapeHtml, jsonForScript } from './escape.js';
export { COL, FLAG, buildPayload, expandFilterTemplate, filterTemplate, type Payload } from './data.js';

export interface HtmlOptions {
  /** Findings to show (e.g. from computeFindings); omitted or empty shows "no findings". */
  findings?: Finding[];
  /** Page title; default "tcpshake report". */
  title?: string;
  /**
   * Events and state changes are embedded for every connection with recorded segments and for
   * the first `detailLimit` others (default 5000), so that huge captures stay small.
   */
  detailLimit?: number;
  /** A sentence on how the caller chose the connections that have ladders (shown in the notes). */
  ladderNote?: string;
  /** Shown in the footer when given (kept out of the default so the output is reproducible). */
  generatedAt?: string;
}

const HK_COLOURS: Record<(typeof HANDSHAKE_KINDS)[number], string> = {
  three_way: '#2e9e6b',
  simultaneous_open: '#1f9aa8',
  refused: '#d64545',
  unanswered: '#d9822b',
  incomplete: '#e8b339',
  syn_ack_only: '#b8c2cc',
  not_captured: '#9aa5b1',
};
const CK_COLOURS: Record<(typeof CLOSE_KINDS)[number], string> = {
  four_way: '#2e9e6b',
  three_way: '#57b98a',
  simultaneous: '#1f9aa8',
  reset: '#d64545',
  half_closed: '#e8b339',
  open: '#3d7fd6',
  not_established: '#9aa5b1',
};
/** Close kinds after which the connection is over (plotted as "closed"). */
const ENDED = new Set<string>(['four_way', 'three_way', 'simultaneous', 'reset']);

function human(s: string): string {
  return s.replace(/_/g, ' ');
}

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "2023-11-14 22:13:20.123456 UTC" */
export function fmtClock(t: number | null): string {
  if (t === null || !Number.isFinite(t)) return '—';
  const d = new Date(Math.floor(t) * 1000);
  if (Number.isNaN(d.getTime())) return String(t);
  const us = Math.round((t - Math.floor(t)) * 1e6);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}.${String(Math.min(us, 999999)).padStart(6, '0')} UTC`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

function stat(label: string, value: string, sub?: string): string {
  return `<div class="stat"><div class="k">${escapeHtml(label)}</div><div class="v">${escapeHtml(value)}</div>${
    sub !== undefined ? `<div class="note">${escapeHtml(sub)}</div>` : ''
  }</div>`;
}

function captureRows(captures: CaptureReport[]): string {
  const rows = captures.map((c) => {
    const skipped = Object.entries(c.skipped)
      .filter(([, n]) => (n ?? 0) > 0)
      .map(([k, n]) => `${human(k)} ${fmtCount(n ?? 0)}`)
      .join(', ');
    return (
      `<tr><td class="file">${escapeHtml(c.file)}</td><td>${escapeHtml(c.format)}</td><td>${escapeHtml(c.linkTypes.join(', '))}</td>` +
      `<td class="num">${fmtCount(c.frames)}</td><td class="num">${fmtCount(c.tcpSegments)}</td><td>${escapeHtml(skipped || '—')}</td>` +
      `<td>${escapeHtml(fmtClock(c.firstTime))}</td><td>${escapeHtml(fmtClock(c.lastTime))}</td></tr>`
    );
  });
  return (
    '<table class="captures"><thead><tr><th>File</th><th>Format</th><th>Link types</th><th class="num">Frames</th>' +
    '<th class="num">TCP segments</th><th>Skipped</th><th>First packet</th><th>Last packet</th></tr></thead><tbody>' +
    rows.join('') +
    '</tbody></table>'
  );
}

function captureNotes(captures: CaptureReport[]): string {
  const out: string[] = [];
  for (const c of captures) {
    const warnings = [...c.warnings, ...(c.error ? [c.error] : [])];
    if (warnings.length > 0) {
      out.push(
        `<ul class="warnings">${warnings
          .slice(0, 50)
          .map((w) => `<li>${escapeHtml(`${w.file}: frame ${w.frame}, byte offset ${w.offset}: ${w.message}`)}</li>`)
          .join('')}${warnings.length > 50 ? `<li>… and ${fmtCount(warnings.length - 50)} more</li>` : ''}</ul>`,
      );
    }
    const comments = c.comments ?? [];
    const ifaces = (c.interfaces ?? []).filter((i) => i.name !== undefined || i.description !== undefined);
    if (comments.length > 0) {
      out.push(
        `<div class="note pcapng">Comments in ${escapeHtml(c.file)}: ${comments
          .map((t) => `<span class="pcapng-text comment">${escapeHtml(t)}</span>`)
          .join(' ')}</div>`,
      );
    }
    if (ifaces.length > 0) {
      out.push(
        `<div class="note pcapng">Interfaces in ${escapeHtml(c.file)}: ${ifaces
          .map(
            (i) =>
              `<span class="pcapng-text iface">${escapeHtml([i.name, i.description].filter((x) => x !== undefined).join(' — '))}</span>`,
          )
          .join(' ')}</div>`,
      );
    }
  }
  return out.join('');
}

function findingsHtml(findings: Finding[]): string {
  if (findings.length === 0) return '<p class="note">No findings: nothing in these captures matched a known trouble pattern.</p>';
  return `<div class="findings">${findings
    .map((f) => {
      const top = f.top
        .slice(0, 5)
        .map((t) => `${t.endpoint} (${fmtCount(t.count)})`)
        .join(', ');
      const ids = f.connections.filter((n) => Number.isInteger(n)).join(',');
      const show =
        f.connections.length > 0
          ? ` <button type="button" data-ids="${escapeHtml(ids)}" data-label="${escapeHtml(f.title)}">Show ${fmtCount(f.connections.length)} connection${
              f.connections.length === 1 ? '' : 's'
            }</button>`
          : '';
      return (
        `<div class="finding ${f.severity}"><div class="t"><span class="sev ${f.severity}">${escapeHtml(f.severity)}</span>${escapeHtml(f.title)}</div>` +
        `<div class="x">${escapeHtml(f.explanation)}</div>` +
        `<div class="top">${escapeHtml(`${fmtCount(f.count)} · ${top ? `most involved: ${top}` : ''}`)}${show}</div></div>`
      );
    })
    .join('')}</div>`;
}

/**
 * The event chart leaves out the ordinary (routine milestones; keep-alives, half-closes and the like,
 * which most captures show) so what is worth a look stands out.
 */
function inEventChart(kind: EventKind): boolean {
  const severity = EVENT_CATALOGUE[kind].severity;
  return severity === 'notice' || severity === 'warning';
}

/**
 * What the charts plot, gathered connection by connection (absolute times): a few numbers a
 * connection, whatever else of it is kept.
 */
export class ChartData {
  /** Per connection: its start, its duration, and whether it ended (plotted as closed). */
  readonly starts: number[] = [];
  readonly durations: number[] = [];
  readonly ended: boolean[] = [];
  readonly rsts: number[] = [];
  readonly rtts: number[] = [];

  add(c: ConnectionReport): void {
    this.starts.push(c.start);
    this.durations.push(c.duration);
    this.ended.push(ENDED.has(c.close.kind));
    for (const e of c.events) if (e.kind === 'rst') this.rsts.push(e.time);
    if (c.handshake.rtt.synToSynAck !== null) this.rtts.push(c.handshake.rtt.synToSynAck);
  }
}

function chartsHtml(report: Pick<Report, 'summary' | 'captures'>, t0: number, data: ChartData): string {
  const s = report.summary;
  const hk: Bar[] = HANDSHAKE_KINDS.map((k, i) => ({ label: human(k), value: s.handshake[k] ?? 0, colour: HK_COLOURS[k], filter: `hk:${i}` }));
  const ck: Bar[] = CLOSE_KINDS.map((k, i) => ({ label: human(k), value: s.close[k] ?? 0, colour: CK_COLOURS[k], filter: `ck:${i}` }));
  const ev: Bar[] = EVENT_KINDS.map((k, i) => ({ label: human(k), value: s.events[k] ?? 0, colour: '#d9822b', filter: `ev:${i}` }))
    .filter((b, i) => inEventChart(EVENT_KINDS[i]!) && b.value > 0)
    .sort((a, b) => b.value - a.value)
    .slice(0, 12);

  let span = 0;
  for (const c of report.captures) if (c.lastTime !== null) span = Math.max(span, c.lastTime - t0);
  const opened: number[] = [];
  const closed: number[] = [];
  for (let i = 0; i < data.starts.length; i++) {
    const st = data.starts[i]! - t0;
    const end = st + data.durations[i]!;
    if (end > span) span = end;
    opened.push(st);
    if (data.ended[i]) closed.push(end);
  }
  const rsts = data.rsts.map((t) => t - t0);
  const rtts = data.rtts;
  const nBins = 60;
  const cards = [
    `<div class="card"><h3>How connections opened</h3>${barChart('Handshake kinds', hk)}</div>`,
    `<div class="card"><h3>How connections ended</h3>${barChart('Close kinds', ck)}</div>`,
    `<div class="card"><h3>Opened and closed over time</h3>${timeChart('Connections opened and closed over time', span, [
      { label: 'opened', colour: '#3d7fd6', bins: binTimes(opened, span, nBins) },
      { label: 'closed', colour: '#9aa5b1', bins: binTimes(closed, span, nBins), down: true },
    ])}</div>`,
    `<div class="card"><h3>Handshake RTT (SYN → SYN-ACK)</h3>${histogram('Handshake RTT distribution', rtts, '#7b4fd6')}</div>`,
    `<div class="card"><h3>RSTs over time</h3>${timeChart('RST segments over time', span, [{ label: 'RST', colour: '#d64545', bins: binTimes(rsts, span, nBins) }], 'no RSTs')}</div>`,
    `<div class="card"><h3>Notable events</h3>${barChart('Notable events', ev)}</div>`,
  ];
  return `<div class="charts">${cards.join('')}</div>`;
}

export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const detailLimit = options.detailLimit ?? 5000;
  const payload = buildPayload(report, { detailFor: (i) => i < detailLimit });
  const charts = new ChartData();
  for (const c of report.connections) charts.add(c);
  const n = report.connections.length;
  const withDetail = payload.detail.length;
  const notes = [
    `${fmtCount(payload.ladders)} of ${fmtCount(n)} connections have a ladder diagram (click a row).`,
    options.ladderNote ?? '',
    withDetail < n ? `Per-event detail is embedded for ${fmtCount(withDetail)} connections (those with ladders and the first ${fmtCount(detailLimit)}).` : '',
  ];
  return renderHtmlPage({ head: report, connections: n, payload, t0: referenceTime(report), charts, notes }, options);
}

/** What a page is made of once the connections were gathered (see renderHtml and html/stream.ts). */
export interface HtmlPageParts {
  /** The run: captures and summary (the connections are in `payload`). */
  head: Omit<Report, 'connections'>;
  /** Connections in the run (shown), whether or not each has a row in the table. */
  connections: number;
  payload: Payload;
  t0: number;
  charts: ChartData;
  /** Sentences for the notes under the capture table. */
  notes: string[];
  /** Markup placed right after the connection table (trusted: built with escapeHtml). */
  afterTable?: string;
}

export function renderHtmlPage(parts: HtmlPageParts, options: HtmlOptions = {}): string {
  const { head: report, payload, t0 } = parts;
  const title = options.title ?? 'tcpshake report';
  const data = jsonForScript(payload);
  const style = STYLE;
  const script = CLIENT_SCRIPT;
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${sha256(script)}'`,
    `style-src 'sha256-${sha256(style)}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  const n = parts.connections;
  let first: number | null = null;
  let last: number | null = null;
  let frames = 0;
  let segments = 0;
  for (const c of report.captures) {
    frames += c.frames;
    segments += c.tcpSegments;
    if (c.firstTime !== null && (first === null || c.firstTime < first)) first = c.firstTime;
    if (c.lastTime !== null && (last === null || c.lastTime > last)) last = c.lastTime;
  }
  const files = report.captures.map((c) => c.file);
  // The header names files by their last path component; the capture table has the full paths.
  const names = files.map((f) => f.split(/[\\/]/).pop() || f);
  const fileLine = names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
  const notes = parts.notes.filter((x) => x !== '').join(' ');

  const kindOpts = '<select id="f-hk" data-key="hk" aria-label="Handshake kind"></select><select id="f-ck" data-key="ck" aria-label="Close kind"></select><select id="f-ev" data-key="ev" aria-label="Event"></select>';

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tcpshake">
<title>${escapeHtml(`${title} — ${fileLine}`)}</title>
<style>${style}</style>
</head>
<body>
<header class="top"><h1><span class="brand">tcpshake</span> · ${escapeHtml(title === 'tcpshake report' ? 'connection report' : title)}</h1><div class="files">${escapeHtml(fileLine)}</div></header>
<main>
<noscript>The connection table and ladder diagrams need JavaScript; the summary, findings and charts do not.</noscript>
<section id="summary"><h2>Capture</h2>
<div class="stats">${[
    stat('Connections', fmtCount(n)),
    stat('Frames', fmtCount(frames), `${fmtCount(segments)} TCP segments`),
    stat('Time span', first !== null && last !== null ? fmtDuration(last - first) || '0' : '—', first !== null ? `from ${fmtClock(first)}` : undefined),
    stat(files.length === 1 ? 'Capture file' : 'Capture files', fmtCount(files.length), [...new Set(report.captures.map((c) => c.format))].join(', ')),
    stat('Ladders', fmtCount(payload.ladders), 'connections with segments recorded'),
  ].join('')}</div>
<div class="card">${
    report.captures.length <= 6
      ? captureRows(report.captures)
      : `<details><summary>${fmtCount(report.captures.length)} capture files</summary>${captureRows(report.captures)}</details>`
  }${captureNotes(report.captures)}<p class="note">${escapeHtml(notes)}</p></div>
</section>
<section id="findings"><h2>Findings</h2>${findingsHtml(options.findings ?? [])}</section>
<section id="charts"><h2>Overview</h2>${chartsHtml(report, t0, parts.charts)}</section>
<section id="connections"><h2>Connections</h2>
<div class="controls"><input type="search" id="f-text" placeholder="Filter by address or port (10.0.0.1, :443, #42)…" aria-label="Filter by endpoint" autocomplete="off">${kindOpts}<span class="chip" id="ids-chip" hidden><span id="ids-label"></span><button type="button" id="ids-clear" aria-label="Clear">×</button></span><button type="button" id="f-reset">Reset</button><span class="count" id="conn-count"></span></div>
<div class="tablewrap"><table class="conns"><thead><tr id="conn-head"></tr></thead><tbody id="conn-body"></tbody></table></div>
<div class="pager"><span class="where" id="page-where"></span><button type="button" id="page-first">«</button><button type="button" id="page-prev">‹ Prev</button><button type="button" id="page-next">Next ›</button><button type="button" id="page-last">»</button></div>
<div id="detail" class="card" hidden></div>
${parts.afterTable ?? ''}</section>
<footer>Generated by tcpshake${options.generatedAt !== undefined ? ` on ${escapeHtml(options.generatedAt)}` : ''} · schema ${report.schemaVersion} · frame numbers are Wireshark's frame.number</footer>
</main>
<script type="application/json" id="tcpshake-data">${data}</script>
<script>${script}</script>
</body>
</html>
`;
}
