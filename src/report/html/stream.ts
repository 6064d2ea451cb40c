/**
 * The HTML report gathered connection by connection, as a run reports them, keeping what the page
 * shows and not the connections: the charts' few numbers a connection (ChartData), a table row
 * (a compact array) for each connection the table lists, and for the rest counts by server.
 *
 * The page stays a document a browser opens, whatever the capture's size: up to
 * {@link HTML_TABLE_ALL_MAX} connections every one has a row; past that the table lists the notable
 * ones (see report/notable.ts) and those with a ladder, at most {@link HTML_TABLE_ROWS_MAX} rows, and
 * the clean closes (and any notable ones past that bound) are summarised by server, handshake and
 * close in a table of their own — with a note saying what was left out. Summary counts, findings
 * and charts always cover every connection.
 */
import type { ConnectionReport, Finding, Report } from '../../model/report.js';
import { CLOSE_KINDS, HANDSHAKE_KINDS, type Who } from '../../model/vocabulary.js';
import { compareCaptureOrder } from '../../pipeline/capture-order.js';
import { endpointText } from '../../model/endpoint.js';
import { isNotable } from '../notable.js';
import { fmtDuration } from './charts.js';
import { COL, PayloadBuilder, type Row } from './data.js';
import { escapeHtml } from './escape.js';
import { ChartData, renderHtmlPage, type HtmlOptions } from './index.js';

/** Up to this many connections, the table lists every one. */
export const HTML_TABLE_ALL_MAX = 20_000;
/** Past HTML_TABLE_ALL_MAX, at most this many rows (about 130 bytes each in the page). */
export const HTML_TABLE_ROWS_MAX = 100_000;
/** Servers the summary of left-out connections names one by one; the rest share one line. */
export const HTML_SUMMARY_SERVERS_MAX = 1000;

export interface HtmlCollectorOptions {
  /** Events and state changes are embedded for the connections with ladders and the first this many rows (default 5000). */
  detailLimit?: number;
  tableAllMax?: number;
  rowsMax?: number;
}

/** Connections left out of the table, by server, handshake, close and who closed. */
interface Group {
  server: string;
  handshake: string;
  close: string;
  initiator: string;
  count: number;
  durationSum: number;
  durationMax: number;
  packets: number;
  bytes: number;
}

const WHO_TEXT = ['', 'client', 'server', 'both'] as const;

function whoText(w: Who | null): string {
  return w ?? '';
}

class LeftOut {
  readonly groups = new Map<string, Group>();
  count = 0;
  notable = 0;

  add(server: string, handshake: string, close: string, initiator: string, duration: number, packets: number, bytes: number, notable: boolean): void {
    this.count++;
    if (notable) this.notable++;
    let key = `${server}|${handshake}|${close}|${initiator}`;
    let g = this.groups.get(key);
    if (g === undefined) {
      // A bounded table: past so many servers, the others share a line.
      if (this.groups.size >= HTML_SUMMARY_SERVERS_MAX) {
        server = 'other servers';
        key = `*|${handshake}|${close}|${initiator}`;
        g = this.groups.get(key);
      }
      if (g === undefined) {
        g = { server, handshake, close, initiator, count: 0, durationSum: 0, durationMax: 0, packets: 0, bytes: 0 };
        this.groups.set(key, g);
      }
    }
    g.count++;
    g.durationSum += duration;
    if (duration > g.durationMax) g.durationMax = duration;
    g.packets += packets;
    g.bytes += bytes;
  }

  html(): string {
    if (this.count === 0) return '';
    const groups = [...this.groups.values()].sort((a, b) => b.count - a.count || (a.server < b.server ? -1 : a.server > b.server ? 1 : 0));
    const n = (x: number): string => x.toLocaleString('en-US');
    const human = (s: string): string => s.replace(/_/g, ' ');
    const rows = groups.map(
      (g) =>
        `<tr><td class="file">${escapeHtml(g.server)}</td><td>${escapeHtml(human(g.handshake))}</td>` +
        `<td>${escapeHtml(human(g.close) + (g.initiator ? ` by ${g.initiator}` : ''))}</td><td class="num">${n(g.count)}</td>` +
        `<td class="num">${escapeHtml(fmtDuration(g.durationSum / g.count) || '0')}</td><td class="num">${escapeHtml(fmtDuration(g.durationMax) || '0')}</td>` +
        `<td class="num">${n(g.packets)}</td><td class="num">${n(g.bytes)}</td></tr>`,
    );
    return (
      `<div class="card" id="left-out"><h3>${n(this.count)} connections not listed in the table, by server</h3>` +
      '<table class="captures"><thead><tr><th>Server</th><th>Handshake</th><th>Close</th><th class="num">Connections</th>' +
      '<th class="num">Mean duration</th><th class="num">Longest</th><th class="num">Packets</th><th class="num">Payload bytes</th></tr></thead><tbody>' +
      rows.join('') +
      '</tbody></table></div>'
    );
  }
}

