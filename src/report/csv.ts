/**
 * `--format csv`: a header row and one row per connection. Quoting follows RFC 4180 §2: a field
 * holding a comma, a double quote, CR or LF is enclosed in double quotes, and inner double quotes
 * are doubled; records end with CRLF.
 */
import type { ConnectionReport } from '../model/report.js';

export const CSV_COLUMNS = [
  'id',
  'client_ip',
  'client_port',
  'server_ip',
  'server_port',
  'first_frame',
  'last_frame',
  'start',
  'duration',
  'handshake',
  'close',
  'initiator',
  'rst_by',
  'final_ack_lost',
  'client_final_state',
  'server_final_state',
  'zeek_conn_state',
  'zeek_history',
  'completeness',
  'events',
] as const;

export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

export function csvHeader(): string {
  return csvRow(CSV_COLUMNS);
}

/** Events as `kind@frame`, space-separated, in the order they happened. */
export function csvEvents(c: ConnectionReport): string {
  return c.events.map((e) => `${e.kind}@${e.frame}`).join(' ');
}

export function csvConnection(c: ConnectionReport): string {
  return csvRow([
    c.id,
    c.client.ip,
    c.client.port,
    c.server.ip,
    c.server.port,
    c.firstFrame,
    c.lastFrame,
    c.start.toFixed(6),
    c.duration.toFixed(6),
    c.handshake.kind,
    c.close.kind,
    c.close.initiator,
    c.close.rstBy,
    c.close.finalAckLost,
    c.finalState.client,
    c.finalState.server,
    c.zeek.connState,
    c.zeek.history,
    c.completeness,
    csvEvents(c),
  ]);
}

export function renderCsv(connections: readonly ConnectionReport[]): string {
  let out = csvHeader();
  for (const c of connections) out += csvConnection(c);
  return out;
}
