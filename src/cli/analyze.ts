/**
 * `tcpshake [analyze] <capture...>`: the default command. Reads the captures, rebuilds every TCP
 * connection and prints the report as text, json, ndjson, csv or a Zeek conn.log.
 */
import { setFlagsFromString } from 'node:v8';
import type { Argv } from 'yargs';
import { analyze, boundDisplayFilter, tupleKey, type AnalyzeOptions } from '../analyze.js';
import type { CaptureReport, ConnectionReport, Report } from '../model/report.js';
import { compileFilter } from '../report/filter.js';
import { FindingsCollector, computeFindings } from '../report/findings.js';
import { EXIT, exitCode, failingFindings, failOnEmpty, failOnMatches, parseFailOn, type FailOn } from '../report/exitcode.js';
import { renderText } from '../report/text.js';
import { writeJsonLineBytes, writeJsonReport } from '../report/json-stream.js';
import { jsonConnectionLine } from '../report/json.js';
import { LineSpool } from './line-spool.js';
import { TupleReuse } from './tuple-reuse.js';
import { ndjsonConnection, ndjsonEvent, ndjsonSummary } from '../report/ndjson.js';
import { assertNever } from '../util/assert.js';
import { renderCsv } from '../report/csv.js';
import { renderZeek } from '../report/zeek.js';
import { addToSummary, emptySummary, summarize } from '../report/summary.js';
import { splitList } from '../report/filter.js';
import type { CliCommand } from './command.js';
import type { CliIO } from './io.js';
import { useColor } from './io.js';
import { analyzeOptionsFrom, captureInputs, colorOption, filterFrom, filterOptions, trackerOptions, worthReadingOnWorker } from './options.js';
import { captureErrorLine, inputErrorLine, warningLine } from './errors.js';
import { progressReporter } from './progress.js';

