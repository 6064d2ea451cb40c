/**
 * Every output format of `tcpshake [analyze]` as a stage of the streaming pipeline (see
 * pipeline/stream.ts): each connection is rendered as soon as it is over and dropped, so a run holds
 * the connections open at once, not the capture, whatever the format.
 *
 *   ndjson  each connection's line written at once; the summary line at the end.
 *   json    each line spooled by id (pipeline/line-spool.ts); the document written at the end, summary
 *           and findings first, lines in id order; connections on a 4-tuple that came back get
 *           frame bounds in their display filter then (pipeline/tuple-reuse.ts).
 *   csv     rows spooled, written in capture order under the header at the end.
 *   zeek    rows spooled, written in capture order at the end, between a header that needs the
 *           capture's first packet time and a footer that needs its last.
 *   text    table rows spooled with the columns' widths kept as they grow; the header, counts,
 *           table and findings written at the end. Past {@link TEXT_TABLE_MAX} connections the
 *           table lists only the notable ones (see isNotable), with a line saying how to list all.
 *
 * The composition (filter, summary of the shown connections, findings) is here, in report/, because
 * it names the renderers; pipeline/ below it holds the machinery that knows no format.
 */
import type { ConnectionEvent } from '../model/events.js';
import type { ConnectionReport, Endpoint, Finding, Report, Summary } from '../model/report.js';
import { boundDisplayFilter, tupleKey } from '../pipeline/analyze.js';
import { LineSpool } from '../pipeline/line-spool.js';
import { CaptureOrderedLines, writeSpooledLines, type ConnectionStage, type OutputWriter } from '../pipeline/stream.js';
import { TupleReuse } from '../pipeline/tuple-reuse.js';
import { assertNever } from '../util/assert.js';
import { csvConnection, csvHeader } from './csv.js';
import type { CompiledFilter } from './filter.js';
import { FindingsCollector } from './findings.js';
import { jsonConnectionLine } from './json.js';
import { writeJsonLineBytes } from './json-stream.js';
import { ndjsonConnection, ndjsonEvent, ndjsonSummary } from './ndjson.js';
import { isNotable } from './notable.js';
import { addToSummary, emptySummary } from './summary.js';
import {
  fitTextRow,
  parseTextRow,
  renderFindings,
  renderTextHead,
  serializeTextRow,
  textRow,
  textRowLines,
  textTableHead,
  textWidths,
  type TextWidths,
} from './text.js';
import { captureSpan, zeekFooter, zeekHeader, zeekRow } from './zeek.js';

export { isNotable };

