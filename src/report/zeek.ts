/**
 * `--format zeek`: a conn.log in Zeek's ASCII log format (tab-separated, `#`-prefixed header), so
 * `zeek-cut` and scripts written for Zeek logs read it. Columns and types are Zeek's conn.log ones.
 *
 * Each row is Zeek's view of the connection (ConnectionReport.zeek): Zeek's originator first (which
 * can be the server, see ZeekView.orig), `orig_bytes`/`resp_bytes` from the sequence numbers as Zeek
 * counts them. Differences from Zeek worth knowing: the packet counts are those tcpshake analysed,
 * `missed_bytes` is always 0, `service`, `local_orig`, `local_resp` and `tunnel_parents` are unset;
 * the rows are Zeek's own connections only with `--zeek-compat`. `#open`/`#close` carry the time of the
 * first/last captured packet (UTC) rather than the wall clock, so the same capture gives the same log.
 * As in Zeek, duration and byte counts are unset (`-`) for a connection whose duration is 0.
 */
import { createHash } from 'node:crypto';
import type { ConnectionReport, Report } from '../model/report.js';

export const ZEEK_FIELDS = [
  ['ts', 'time'],
  ['uid', 'string'],
  ['id.orig_h', 'addr'],
  ['id.orig_p', 'port'],
  ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'],
  ['proto', 'enum'],
  ['service', 'string'],
  ['duration', 'interval'],
  ['orig_bytes', 'count'],
  ['resp_bytes', 'count'],
  ['conn_state', 'string'],
  ['local_orig', 'bool'],
  ['local_resp', 'bool'],
  ['missed_bytes', 'count'],
  ['history', 'string'],
  ['orig_pkts', 'count'],
  ['orig_ip_bytes', 'count'],
  ['resp_pkts', 'count'],
  ['resp_ip_bytes', 'count'],
  ['tunnel_parents', 'set[string]'],
] as const;

const UNSET = '-';
const EMPTY = '(empty)';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A Zeek-style connection uid: "C" and 17 base62 digits, deterministic (a hash of the connection id,
 * its 4-tuple and start time), so two runs over the same capture give the same uids.
 */
export function zeekUid(c: Pick<ConnectionReport, 'id' | 'client' | 'server' | 'start'>): string {
  const digest = createHash('sha256')
    .update(`${c.id}|${c.client.ip}|${c.client.port}|${c.server.ip}|${c.server.port}|${c.start.toFixed(6)}`)
    .digest();
  let n = 0n;
  for (let i = 0; i < 16; i++) n = (n << 8n) | BigInt(digest[i]!);
  let out = '';
  for (let i = 0; i < 17; i++) {
    out += BASE62[Number(n % 62n)];
    n /= 62n;
  }
  return 'C' + out;
}

/** Zeek escapes the separator and non-printable bytes as \xHH in its ASCII logs. */
export function zeekEscape(s: string): string {
  if (s === '') return EMPTY;
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\\]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Zeek's `#open`/`#close` stamp format, %Y-%m-%d-%H-%M-%S. */
export function zeekStamp(t: number | null): string {
  if (t === null || !Number.isFinite(t)) return UNSET;
  const iso = new Date(Math.floor(t) * 1000).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}`;
}

export function zeekHeader(openTime: number | null): string {
  return (
    [
      '#separator \\x09',
      '#set_separator\t,',
      `#empty_field\t${EMPTY}`,
      `#unset_field\t${UNSET}`,
      '#path\tconn',
      `#open\t${zeekStamp(openTime)}`,
      `#fields\t${ZEEK_FIELDS.map((f) => f[0]).join('\t')}`,
      `#types\t${ZEEK_FIELDS.map((f) => f[1]).join('\t')}`,
    ].join('\n') + '\n'
  );
}

export function zeekRow(c: ConnectionReport): string {
  // Zeek's conn.zeek sets duration and the byte counts only when the duration is positive.
  const timed = c.duration > 0;
  // The row is Zeek's: its originator first, whichever end tcpshake calls the client.
  const origIsClient = c.zeek.orig !== 'server';
  const orig = origIsClient ? c.client : c.server;
  const resp = origIsClient ? c.server : c.client;
  const origStats = origIsClient ? c.stats.client : c.stats.server;
  const respStats = origIsClient ? c.stats.server : c.stats.client;
  const values: string[] = [
    c.start.toFixed(6),
    zeekUid(c),
    orig.ip,
    String(orig.port),
    resp.ip,
    String(resp.port),
    'tcp',
    UNSET,
    timed ? c.duration.toFixed(6) : UNSET,
    timed ? String(c.zeek.origBytes) : UNSET,
    timed ? String(c.zeek.respBytes) : UNSET,
    zeekEscape(c.zeek.connState),
    UNSET,
    UNSET,
    '0',
    c.zeek.history === '' ? UNSET : zeekEscape(c.zeek.history),
    String(origStats.packets),
    String(origStats.ipBytes),
    String(respStats.packets),
    String(respStats.ipBytes),
    UNSET,
  ];
  return values.join('\t') + '\n';
}

export function zeekFooter(closeTime: number | null): string {
  return `#close\t${zeekStamp(closeTime)}\n`;
}

export function captureSpan(report: Pick<Report, 'captures'>): { first: number | null; last: number | null } {
  let first: number | null = null;
  let last: number | null = null;
  for (const c of report.captures) {
    if (c.firstTime !== null && (first === null || c.firstTime < first)) first = c.firstTime;
    if (c.lastTime !== null && (last === null || c.lastTime > last)) last = c.lastTime;
  }
  return { first, last };
}

export function renderZeek(report: Report): string {
  const { first, last } = captureSpan(report);
  let out = zeekHeader(first);
  for (const c of report.connections) out += zeekRow(c);
  return out + zeekFooter(last);
}
