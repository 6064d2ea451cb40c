/**
 * The default text report: a header per run, the kinds of handshakes and closes, one line per
 * connection in order of first frame, then the findings. Pure: colour is a parameter.
 */
import { EVENT_CATALOGUE, EVENT_KINDS, type EventKind } from '../model/events.js';
import type { CaptureReport, ConnectionReport, Finding, Report } from '../model/report.js';
import { CLOSE_KINDS, HANDSHAKE_KINDS, type HandshakeKind } from '../model/vocabulary.js';
import { endpointText } from '../model/endpoint.js';
import { assertNever } from '../util/assert.js';
import {
  countsText,
  formatDuration,
  formatTimestamp,
  padEnd,
  palette,
  type Palette,
} from './style.js';

export interface TextOptions {
  color: boolean;
  findings?: Finding[];
  /** Per-connection detail lines (display filter, close detail, state changes, events). */
  details?: boolean;
  /** Connections in the capture before filtering, when a filter was applied. */
  totalConnections?: number;
  /** Wrap width for explanations. */
  width?: number;
}

function captureLine(c: CaptureReport, p: Palette): string {
  const skipped = Object.entries(c.skipped)
    .filter(([, n]) => n)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const span =
    c.firstTime !== null && c.lastTime !== null
      ? `, ${formatTimestamp(c.firstTime)} + ${formatDuration(c.lastTime - c.firstTime)}`
      : '';
  const link = c.linkTypes.length ? c.linkTypes.join('+') : 'no link type';
  let line = `  ${p.bold(c.file)}: ${c.format}, ${link}, ${c.frames} frames, ${c.tcpSegments} TCP segments${span}`;
  if (skipped) line += `\n    skipped: ${skipped}`;
  // Said once per capture and host: the capture was taken on a sender whose NIC fills in checksums.
  for (const o of c.checksumOffload ?? []) {
    line += `\n    checksum offload on ${o.host}: ${o.segments} segment${o.segments === 1 ? '' : 's'} (checksum left to the NIC; not counted as bad)`;
  }
  if (c.error) line += `\n    ${p.red(`read stopped at frame ${c.error.frame} (byte offset ${c.error.offset}): ${c.error.message}`)}`;
  if (c.warnings.length) line += `\n    ${p.yellow(`${c.warnings.length} warning${c.warnings.length === 1 ? '' : 's'} (see stderr)`)}`;
  return line;
}

export function closeText(c: ConnectionReport): string {
  const k = c.close.kind;
  let s: string;
  switch (k) {
    case 'four_way':
    case 'three_way':
    case 'half_closed':
      s = c.close.initiator ? `${k} by ${c.close.initiator}` : k;
      break;
    case 'simultaneous':
      s = 'simultaneous';
      break;
    case 'reset':
      s = c.close.rstBy ? `reset by ${c.close.rstBy}` : 'reset';
      if (c.close.initiator && c.close.initiator !== c.close.rstBy && c.events.some((e) => e.kind === 'fin')) {
        s += ` after ${c.close.initiator} FIN`;
      }
      break;
    case 'open':
    case 'not_established':
      s = k;
      break;
    default:
      return assertNever(k, 'close kind');
  }
  if (c.close.finalAckLost) s += ', final ACK lost';
  return s;
}

