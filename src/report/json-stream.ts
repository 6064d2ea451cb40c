/**
 * `--format json` written piece by piece: the same bytes as `renderJson()`, but never the whole
 * document as one string. With hundreds of thousands of connections the report runs to hundreds of
 * megabytes — near V8's longest string (about 512 MiB: `JSON.stringify` then throws "Invalid string
 * length") and, before that, doubling the peak memory of a run. Pieces go to `write` in chunks of
 * about {@link CHUNK_CHARS} characters.
 */
import type { Finding, Report } from './model.js';
import { JSON_LINE_INDENT, jsonConnectionLine, jsonPrefix, jsonSuffix } from './json.js';

/** Characters gathered before each call of `write`. */
export const CHUNK_CHARS = 1 << 16;

/**
 * Writes the document from its head (everything but the connections) and `count` connection lines,
 * `lineAt(i)` giving the i-th already stringified (`jsonConnectionLine`) or undefined to skip it (a
 * hole of a sparse array). `write` receives consecutive pieces; a synchronous sink (a file
 * descriptor, an array) is expected.
 */
export function writeJsonLines(
  head: Omit<Report, 'connections'>,
  count: number,
  lineAt: (i: number) => string | undefined,
  write: (chunk: string) => void,
  findings?: Finding[],
): void {
  let buf = jsonPrefix(head, findings);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const line = lineAt(i);
    if (line === undefined) continue;
    buf += (n++ === 0 ? '\n' : ',\n') + JSON_LINE_INDENT + line;
    if (buf.length >= CHUNK_CHARS) {
      write(buf);
      buf = '';
    }
  }
  buf += jsonSuffix(n === 0);
  write(buf);
}

/** Writes the report as `renderJson(report, findings)` would return it (each connection stringified as it is reached). */
export function writeJsonReport(report: Report, write: (chunk: string) => void, findings?: Finding[]): void {
  const { connections, ...head } = report;
  writeJsonLines(head, connections.length, (i) => jsonConnectionLine(connections[i]), write, findings);
}
