/**
 * `--format ndjson`: one JSON object per line, each with a `type`:
 *   {"type":"connection", ...ConnectionReport}   as soon as that connection is over
 *   {"type":"event", "connection": id, "client": {...}, "server": {...}, ...ConnectionEvent}   with --events
 *   {"type":"summary", "schemaVersion", "captures", "summary", "findings"}   last line of a run
 * A sharded run (`--shard I/N`) adds, last, `"shard":{"created","reported","phase"}` to each
 * connection line and `"shard":{"index","count"}` to the summary line (see pipeline/shard.ts); a run
 * over everything never writes them, and `tcpshake merge` takes them off.
 * so a long capture streams with flat memory and a consumer can tell lines apart by `type`.
 */
import type { ConnectionEvent } from '../model/events.js';
import type { ConnectionReport, Finding, Report } from '../model/report.js';
import type { Endpoint } from '../model/endpoint.js';

export function ndjsonConnection(c: ConnectionReport): string {
  // The same text as JSON.stringify({ type: 'connection', ...c }), without copying the report.
  const body = JSON.stringify(c);
  return (body.length > 2 ? '{"type":"connection",' : '{"type":"connection"') + body.slice(1) + '\n';
}

export function ndjsonEvent(e: ConnectionEvent, c: { id: number; client: Endpoint; server: Endpoint }): string {
  return JSON.stringify({ type: 'event', connection: c.id, client: c.client, server: c.server, ...e }) + '\n';
}

export function ndjsonSummary(report: Pick<Report, 'schemaVersion' | 'captures' | 'summary' | 'shard'>, findings: Finding[]): string {
  return (
    JSON.stringify({
      type: 'summary',
      schemaVersion: report.schemaVersion,
      captures: report.captures,
      summary: report.summary,
      findings,
      ...(report.shard !== undefined ? { shard: report.shard } : {}),
    }) + '\n'
  );
}

/** The whole report at once (when the connections are already in memory). */
export function renderNdjson(report: Report, findings: Finding[]): string {
  let out = '';
  for (const c of report.connections) out += ndjsonConnection(c);
  return out + ndjsonSummary(report, findings);
}