export class HtmlReportCollector {
  private readonly builder = new PayloadBuilder();
  private readonly charts = new ChartData();
  private readonly leftOut = new LeftOut();
  private readonly detailLimit: number;
  private readonly tableAllMax: number;
  private readonly rowsMax: number;
  /** Ids of the rows that go once the table is past tableAllMax (clean, no ladder). */
  private clean: Set<number> | null = new Set<number>();
  private detailed = 0;
  private count = 0;

  constructor(options: HtmlCollectorOptions = {}) {
    this.detailLimit = options.detailLimit ?? 5000;
    this.tableAllMax = options.tableAllMax ?? HTML_TABLE_ALL_MAX;
    this.rowsMax = options.rowsMax ?? HTML_TABLE_ROWS_MAX;
  }

  /** Connections added. */
  get size(): number {
    return this.count;
  }

  add(c: ConnectionReport): void {
    this.count++;
    this.charts.add(c);
    const notable = isNotable(c);
    const ladder = c.segments !== undefined && c.segments.length > 0;
    const rowsFull = this.builder.rowCount >= this.rowsMax;
    if (!ladder && ((this.clean === null && !notable) || rowsFull)) {
      this.leftOut.add(
        endpointText(c.server.ip, c.server.port),
        c.handshake.kind,
        c.close.kind,
        whoText(c.close.initiator),
        c.duration,
        c.stats.client.packets + c.stats.server.packets,
        c.stats.client.bytes + c.stats.server.bytes,
        notable,
      );
      return;
    }
    const detail = this.detailed < this.detailLimit;
    if (detail || ladder) this.detailed++;
    this.builder.add(c, detail);
    if (this.clean !== null) {
      if (!notable && !ladder) this.clean.add(c.id);
      if (this.count > this.tableAllMax) this.dropCleanRows();
    }
  }

  /** Past tableAllMax: the clean rows already in the table go to the summary. */
  private dropCleanRows(): void {
    const clean = this.clean!;
    this.clean = null;
    const ips = this.builder.ipList();
    this.builder.dropRows((row) => {
      if (!clean.has(row[COL.id]!)) return false;
      this.leftOut.add(
        endpointText(ips[row[COL.serverIp]!]!, row[COL.serverPort]!),
        HANDSHAKE_KINDS[row[COL.handshake]!]!,
        CLOSE_KINDS[row[COL.close]!]!,
        WHO_TEXT[row[COL.initiator]! as 0 | 1 | 2 | 3],
        row[COL.duration]!,
        row[COL.packetsClient]! + row[COL.packetsServer]!,
        row[COL.bytesClient]! + row[COL.bytesServer]!,
        false,
      );
      return true;
    });
    this.detailed = this.builder.detailCount();
  }

  /**
   * The page, for a run whose captures and summary `head` holds (its connections all added), rows in
   * capture order.
   */
  render(head: Omit<Report, 'connections'>, options: HtmlOptions & { findings?: Finding[] } = {}): string {
    const multiFile = head.captures.length > 1;
    const key = (r: Row) => ({ id: r[COL.id]!, start: r[COL.start]!, firstFrame: r[COL.firstFrame]!, firstFile: r[COL.file]! });
    this.builder.sortRows((a, b) => compareCaptureOrder(key(a), key(b), multiFile));
    let t0 = Infinity;
    for (const cap of head.captures) if (cap.firstTime !== null && cap.firstTime < t0) t0 = cap.firstTime;
    for (const s of this.charts.starts) if (s < t0) t0 = s;
    if (!Number.isFinite(t0)) t0 = 0;
    const payload = this.builder.finish(t0, head.captures.length);
    const n = this.count;
    const listed = payload.rows.length;
    const fmt = (x: number): string => x.toLocaleString('en-US');
    const notes = [
      `${fmt(payload.ladders)} of ${fmt(n)} connections have a ladder diagram (click a row).`,
      options.ladderNote ?? '',
    ];
    if (listed < n) {
      const lo = this.leftOut;
      notes.push(
        `The table lists ${fmt(listed)} of the ${fmt(n)} connections: past ${fmt(this.tableAllMax)} connections, the notable ones ` +
          '(anything but a clean close, or with an anomaly event) and those with a ladder' +
          (lo.notable > 0 ? `, at most ${fmt(this.rowsMax)} rows` : '') +
          `. The other ${fmt(lo.count)}${lo.notable > 0 ? ` (${fmt(lo.notable)} of them notable)` : ' (clean closes)'} are counted in the ` +
          'summary, charts and findings and summarised by server below the table; tcpshake --format csv lists every one.',
      );
    }
    if (payload.detail.length < listed) {
      notes.push(`Per-event detail is embedded for ${fmt(payload.detail.length)} of them (those with ladders and the first ${fmt(this.detailLimit)}).`);
    }
    return renderHtmlPage({ head, connections: n, payload, t0, charts: this.charts, notes, afterTable: this.leftOut.html() }, options);
  }
}