/** Non-routine events with counts, e.g. `syn_retransmit×2 rst(server)`. */
export function notableEvents(c: ConnectionReport): string {
  const counts = new Map<string, number>();
  for (const e of c.events) {
    if (EVENT_CATALOGUE[e.kind].severity === 'routine') continue;
    // Who sent a RST is the question people ask first.
    const key = e.kind === 'rst' && e.by ? `rst(${e.by})` : e.kind;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = [...counts.entries()].map(([k, n]) => (n > 1 ? `${k}×${n}` : k));
  if (c.idleExpired) parts.push('idle_expired');
  return parts.join(' ');
}

function paintHandshake(kind: HandshakeKind, p: Palette): (s: string) => string {
  switch (kind) {
    case 'three_way':
    case 'simultaneous_open':
      return p.green;
    case 'refused':
    case 'unanswered':
      return p.red;
    case 'incomplete':
      return p.yellow;
    case 'syn_ack_only':
    case 'not_captured':
      return p.dim;
    default:
      return assertNever(kind, 'handshake kind');
  }
}

type CloseColour = 'red' | 'yellow' | 'dim' | 'green';

function closeColour(c: ConnectionReport): CloseColour {
  if (c.close.kind === 'reset') return 'red';
  if (c.close.finalAckLost || c.close.kind === 'half_closed') return 'yellow';
  if (c.close.kind === 'open' || c.close.kind === 'not_established') return 'dim';
  return 'green';
}

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent.length + line.length + 1 + w.length > width) {
      lines.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

export function renderFindings(findings: readonly Finding[], color: boolean, width = 100): string {
  const p = palette(color);
  if (findings.length === 0) return `${p.bold('findings')}: none\n`;
  let out = `${p.bold('findings')}:\n`;
  for (const f of findings) {
    const mark = f.severity === 'error' ? p.red('✖') : f.severity === 'warning' ? p.yellow('!') : p.blue('i');
    out += `  ${mark} ${p.bold(f.title)} [${f.kind}]\n`;
    out += wrap(f.explanation, width, '    ') + '\n';
    if (f.top.length) out += `    top: ${f.top.map((t) => `${t.endpoint} (${t.count})`).join(', ')}\n`;
    if (f.connections.length) {
      const more = f.count > f.connections.length && f.kind !== 'time_wait_pileup' ? ', …' : '';
      out += `    connections: ${f.connections.join(', ')}${more}\n`;
    }
  }
  return out;
}

/** Milliseconds with three decimals (µs resolution), for RTTs. */
function ms(x: number): string {
  return `${(x * 1000).toFixed(3)} ms`;
}

/** Bytes per second, in the unit that keeps three significant figures or so. */
export function formatRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1e9) return `${(bytesPerSecond / 1e9).toFixed(2)} GB/s`;
  if (bytesPerSecond >= 1e6) return `${(bytesPerSecond / 1e6).toFixed(2)} MB/s`;
  if (bytesPerSecond >= 1e3) return `${(bytesPerSecond / 1e3).toFixed(2)} kB/s`;
  return `${bytesPerSecond.toFixed(0)} B/s`;
}

/** What one side sent and how it fared (DirectionStats), as detail lines. */
function transferLines(c: ConnectionReport, side: 'client' | 'server', ind: string, p: Palette): string {
  const s = c.stats[side];
  let sent = `${s.packets} packets (${s.wireBytes} bytes on the wire), ${s.bytes} payload bytes, ${s.retransmits} retransmissions (${s.retransmittedBytes} bytes)`;
  if (s.outOfOrder > 0) sent += `, ${s.outOfOrder} out of order`;
  if (s.dupAcks > 0) sent += `, ${s.dupAcks} duplicate ACKs`;
  if (s.zeroWindowProbes > 0) sent += `, ${s.zeroWindowProbes} zero-window probes`;
  if (s.throughput !== null) sent += `, ${formatRate(s.throughput)}`;
  let out = `${ind}${p.dim(`${side} sent:`)} ${sent}\n`;
  if (s.rtt !== null) {
    out += `${ind}${p.dim(`${side} data rtt:`)} ${s.rtt.samples} sample${s.rtt.samples === 1 ? '' : 's'}, min ${ms(s.rtt.min)}, median ${ms(s.rtt.median)}, max ${ms(s.rtt.max)}\n`;
  }
  const z = s.zeroWindow;
  if (z.episodes > 0) {
    out += `${ind}${p.dim(`${side} zero window:`)} ${z.episodes} time${z.episodes === 1 ? '' : 's'}, shut ${z.seconds} s in all${z.shutAtEnd ? ', still shut at the end' : ''}\n`;
  }
  return out;
}

