/**
 * `--format json` written piece by piece: the same bytes as `renderJson()`, but never the whole
 * document as one string. With hundreds of thousands of connections the report runs to hundreds of
 * megabytes — near V8's longest string (about 512 MiB: `JSON.stringify` then throws "Invalid string
 * length") and, before that, doubling the peak memory of a run. Pieces go to `write` in chunks of
 * about {@link CHUNK_CHARS} characters.
 */
import type { Finding, Report } from '../model/report.js';
import { JSON_LINE_INDENT, jsonConnectionLine, jsonPrefix, jsonSuffix } from './json.js';

/** Characters gathered before each call of `write`. */
export const CHUNK_CHARS = 1 << 16;
/** Bytes gathered before each call of `write` by writeJsonLineBytes(). */
export const CHUNK_BYTES = 1 << 20;

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

/**
 * writeJsonLines() for lines already held as UTF-8 bytes (the CLI's spool), in order, each as
 * `bytes[start, end)` valid until the next is taken. They are copied into fresh buffers of
 * {@link CHUNK_BYTES} handed to `write` (which may keep them: a pipe writes asynchronously), never
 * decoded into strings and encoded again; when `write` returns a promise (its reader is behind),
 * the next chunk waits for it.
 */
export async function writeJsonLineBytes(
  head: Omit<Report, 'connections'>,
  lines: Iterable<{ bytes: Buffer; start: number; end: number }>,
  write: (chunk: Buffer) => Promise<void> | undefined,
  findings?: Finding[],
): Promise<void> {
  const first = Buffer.from('\n' + JSON_LINE_INDENT);
  const next = Buffer.from(',\n' + JSON_LINE_INDENT);
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  let full: Buffer[] = [];
  // Synchronous: fills chunks, setting aside the full ones for the caller to write.
  const put = (bytes: Buffer, start: number, end: number): void => {
    while (start < end) {
      if (used === chunk.length) {
        full.push(chunk);
        chunk = Buffer.allocUnsafe(CHUNK_BYTES);
        used = 0;
      }
      const k = Math.min(end - start, chunk.length - used);
      bytes.copy(chunk, used, start, start + k);
      used += k;
      start += k;
    }
  };
  const writeFull = async (): Promise<void> => {
    const ready = full;
    full = [];
    for (const c of ready) await write(c);
  };
  const prefix = Buffer.from(jsonPrefix(head, findings));
  put(prefix, 0, prefix.length);
  let n = 0;
  for (const line of lines) {
    const sep = n++ === 0 ? first : next;
    put(sep, 0, sep.length);
    put(line.bytes, line.start, line.end);
    if (full.length > 0) await writeFull();
  }
  const suffix = Buffer.from(jsonSuffix(n === 0));
  put(suffix, 0, suffix.length);
  full.push(chunk.subarray(0, used));
  await writeFull();
}

/** Writes the report as `renderJson(report, findings)` would return it (each connection stringified as it is reached). */
export function writeJsonReport(report: Report, write: (chunk: string) => void, findings?: Finding[]): void {
  const { connections, ...head } = report;
  writeJsonLines(head, connections.length, (i) => jsonConnectionLine(connections[i]), write, findings);
}
