/**
 * `tcpshake [analyze] <capture...>`: the default command. Reads the captures, rebuilds every TCP
 * connection and prints the report as text, json, ndjson, csv or a Zeek conn.log. What each format
 * does with the connections is report/outputs.ts's business, running on the streaming pipeline
 * (pipeline/stream.ts); this module turns argv into its options, writes to stdout and decides the
 * exit code.
 */
import { setFlagsFromString } from 'node:v8';
import type { Argv } from 'yargs';
import { analyze, type AnalyzeOptions, type CaptureInput } from '../pipeline/analyze.js';
import { OutputWriter, streamAnalysis } from '../pipeline/stream.js';
import type { CaptureReport, Report } from '../model/report.js';
import { compileFilter } from '../report/filter.js';
import { EXIT, parseFailOn, type FailOn } from '../report/exitcode.js';
import { eventLines, OUTPUT_FORMATS, reportOutput, TEXT_TABLE_MAX, type OutputFormat } from '../report/outputs.js';
import { splitList } from '../report/filter.js';
import type { CliCommand } from './command.js';
import type { CliIO } from './io.js';
import { useColor } from './io.js';
import { analyzeOptionsFrom, captureInputs, colorOption, filterFrom, filterOptions, trackerOptions, worthReadingOnWorker } from './options.js';
import { captureErrorLine, inputErrorLine, warningLine } from './errors.js';
import { progressReporter } from './progress.js';
import { FailOnTally } from './fail-on.js';
import { shardFrom, shardOption } from './merge.js';

export { OUTPUT_FORMATS, type OutputFormat };

/** Warnings, then a read error for each capture that stopped early, on stderr. */
export function reportCaptureProblems(captures: readonly CaptureReport[], io: CliIO): void {
  for (const c of captures) for (const w of c.warnings) io.err(warningLine(w));
  for (const c of captures) if (c.error) io.err(captureErrorLine(c.error));
}

/**
 * Runs `work` (an analysis) and turns a rejection into the exit-3 message (unreadable input) — or, for
 * anything that is not about the input, an internal-error message, since that is a bug in tcpshake.
 */
export async function orFail<T>(work: () => Promise<T>, io: CliIO): Promise<T | { exit: number }> {
  try {
    return await work();
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

/**
 * analyze() through orFail(). Unless the caller decided, files are read on a second thread when they
 * are large enough for it to pay.
 */
export async function analyzeOrFail(inputs: CaptureInput[], options: AnalyzeOptions, io: CliIO): Promise<Report | { exit: number }> {
  const r = await orFail(() => analyze(inputs, { ...options, readOnWorker: options.readOnWorker ?? worthReadingOnWorker(inputs) }), io);
  if ('exit' in r || !nothingRead(r.captures)) return r;
  // Nothing could be read at all: the errors alone (exit 3), no empty ladder or page.
  reportCaptureProblems(r.captures, io);
  return { exit: EXIT.input };
}

function builder(y: Argv): Argv {
  return colorOption(
    filterOptions(
      trackerOptions(
        shardOption(y)
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
          .option('all', {
            type: 'boolean',
            describe: `text: list every connection (past ${TEXT_TABLE_MAX} connections only the notable ones are listed)`,
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

async function run(argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const inputs = captureInputs(argv['captures'] as string[], io);
  // A shard (--shard I/N) writes ndjson for tcpshake merge.
  const format = (argv['format'] as OutputFormat | undefined) ?? (argv['shard'] !== undefined ? 'ndjson' : 'text');
  const filter = filterFrom(argv);
  const compiled = compileFilter(filter);
  const failOnRaw = argv['fail-on'] as string | string[] | undefined;
  // Without --fail-on the run never fails on what the capture shows (see failingFindings()).
  const failOn: FailOn | null = failOnRaw === undefined ? null : parseFailOn(splitList(([] as string[]).concat(failOnRaw)));
  const color = useColor(io, argv['color'] as boolean | undefined);
  // --events with no --format (or text): the event lines only.
  const events = argv['events'] === true;
  const output = events && format === 'text' ? 'events' : format;

  const options = analyzeOptionsFrom(argv);
  const shard = shardFrom(argv);
  if (shard !== undefined) options.shard = shard;
  const progress = progressReporter(io);
  if (progress.onProgress) options.onProgress = progress.onProgress;
  let progressShown = true;
  const endProgress = (): void => {
    if (progressShown) progress.done();
    progressShown = false;
  };
  // Every format streams (report/outputs.ts); --format json is judged by its speed, and keeps the
  // second reading thread and V8's default heap growth. The others keep memory flat: no thread (it
  // costs some 20 MB) and a tighter heap.
  if (format === 'json' && !events) options.readOnWorker ??= worthReadingOnWorker(inputs);
  else {
    options.readOnWorker = false;
    setFlagsFromString(`--heap-growing-percent=${STREAMING_HEAP_GROWING_PERCENT}`);
  }
  // A reader slower than the run (`| jq ...`, a pipe to another host) holds reading back, after each
  // chunk of input, rather than letting what is written for it pile up in memory.
  const out = new OutputWriter({ write: (chunk) => io.out(chunk), backedUp: () => io.backedUp?.() });

  const failOnTally = new FailOnTally(failOn);


  const stage = reportOutput(
    {
      format: output,
      filter: compiled,
      ...(options.msl !== undefined ? { msl: options.msl } : {}),
      text: {
        color,
        details: filter.ids !== undefined,
        all: argv['all'] === true,
        files: inputs.map((i) => (typeof i === 'string' ? i : i.name)),
        ...(io.columns ? { width: Math.min(io.columns, 120) } : {}),
      },
      ...(failOnTally.noteConnection ? { onShown: failOnTally.noteConnection } : {}),
    },
    out,
  );
  if (events) options.onEvent = eventLines(compiled, filter.events, out);

  try {
    const result = await orFail(async () => {
      const report = await streamAnalysis(inputs, options, stage, out);
      endProgress();
      // Nothing could be read at all (a missing or unreadable file): the error alone, no empty report.
      if (nothingRead(report.captures)) return report;
      await stage.end(report, out);
      return report;
    }, io);
    endProgress();
    if ('exit' in result) return result.exit;
    if (nothingRead(result.captures)) {
      reportCaptureProblems(result.captures, io);
      return EXIT.input;
    }
    reportCaptureProblems(result.captures, io);
    return await failOnTally.finish(result.captures, stage.findings(), io);
  } finally {
    stage.close();
  }
}

/**
 * Every input stopped with an error before its first frame: there is no report to print, only the
 * errors (exit 3). A partial report is printed when something was read.
 */
export function nothingRead(captures: readonly CaptureReport[]): boolean {
  return captures.length > 0 && captures.every((c) => c.frames === 0 && c.error !== undefined);
}


export const analyzeCommand: CliCommand = {
  command: ['analyze <captures..>', '$0 <captures..>'],
  describe: 'report how every TCP connection in the captures opened and ended',
  builder,
  run,
};