/** `files`: the capture files of the run (named when there are several: frame numbers are per file). */
function detailLines(c: ConnectionReport, p: Palette, files: readonly string[]): string {
  const ind = '      ';
  let out = `${ind}${p.dim('wireshark filter:')} ${c.displayFilter}\n`;
  // Frame numbers are per file: name the file when the run merged several.
  const fileOf = (i: number | undefined): string => (files.length > 1 ? ` of ${files[i ?? 0] ?? '?'}` : '');
  const frames =
    files.length > 1 && (c.firstFile ?? 0) !== (c.lastFile ?? 0)
      ? `${c.firstFrame}${fileOf(c.firstFile)} – ${c.lastFrame}${fileOf(c.lastFile)}`
      : `${c.firstFrame}–${c.lastFrame}${fileOf(c.firstFile)}`;
  out += `${ind}${p.dim('frames:')} ${frames}, start ${formatTimestamp(c.start)}, roles by ${c.roles.decidedBy}\n`;
  if (c.close.detail) out += `${ind}${p.dim('close:')} ${c.close.detail}\n`;
  out += `${ind}${p.dim('states: STATE@frame; ? = inferred from the peer\'s segment, not seen from this side')}\n`;
  for (const side of ['client', 'server'] as const) {
    const st = c.states[side].map((s) => `${s.state}@${s.frame}${s.how === 'inferred' ? '?' : ''}`).join(' → ');
    out += `${ind}${p.dim(`${side} states:`)} ${st || '(none)'}\n`;
    out += transferLines(c, side, ind, p);
  }
  const rtt = c.handshake.rtt;
  if (rtt.synToSynAck !== null || rtt.synAckToAck !== null) {
    const ms = (x: number | null): string => (x === null ? '-' : `${(x * 1000).toFixed(3)} ms`);
    out += `${ind}${p.dim('handshake rtt:')} SYN→SYN-ACK ${ms(rtt.synToSynAck)}, SYN-ACK→ACK ${ms(rtt.synAckToAck)} (capture point: ${c.handshake.capturePoint})\n`;
  }
  out += `${ind}${p.dim('zeek:')} ${c.zeek.connState} ${c.zeek.history || '-'}, ${p.dim('completeness:')} ${c.completeness}\n`;
  for (const e of c.events) {
    // Merged captures number frames per file (as Wireshark does): say which file.
    const where = e.file === undefined ? `frame ${e.frame}` : `frame ${e.frame} of file ${e.file + 1}`;
    out += `${ind}${p.dim('event')} ${e.kind} ${where}${e.by ? ` by ${e.by}` : ''}${e.detail ? `: ${e.detail}` : ''}\n`;
  }
  return out;
}

/** The part of the text report above the connection table: the run's captures and its counts. */
export function renderTextHead(report: Omit<Report, 'connections'>, shownConnections: number, options: TextOptions): string {
  const p = palette(options.color);
  let out = '';
  const caps = report.captures;
  out += `${p.bold('tcpshake')}: ${caps.length} capture${caps.length === 1 ? '' : 's'}\n`;
  for (const c of caps) out += captureLine(c, p) + '\n';
  let first: number | null = null;
  let last: number | null = null;
  for (const c of caps) {
    if (c.firstTime !== null && (first === null || c.firstTime < first)) first = c.firstTime;
    if (c.lastTime !== null && (last === null || c.lastTime > last)) last = c.lastTime;
  }
  const shown =
    options.totalConnections !== undefined && options.totalConnections !== shownConnections
      ? `${shownConnections} of ${options.totalConnections} (filtered)`
      : `${shownConnections}`;
  out += `TCP connections: ${shown}`;
  if (first !== null && last !== null) out += `, time span ${formatDuration(last - first)}`;
  out += '\n';
  const s = report.summary;
  out += `handshakes: ${countsText(s.handshake, HANDSHAKE_KINDS)}\n`;
  out += `closes: ${countsText(s.close, CLOSE_KINDS)}\n`;
  const anomalies: Partial<Record<EventKind, number>> = {};
  for (const k of EVENT_KINDS) if (EVENT_CATALOGUE[k].anomaly && s.events[k]) anomalies[k] = s.events[k];
  out += `anomalies: ${countsText(anomalies, EVENT_KINDS)}\n`;
  return out;
}

/** One connection's line of the table, before its columns are padded to the table's widths. */
export interface TextRow {
  id: string;
  ends: string;
  hs: HandshakeKind;
  close: string;
  closeColour: CloseColour;
  states: string;
  dur: string;
  notes: string;
  /** The detail lines under it (empty unless asked for), already painted. */
  details: string;
}

/** The widths of a table's padded columns, grown row by row (see TextRow). */
export interface TextWidths {
  id: number;
  ends: number;
  hs: number;
  close: number;
  states: number;
  dur: number;
}

const HEADINGS = {
  id: 'id',
  ends: 'client → server',
  hs: 'handshake',
  close: 'close',
  states: 'final client/server',
  dur: 'duration',
} as const;