export const OUTPUT_FORMATS = ['text', 'json', 'ndjson', 'csv', 'zeek'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Past this many connections shown, the text report's table lists only the notable ones: a terminal
 * of 200,000 lines helps nobody, and the counts and findings above it already cover them all.
 */
export const TEXT_TABLE_MAX = 1000;

export interface TextOutputOptions {
  color: boolean;
  /** Wrap width of the findings' explanations. */
  width?: number;
  /** Per-connection detail lines (display filter, close detail, state changes, events). */
  details?: boolean;
  /** List every connection whatever their number (see TEXT_TABLE_MAX). */
  all?: boolean;
  /** The capture files of the run, as the report names them (detail lines name them when several). */
  files?: readonly string[];
}

export interface OutputOptions {
  /** `events`: no report, only the event lines the run's onEvent writes (see eventLines). */
  format: OutputFormat | 'events';
  /** Which connections the output shows (the summary and findings describe those). */
  filter: CompiledFilter;
  text?: TextOutputOptions;
  /** Each connection shown, as it goes by (for `--fail-on`). */
  onShown?: (c: ConnectionReport) => void;
  /** The run's MSL (seconds): how long a TIME_WAIT lasts for the findings. Default 30. */
  msl?: number;
}

/** What a format does with the shown connections. */
interface FormatStage {
  /** Every connection of the run, shown or not (the json output's reused tuples need all). */
  note?(c: ConnectionReport, shown: boolean): void;
  add(c: ConnectionReport): void;
  end(head: Omit<Report, 'connections'>, findings: Finding[], out: OutputWriter, total: number): Promise<void>;
  close(): void;
}

/** A report output: a pipeline stage (see streamAnalysis) that also tells what it found. */
export interface ReportOutput extends ConnectionStage {
  /** The findings over the connections shown (complete once end() has run). */
  findings(): Finding[];
  /** The summary of the connections shown. */
  summary(): Summary;
}

/** The stage writing `options.format` to `out`. */
export function reportOutput(options: OutputOptions, out: OutputWriter): ReportOutput {
  const format = formatStage(options, out);
  const filter = options.filter;
  const collector = new FindingsCollector(undefined, options.msl);
  const shownSummary = emptySummary();
  let findings: Finding[] | null = null;
  return {
    add(c) {
      const shown = filter.matches(c);
      format.note?.(c, shown);
      if (!shown) return;
      addToSummary(shownSummary, c);
      collector.add(c);
      options.onShown?.(c);
      format.add(c);
    },
    async end(report, writer) {
      findings = collector.result();
      const { connections: _none, ...rest } = report;
      // The same counts either way without a filter; analyze()'s own keep the order of its keys.
      const head = { ...rest, summary: filter.empty ? report.summary : shownSummary };
      await format.end(head, findings, writer, report.summary.connections);
      writer.flush();
    },
    close() {
      format.close();
    },
    findings() {
      return findings ?? collector.result();
    },
    summary() {
      return shownSummary;
    },
  };
}

/** The run's onEvent for `--events`: each event of a shown connection as an ndjson line. */
export function eventLines(
  filter: CompiledFilter,
  kinds: readonly string[] | undefined,
  out: OutputWriter,
): (e: ConnectionEvent, c: { id: number; client: Endpoint; server: Endpoint }) => void {
  return (e, c) => {
    if (!filter.matchesEndpoints(c.id, c.client, c.server)) return;
    if (kinds && !kinds.includes(e.kind)) return;
    out.text(ndjsonEvent(e, c));
  };
}

function formatStage(options: OutputOptions, out: OutputWriter): FormatStage {
  const format = options.format;
  switch (format) {
    case 'events':
      return { add: () => undefined, end: async () => undefined, close: () => undefined };
    case 'ndjson':
      return {
        add: (c) => out.text(ndjsonConnection(c)),
        // The summary describes the connections written above (all of them when no filter).
        end: async (head, findings, w) => w.text(ndjsonSummary(head, findings)),
        close: () => undefined,
      };
    case 'json':
      return jsonStage();
    case 'csv': {
      const lines = new CaptureOrderedLines();
      return {
        add: (c) => lines.put(c, csvConnection(c)),
        async end(head, _findings, w) {
          w.text(csvHeader());
          await writeSpooledLines(await lines.lines(head.captures.length > 1), w);
        },
        close: () => lines.close(),
      };
    }
    case 'zeek': {
      const lines = new CaptureOrderedLines();
      return {
        add: (c) => lines.put(c, zeekRow(c)),
        async end(head, _findings, w) {
          const { first, last } = captureSpan(head);
          w.text(zeekHeader(first));
          await writeSpooledLines(await lines.lines(head.captures.length > 1), w);
          w.text(zeekFooter(last));
        },
        close: () => lines.close(),
      };
    }
    case 'text':
      return textStage(options.text ?? { color: false }, !options.filter.empty);
    default:
      return assertNever(format, 'output format');
  }
}

/** `--format json`: see the module header. */
function jsonStage(): FormatStage {
  const lines = new LineSpool();
  const tuples = new TupleReuse();
  return {
    // What analyze() does for the connections it keeps (see boundDisplayFilter): note each 4-tuple, to
    // bound the display filters of the connections on a tuple that came back, at the end.
    note: (c, shown) => tuples.note(c, shown),
    add: (c) => lines.put(c.id, jsonConnectionLine(c)),
    async end(head, findings, out) {
      await lines.settle();
      const reportOf = (id: number): ConnectionReport | undefined => {
        const line = lines.get(id);
        return line === undefined ? undefined : (JSON.parse(line) as ConnectionReport);
      };
      for (const id of tuples.reused((id) => {
        const c = reportOf(id);
        return c === undefined ? undefined : tupleKey(c);
      })) {
        const c = reportOf(id)!;
        boundDisplayFilter(c);
        lines.put(id, jsonConnectionLine(c));
      }
      tuples.clear();
      // Copied from the spool as bytes, in large blocks: no string per line on the way out, and no
      // one string for the document (200,000 connections would be past V8's longest string).
      await writeJsonLineBytes(head, lines.linesInOrder(), (chunk) => out.bytes(chunk), findings);
    },
    close: () => lines.close(),
  };
}

/** Rows between checks of the output's backpressure while the text table is written. */
const ROWS_PER_DRAIN_CHECK = 512;

/** The text report: see the module header. */
function textStage(options: TextOutputOptions, filtered: boolean): FormatStage {
  const lines = new CaptureOrderedLines();
  const all = textWidths();
  const notable = textWidths();
  let notableCount = 0;
  const rowOptions = { color: options.color, details: options.details === true, files: options.files ?? [] };
  return {
    add(c) {
      const row = textRow(c, rowOptions);
      const isNote = isNotable(c);
      fitTextRow(all, row);
      if (isNote) {
        fitTextRow(notable, row);
        notableCount++;
      }
      // The first character says whether the row is notable.
      lines.put(c, (isNote ? '!' : ' ') + serializeTextRow(row));
    },
    async end(head, findings, out, total) {
      const shown = lines.size;
      const textOptions = { color: options.color, ...(filtered ? { totalConnections: total } : {}) };
      out.text(renderTextHead(head, shown, textOptions));
      const everyRow = options.all === true || options.details === true || shown <= TEXT_TABLE_MAX;
      if (!everyRow) {
        const left = shown - notableCount;
        out.text(
          `\nlisted below: the ${notableCount.toLocaleString('en-US')} notable connections (not a clean close, or an anomaly); ` +
            `${left.toLocaleString('en-US')} clean ones left out (more than ${TEXT_TABLE_MAX.toLocaleString('en-US')} connections). ` +
            '--all lists every connection; --format csv writes them all as a table.\n',
        );
      }
      const listed = everyRow ? shown : notableCount;
      if (listed > 0) {
        const widths: TextWidths = everyRow ? all : notable;
        out.text('\n' + textTableHead(widths, options.color));
        let n = 0;
        for (const line of await lines.lines(head.captures.length > 1)) {
          if (!everyRow && line.bytes[line.start] !== 0x21 /* '!' */) continue;
          out.text(textRowLines(parseTextRow(line.bytes.toString('utf8', line.start + 1, line.end)), widths, options.color));
          if (++n % ROWS_PER_DRAIN_CHECK === 0) {
            out.flush();
            const wait = out.backedUp();
            if (wait !== undefined) await wait;
          }
        }
      }
      out.text('\n' + renderFindings(findings, options.color, options.width ?? 100));
    },
    close: () => lines.close(),
  };
}