export const OUTPUT_FORMATS = ['text', 'json', 'ndjson', 'csv', 'zeek'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Connections in the order of their first frame (by time first when several files are merged). */
export function inCaptureOrder(connections: ConnectionReport[], multiFile: boolean): ConnectionReport[] {
  return connections.slice().sort((a, b) =>
    multiFile
      ? a.start - b.start || (a.firstFile ?? 0) - (b.firstFile ?? 0) || a.firstFrame - b.firstFrame || a.id - b.id
      : a.firstFrame - b.firstFrame || a.id - b.id,
  );
}

/** Warnings, then a read error for each capture that stopped early, on stderr. */
export function reportCaptureProblems(captures: readonly CaptureReport[], io: CliIO): void {
  for (const c of captures) for (const w of c.warnings) io.err(warningLine(w));
  for (const c of captures) if (c.error) io.err(captureErrorLine(c.error));
}

/**
 * Runs analyze() and turns a rejection into the exit-3 message (unreadable input) — or, for anything
 * that is not about the input, an internal-error message, since that is a bug in tcpshake. Unless the
 * caller decided, files are read on a second thread when they are large enough for it to pay.
 */
export async function analyzeOrFail(
  inputs: Parameters<typeof analyze>[0],
  options: AnalyzeOptions,
  io: CliIO,
): Promise<Report | { exit: number }> {
  try {
    return await analyze(inputs, { ...options, readOnWorker: options.readOnWorker ?? worthReadingOnWorker(inputs) });
  } catch (e) {
    const line = inputErrorLine(e);
    if (line !== null) {
      io.err(line);
      return { exit: EXIT.input };
    }
    if (e instanceof Error && e.name === 'OutputClosed') throw e;
    io.err(`tcpshake: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return { exit: 70 };
  }
}

function builder(y: Argv): Argv {
  return colorOption(
    filterOptions(
      trackerOptions(
        y
          .positional('captures', {
            describe: 'pcap or pcapng files (optionally gzipped); - reads standard input',
            type: 'string',
            demandOption: true,
          })
          .option('format', {
            alias: 'f',
            choices: OUTPUT_FORMATS,
            describe: 'output format',
            defaultDescription: 'text',
            group: 'Output:',
          })
          .option('events', {
            type: 'boolean',
            describe: 'print each event as it happens, one JSON object per line (with --format ndjson: interleaved)',
            group: 'Output:',
          })
          .option('fail-on', {
            type: 'string',
            describe:
              'exit 1 when a connection has one of these handshake/close/event kinds, or a finding of this kind; ' +
              'warnings: any finding of warning severity (default: never; tcpshake check judges behaviour for CI)',
            group: 'Output:',
          })
          .check((argv) => {
            const f = argv['fail-on'] as string | string[] | undefined;
            if (f !== undefined) parseFailOn(([] as string[]).concat(f));
            const fmt = argv['format'] as OutputFormat | undefined;
            if (argv['events'] && fmt !== undefined && fmt !== 'text' && fmt !== 'ndjson') {
              throw new Error('--events writes JSON lines: combine it with --format ndjson or none');
            }
            return true;
          }),
      ),
    ),
  )
    .example('$0 x.pcap', 'how every TCP connection opened and ended')
    .example('$0 --handshake refused,unanswered x.pcapng', 'only the failed connection attempts')
    .example('$0 -f csv --net 10.0.0.0/8 a.pcap b.pcap', 'two captures merged by time, as CSV')
    .example('tcpdump -w - port 443 | $0 --events -', 'watch handshakes and closes live')
    .example('$0 -f zeek x.pcap | zeek-cut conn_state', 'a Zeek conn.log')
    .example('$0 --fail-on reset,refused x.pcap', 'exit 1 if a connection was reset or refused')
    .example('$0 --fail-on warnings x.pcap', 'exit 1 on a finding of warning severity');
}

/**
 * V8's old-generation growing factor for streaming runs (`--heap-growing-percent`: grow to 1 + N/100
 * times the live size before the next full collection). Left to itself V8 lets the old generation
 * of a streaming run grow to about five times what is live (a connection's objects live long enough
 * to be promoted, then die there): measured on the bench's large preset (200,000 connections,
 * `--format ndjson`), peak RSS 340-360 MB by default, about 250 MB with 100 (factor 2). With the
 * trackers' live set cut to about 31 MB, 70 gave a median peak of 184 MB against 194 MB with 100, in
 * alternating runs, for 3% more wall time (4–9% more CPU, the marking runs beside the analysis). The
 * flag is read at every full collection, so setting it at run time takes effect (unlike the new-space
 * size, fixed when the heap is set up). Library code never does this: it is the CLI's choice for its
 * process.
 */
export const STREAMING_HEAP_GROWING_PERCENT = 70;

/** Output gathered into chunks of about this many characters before a write (one write per line is slow). */
const OUT_CHUNK = 1 << 16;

async function run(argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const inputs = captureInputs(argv['captures'] as string[], io);
  const format = (argv['format'] as OutputFormat | undefined) ?? 'text';
  const filter = filterFrom(argv);
  const compiled = compileFilter(filter);
  const failOnRaw = argv['fail-on'] as string | string[] | undefined;
  // Without --fail-on the run never fails on what the capture shows (see failingFindings()).
  const failOn: FailOn | null = failOnRaw === undefined ? null : parseFailOn(splitList(([] as string[]).concat(failOnRaw)));
  const color = useColor(io, argv['color'] as boolean | undefined);
  const events = argv['events'] === true;
  const streaming = format === 'ndjson' || events;
  // --format json keeps each connection as its JSON line (a string dies young; the report object
  // would not), and counts summary and findings as connections come: see report/json.ts.
  const jsonLines = format === 'json' && !streaming;

  const options = analyzeOptionsFrom(argv);
  const progress = progressReporter(io);
  // Only streaming runs keep memory flat by design; --format json keeps its lines in a spool anyway
  // and is judged by its speed.
  if (streaming) setFlagsFromString(`--heap-growing-percent=${STREAMING_HEAP_GROWING_PERCENT}`);

  // Lines for stdout, written in chunks: flushed when large, after each chunk of input (so a live
  // `tcpdump | tcpshake -` still shows them as they come) and at the end.
  let pending = '';
  const flush = (): void => {
    if (pending.length === 0) return;
    const p = pending;
    pending = '';
    io.out(p);
  };
  const out = (text: string): void => {
    pending += text;
    if (pending.length >= OUT_CHUNK) flush();
  };
  const onProgress = progress.onProgress;
  options.onProgress = (p) => {
    flush();
    onProgress?.(p);
  };
  // A reader slower than the run (`| jq ...`, a pipe to another host) holds reading back, after each
  // chunk of input, rather than letting what is written for it pile up in memory.
  options.backpressure = () => io.backedUp?.();
  // No second thread for reading (see analyzeOrFail) in streaming runs, whose point is a small
  // footprint: the thread costs some 20 MB.
  if (streaming) options.readOnWorker = false;

  let failed = false;
  const collector = new FindingsCollector();
  const streamed = emptySummary();
  // What tripped --fail-on, for the message on stderr: the lowest ids (capped), and how many.
  let tripped: { id: number; why: string[] }[] = [];
  let trippedCount = 0;
  // Connections are looked at only when --fail-on is given and names kinds.
  const noteFailures = failOn === null || failOnEmpty(failOn) ? null : (c: ConnectionReport): void => {
    const why = failOnMatches(failOn, c);
    if (why.length === 0) return;
    failed = true;
    trippedCount++;
    tripped.push({ id: c.id, why });
    if (tripped.length >= 4 * TRIPPED_SHOWN) tripped = lowestIds(tripped);
  };
  // Why the run fails, said on stderr once the report has left (see run's end): a reader that
  // closed stdout early (`| head -1`) ends the run quietly before it.
  let failureMessage = '';
  const reportFailures = (findingHits: string[]): void => {
    if (findingHits.length) failed = true;
    if (!failed) return;
    const shown = lowestIds(tripped);
    const parts = shown.map((t) => `#${t.id} (${t.why.join(', ')})`);
    if (trippedCount > shown.length) parts.push(`and ${trippedCount - shown.length} more connections`);
    parts.push(...findingHits);
    failureMessage = `tcpshake: --fail-on matched: ${parts.join(', ')}\n`;
  };

  // --format json: each connection's line by id, in a temporary file (see LineSpool).
  const lines = jsonLines ? new LineSpool() : null;
  const tuples = jsonLines ? new TupleReuse() : null;
  if (streaming || jsonLines) {
    // Connections are written (or counted, or kept as text) as soon as they are over and then dropped.
    options.keepConnections = false;
    options.onConnection = (c) => {
      const shown = compiled.matches(c);
      // What analyze() does for the connections it keeps (see boundDisplayFilter): note each 4-tuple,
      // to bound the display filters of the connections on a tuple that came back, at the end.
      tuples?.note(c, shown);
      if (!shown) return;
      addToSummary(streamed, c);
      collector.add(c);
      noteFailures?.(c);
      if (format === 'ndjson') out(ndjsonConnection(c));
      else if (lines !== null) lines.put(c.id, jsonConnectionLine(c));
    };
  }
  if (events) {
    const kinds = filter.events;
    options.onEvent = (e, c) => {
      if (!compiled.matchesEndpoints(c.id, c.client, c.server)) return;
      if (kinds && !kinds.includes(e.kind)) return;
      out(ndjsonEvent(e, c));
    };
  }

  try {
    const result = await analyzeOrFail(inputs, options, io);
    flush();
    progress.done();
    if ('exit' in result) return result.exit;
    const code = await finish(result);
    if (failureMessage !== '') {
      await io.drained?.();
      // Unreadable input (exit 3) outranks findings: only an explicit --fail-on is still named then.
      if (code === EXIT.failed || failOn !== null) io.err(failureMessage);
    }
    return code;
  } finally {
    lines?.close();
  }

  async function finish(report: Report): Promise<number> {
    if (streaming) {
      const findings = collector.result();
      if (format === 'ndjson') {
        // The summary describes the connections written above (all of them when no filter).
        io.out(ndjsonSummary({ ...report, summary: streamed }, findings));
      }
      reportCaptureProblems(report.captures, io);
      reportFailures(failingFindings(failOn, findings));
      return exitCode({ captures: report.captures, failed });
    }

    if (lines !== null) {
      await lines.settle();
      const reportOf = (id: number): ConnectionReport | undefined => {
        const line = lines.get(id);
        return line === undefined ? undefined : (JSON.parse(line) as ConnectionReport);
      };
      for (const id of tuples!.reused((id) => {
        const c = reportOf(id);
        return c === undefined ? undefined : tupleKey(c);
      })) {
        const c = reportOf(id)!;
        boundDisplayFilter(c);
        lines.put(id, jsonConnectionLine(c));
      }
      tuples!.clear();
      const findings = collector.result();
      const { connections: _none, ...head } = report;
      // Written in chunks: one string for 200,000 connections would be past V8's longest string.
      // Copied from the spool as bytes, in large blocks: no string per line on the way out.
      const write = (chunk: Buffer): Promise<void> | undefined => {
        io.out(chunk);
        return io.backedUp?.();
      };
      await writeJsonLineBytes({ ...head, summary: compiled.empty ? report.summary : streamed }, lines.linesInOrder(), write, findings);
      reportCaptureProblems(report.captures, io);
      reportFailures(failingFindings(failOn, findings));
      return exitCode({ captures: report.captures, failed });
    }

    const all = inCaptureOrder(report.connections, report.captures.length > 1);
    const shown = compiled.empty ? all : all.filter((c) => compiled.matches(c));
    const shownReport: Report = { ...report, connections: shown, summary: compiled.empty ? report.summary : summarize(shown) };
    const findings = computeFindings(shownReport);
    if (noteFailures !== null) for (const c of shown) noteFailures(c);

    switch (format) {
      case 'text': {
        const opts: Parameters<typeof renderText>[1] = { color, findings, details: filter.ids !== undefined };
        if (!compiled.empty) opts.totalConnections = all.length;
        if (io.columns) opts.width = Math.min(io.columns, 120);
        io.out(renderText(shownReport, opts));
        break;
      }
      case 'json':
        // Written connection by connection, without one giant string.
        writeJsonReport(shownReport, (chunk) => io.out(chunk), findings);
        break;
      case 'csv':
        io.out(renderCsv(shown));
        break;
      case 'zeek':
        io.out(renderZeek(shownReport));
        break;
      default:
        assertNever(format, 'output format');
    }
    reportCaptureProblems(report.captures, io);
    reportFailures(failingFindings(failOn, findings));
    return exitCode({ captures: report.captures, failed });
  }
}

/** How many tripped connections the --fail-on message names. */
const TRIPPED_SHOWN = 10;

function lowestIds<T extends { id: number }>(list: T[]): T[] {
  return list.slice().sort((x, y) => x.id - y.id).slice(0, TRIPPED_SHOWN);
}

export const analyzeCommand: CliCommand = {
  command: ['analyze <captures..>', '$0 <captures..>'],
  describe: 'report how every TCP connection in the captures opened and ended',
  builder,
  run,
};
