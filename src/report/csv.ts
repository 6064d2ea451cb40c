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
  // Transfer facts of each side's segments (DirectionStats): additive columns, after the original ones.
  'client_packets',
  'server_packets',
  'client_bytes',
  'server_bytes',
  'client_wire_bytes',
  'server_wire_bytes',
  'client_retrans',
  'server_retrans',
  'client_retrans_bytes',
  'server_retrans_bytes',
  'client_out_of_order',
  'server_out_of_order',
  'client_dup_acks',
  'server_dup_acks',
  'client_zero_window',
  'server_zero_window',
  'client_zero_window_seconds',
  'server_zero_window_seconds',
  'client_zero_window_probes',
  'server_zero_window_probes',
  'client_rtt_samples',
  'client_rtt_min',
  'client_rtt_median',
  'client_rtt_max',
  'server_rtt_samples',
  'server_rtt_min',
  'server_rtt_median',
  'server_rtt_max',
  'client_throughput',
  'server_throughput',
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
    ...transferFields(c),
  ]);
}

/** The transfer columns of a connection, in CSV_COLUMNS order (an empty field where there is no value). */
function transferFields(c: ConnectionReport): (string | number | null)[] {
  const a = c.stats.client;
  const b = c.stats.server;
  const rtt = (s: typeof a): (string | number | null)[] =>
    s.rtt === null ? [0, null, null, null] : [s.rtt.samples, s.rtt.min.toFixed(6), s.rtt.median.toFixed(6), s.rtt.max.toFixed(6)];
  return [
    a.packets, b.packets,
    a.bytes, b.bytes,
    a.wireBytes, b.wireBytes,
    a.retransmits, b.retransmits,
    a.retransmittedBytes, b.retransmittedBytes,
    a.outOfOrder, b.outOfOrder,
    a.dupAcks, b.dupAcks,
    a.zeroWindow.episodes, b.zeroWindow.episodes,
    a.zeroWindow.seconds.toFixed(6), b.zeroWindow.seconds.toFixed(6),
    a.zeroWindowProbes, b.zeroWindowProbes,
    ...rtt(a),
    ...rtt(b),
    a.throughput === null ? null : a.throughput.toFixed(0),
    b.throughput === null ? null : b.throughput.toFixed(0),
  ];
}

export function renderCsv(connections: readonly ConnectionReport[]): string {
  let out = csvHeader();
  for (const c of connections) out += csvConnection(c);
  return out;
}
