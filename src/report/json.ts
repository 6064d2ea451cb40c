/**
 * `--format json`: the Report contract (src/model/report.ts), one document per run. The top level is
 * indented; each connection is ONE compact line inside `connections` (so `grep` finds a connection
 * and `jq` pretty-prints the lot), which also keeps the document small: pretty-printing every
 * connection roughly tripled its size. Members come in the order schemaVersion, captures, summary,
 * findings, then anything else, with `connections` last.
 */
import type { Finding, Report } from '../model/report.js';

/** Indentation of the top-level members. */
export const JSON_INDENT = '  ';
/** Indentation of each connection line inside `connections`. */
export const JSON_LINE_INDENT = '    ';

/** The document's members other than `connections`, in the order they are written. */
export function jsonHead(report: Omit<Report, 'connections'>, findings?: Finding[]): [string, unknown][] {
  const head: [string, unknown][] = [];
  const rec = report as unknown as Record<string, unknown>;
  const order = ['schemaVersion', 'captures', 'summary', 'findings'];
  const value = (k: string): unknown => (k === 'findings' && findings !== undefined ? findings : rec[k]);
  for (const k of order) if (k in rec || (k === 'findings' && findings !== undefined)) head.push([k, value(k)]);
  for (const k of Object.keys(rec)) if (k !== 'connections' && !order.includes(k)) head.push([k, rec[k]]);
  // JSON.stringify leaves out members whose value is undefined, a function or a symbol.
  return head.filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
}

/** Everything before the first connection line: `{`, the head members, `"connections": [`. */
export function jsonPrefix(report: Omit<Report, 'connections'>, findings?: Finding[]): string {
  let s = '{\n';
  for (const [k, v] of jsonHead(report, findings)) {
    // JSON text never holds a raw line feed inside a string (it is escaped), so every '\n' is a line break.
    const text = JSON.stringify(v, null, 2).replace(/\n/g, '\n' + JSON_INDENT);
    s += `${JSON_INDENT}${JSON.stringify(k)}: ${text},\n`;
  }
  return s + `${JSON_INDENT}"connections": [`;
}

/** What follows the last connection line (`empty`: there was none). */
export function jsonSuffix(empty: boolean): string {
  return empty ? ']\n}\n' : `\n${JSON_INDENT}]\n}\n`;
}

/** A connection line as it sits in the document (without separator). */
export function jsonConnectionLine(connection: unknown): string {
  return JSON.stringify(connection);
}

export function renderJson(report: Report, findings?: Finding[]): string {
  let s = jsonPrefix(report, findings);
  const cs = report.connections;
  for (let i = 0; i < cs.length; i++) s += (i === 0 ? '\n' : ',\n') + JSON_LINE_INDENT + jsonConnectionLine(cs[i]);
  return s + jsonSuffix(cs.length === 0);
}
