/**
 * `--format json` written piece by piece: the same bytes as `renderJson()` (that is,
 * `JSON.stringify(doc, null, 2) + '\n'`), but never the whole document as one string. With hundreds
 * of thousands of connections the pretty-printed report runs to gigabytes — past V8's longest
 * string (about 512 MiB: `JSON.stringify` then throws "Invalid string length") and, before that,
 * doubling the peak memory of a run. Here each connection is stringified on its own, re-indented,
 * and handed to `write` in chunks of about {@link CHUNK_CHARS} characters.
 */
import type { Finding, Report } from './model.js';

/** Characters gathered before each call of `write`. */
export const CHUNK_CHARS = 1 << 16;

const INDENT = '  ';

/**
 * Writes the report as `renderJson(report, findings)` would return it. `write` receives consecutive
 * pieces of the document; a synchronous sink (a file descriptor, an array) is expected.
 */
export function writeJsonReport(report: Report, write: (chunk: string) => void, findings?: Finding[]): void {
  const doc: Report = findings ? { ...report, findings } : report;
  let buf = '';
  const out = (s: string): void => {
    buf += s;
    if (buf.length >= CHUNK_CHARS) {
      write(buf);
      buf = '';
    }
  };
  writeValue(doc, 0, out, true);
  out('\n');
  if (buf.length > 0) write(buf);
}

/** JSON.stringify(value, null, 2) placed at `depth` (its lines after the first indented to match). */
function stringifyAt(value: unknown, depth: number): string | undefined {
  const s = JSON.stringify(value, null, 2) as string | undefined;
  if (s === undefined || depth === 0 || !s.includes('\n')) return s;
  // JSON text never holds a raw line feed inside a string (it is escaped), so every '\n' is a line break.
  return s.replace(/\n/g, '\n' + INDENT.repeat(depth));
}

/**
 * Plain objects and arrays of the top two levels are walked here (the report object, its
 * `connections` array); anything deeper, and anything with a toJSON(), goes to JSON.stringify whole.
 */
function writeValue(value: unknown, depth: number, out: (s: string) => void, walk: boolean): void {
  if (!walk || value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const s = stringifyAt(value, depth);
    // Top-level undefined cannot happen for a Report; inside arrays JSON.stringify writes null.
    out(s === undefined ? 'null' : s);
    return;
  }
  const pad = INDENT.repeat(depth + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out('[]');
      return;
    }
    out('[');
    for (let i = 0; i < value.length; i++) {
      out(i === 0 ? '\n' + pad : ',\n' + pad);
      const v: unknown = value[i];
      writeValue(typeof v === 'function' || typeof v === 'symbol' ? null : v, depth + 1, out, false);
    }
    out('\n' + INDENT.repeat(depth) + ']');
    return;
  }
  let first = true;
  for (const key of Object.keys(value)) {
    const v: unknown = (value as Record<string, unknown>)[key];
    // JSON.stringify leaves out object members whose value is undefined, a function or a symbol.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out((first ? '{\n' : ',\n') + pad + JSON.stringify(key) + ': ');
    first = false;
    writeValue(v, depth + 1, out, depth === 0 && Array.isArray(v));
  }
  out(first ? '{}' : '\n' + INDENT.repeat(depth) + '}');
}