/** The widths of a table with no rows yet: its headings'. */
export function textWidths(): TextWidths {
  return {
    id: HEADINGS.id.length,
    ends: HEADINGS.ends.length,
    hs: HEADINGS.hs.length,
    close: HEADINGS.close.length,
    states: HEADINGS.states.length,
    dur: HEADINGS.dur.length,
  };
}

/** Widens `w` to fit `r`. */
export function fitTextRow(w: TextWidths, r: TextRow): void {
  if (r.id.length > w.id) w.id = r.id.length;
  if (r.ends.length > w.ends) w.ends = r.ends.length;
  if (r.hs.length > w.hs) w.hs = r.hs.length;
  if (r.close.length > w.close) w.close = r.close.length;
  if (r.states.length > w.states) w.states = r.states.length;
  if (r.dur.length > w.dur) w.dur = r.dur.length;
}

/**
 * Connection `c` as a table row; `details` adds the detail lines, painted with `color`, naming the
 * run's capture `files` when there are several.
 */
export function textRow(c: ConnectionReport, options: { color: boolean; details?: boolean; files?: readonly string[] }): TextRow {
  return {
    id: `#${c.id}`,
    ends: `${endpointText(c.client.ip, c.client.port)} → ${endpointText(c.server.ip, c.server.port)}`,
    hs: c.handshake.kind,
    close: closeText(c),
    closeColour: closeColour(c),
    states: `${c.finalState.client}/${c.finalState.server}`,
    dur: formatDuration(c.duration),
    notes: notableEvents(c),
    details: options.details ? detailLines(c, palette(options.color), options.files ?? []) : '',
  };
}

/** The table's heading line. */
export function textTableHead(w: TextWidths, color: boolean): string {
  const p = palette(color);
  return (
    p.dim(
      [
        HEADINGS.id.padEnd(w.id),
        HEADINGS.ends.padEnd(w.ends),
        HEADINGS.hs.padEnd(w.hs),
        HEADINGS.close.padEnd(w.close),
        HEADINGS.states.padEnd(w.states),
        HEADINGS.dur.padStart(w.dur),
        'events',
      ].join('  '),
    ).trimEnd() + '\n'
  );
}

/** A row padded to the table's widths, with its detail lines. */
export function textRowLines(r: TextRow, w: TextWidths, color: boolean): string {
  const p = palette(color);
  const stateText = r.states.includes('CLOSE_WAIT') ? p.yellow(padEnd(r.states, w.states)) : padEnd(r.states, w.states);
  return (
    [
      r.id.padEnd(w.id),
      r.ends.padEnd(w.ends),
      paintHandshake(r.hs, p)(r.hs.padEnd(w.hs)),
      p[r.closeColour](r.close.padEnd(w.close)),
      stateText,
      r.dur.padStart(w.dur),
      r.notes,
    ]
      .join('  ')
      .trimEnd() +
    '\n' +
    r.details
  );
}

/** Unit separator: never in a row's text, so it joins a TextRow's fields into one spooled line. */
const FIELD_SEPARATOR = '\u001f';

/** A row as one string (to spool it), read back by parseTextRow(). */
export function serializeTextRow(r: TextRow): string {
  return [r.id, r.ends, r.hs, r.close, r.closeColour, r.states, r.dur, r.notes, r.details].join(FIELD_SEPARATOR);
}

export function parseTextRow(line: string): TextRow {
  const [id, ends, hs, close, closeColour, states, dur, notes, details] = line.split(FIELD_SEPARATOR);
  return {
    id: id!,
    ends: ends!,
    hs: hs as HandshakeKind,
    close: close!,
    closeColour: closeColour as CloseColour,
    states: states!,
    dur: dur!,
    notes: notes!,
    details: details!,
  };
}

/**
 * The whole text report of `report` in one string: for a report held in memory (the CLI writes its
 * text report from a spool instead, see report/outputs.ts, with the same parts).
 */
export function renderText(report: Report, options: TextOptions): string {
  const conns = report.connections;
  let out = renderTextHead(report, conns.length, options);
  if (conns.length) {
    const files = report.captures.map((c) => c.file);
    const rows = conns.map((c) => textRow(c, { color: options.color, details: options.details === true, files }));
    const w = textWidths();
    for (const r of rows) fitTextRow(w, r);
    out += '\n' + textTableHead(w, options.color);
    for (const r of rows) out += textRowLines(r, w, options.color);
  }
  if (options.findings) out += '\n' + renderFindings(options.findings, options.color, options.width ?? 100);
  return out;
}
