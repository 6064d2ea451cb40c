/**
 * `tcpshake report <capture...> -o report.html`: one self-contained HTML page (summary, findings,
 * charts, a sortable/filterable connection table, ladder diagrams on demand) for a postmortem.
 *
 * Which connections get a ladder: recording every segment of every connection of a huge capture
 * would make the file (and memory) unbounded, so ladders are recorded for
 *   - every connection when the capture has at most --ladders of them (one pass);
 *   - otherwise the first --ladders connections, plus up to --ladders "anomalous" ones (named in a
 *     finding first, then any whose handshake or close is not clean, whose final ACK was lost, or
 *     with an anomaly event). Anomalies are known only once the capture is read, so this takes a
 *     second pass over the files; standard input cannot be read twice, so there only the first
 *     --ladders connections get ladders.
 * Each ladder keeps at most --max-segments segments (first and last halves; the middle counted).
 *
 * Each pass keeps no connection: the page is gathered as connections end (report/html/stream.ts),
 * which past 20,000 connections lists the notable ones and summarises the rest by server.
 */
import { writeFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import type { Argv } from 'yargs';
import type { AnalyzeOptions } from '../pipeline/analyze.js';
import { EVENT_CATALOGUE } from '../model/events.js';
import type { ConnectionReport, Report } from '../model/report.js';
import { compileFilter } from '../report/filter.js';
import { FindingsCollector } from '../report/findings.js';
import { addToSummary, emptySummary } from '../report/summary.js';
import { HtmlReportCollector } from '../report/html/stream.js';
import { OutputWriter, streamAnalysis, type ConnectionStage } from '../pipeline/stream.js';
import type { CliCommand } from './command.js';
import type { CliIO } from './io.js';
import { analyzeOptionsFrom, captureInputs, filterFrom, filterOptions, trackerOptions } from './options.js';
import { nothingRead, orFail, reportCaptureProblems, STREAMING_HEAP_GROWING_PERCENT } from './analyze.js';
import { outputErrorLine } from './errors.js';
import { EXIT } from '../report/exitcode.js';
import { endWithCaptureProblems } from './shared.js';
import { progressReporter } from './progress.js';

export const DEFAULT_LADDERS = 1000;
export const DEFAULT_MAX_SEGMENTS = 200;

export function isAnomalous(c: ConnectionReport): boolean {
  if (c.handshake.kind !== 'three_way' && c.handshake.kind !== 'not_captured') return true;
  if (c.close.kind === 'reset' || c.close.kind === 'half_closed' || c.close.kind === 'not_established') return true;
  if (c.close.finalAckLost) return true;
  // Events that make a connection worth a ladder even beyond the first --ladders: the catalogue's
  // warnings (anomalies, and signs that it struggled: a retransmitted SYN, SYN-ACK or FIN, a last FIN
  // never acknowledged, a 4-tuple reused from TIME_WAIT).
  return c.events.some((e) => EVENT_CATALOGUE[e.kind].severity === 'warning');
}

/**
 * The ids that get ladders beyond the first `ladders`: connections named by findings first, then
 * the other anomalous ones in id order, at most `ladders` of them.
 */
export function anomalousLadderIds(report: Report, ladders: number, findingIds: readonly number[]): number[] {
  const shown = new Set(report.connections.map((c) => c.id));
  const anomalous = report.connections.filter((c) => isAnomalous(c)).map((c) => c.id);
  return pickLadderIds(findingIds.filter((id) => shown.has(id)), anomalous, ladders);
}

/** anomalousLadderIds() from the ids alone: those named by findings, then the anomalous ones. */
function pickLadderIds(findingIds: readonly number[], anomalous: readonly number[], ladders: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const add = (id: number): void => {
    if (out.length < ladders && id > ladders && !seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  };
  for (const id of findingIds) add(id);
  for (const id of [...anomalous].sort((x, y) => x - y)) add(id);
  return out;
}

/**
 * The lowest `keep` ids of anomalous connections past the first `keep` (those already have ladders),
 * noted as connections go by: at most 2 × `keep` ids held.
 */
class LowestAnomalous {
  private ids: number[] = [];
  constructor(private readonly keep: number) {}
  add(c: ConnectionReport): void {
    if (this.keep === 0 || c.id <= this.keep || !isAnomalous(c)) return;
    this.ids.push(c.id);
    if (this.ids.length >= 2 * this.keep) this.ids = this.lowest();
  }
  lowest(): number[] {
    return this.ids.sort((x, y) => x - y).slice(0, this.keep);
  }
}

function builder(y: Argv): Argv {
  return filterOptions(
    trackerOptions(
      y
        .positional('captures', {
          describe: 'pcap or pcapng files (optionally gzipped); - reads standard input',
          type: 'string',
          array: true,
          demandOption: true,
        })
        .option('output', { alias: 'o', type: 'string', default: 'report.html', describe: 'the HTML file to write (- for standard output)', group: 'Output:' })
        .option('title', { type: 'string', describe: 'page title', group: 'Output:' })
        .option('ladders', {
          type: 'number',
          default: DEFAULT_LADDERS,
          describe: 'ladder diagrams for the first N connections plus up to N anomalous others',
          group: 'Output:',
        })
        .option('max-segments', {
          type: 'number',
          default: DEFAULT_MAX_SEGMENTS,
          describe: 'segments kept per ladder (the first and last halves; the middle is counted)',
          group: 'Output:',
        })
        .check((argv) => {
          for (const k of ['ladders', 'max-segments']) {
            const v = argv[k] as number;
            if (!Number.isInteger(v) || v < 0) throw new Error(`--${k} wants a whole number ≥ 0, not ${String(argv[k])}`);
          }
          if (argv['output'] === '') throw new Error('--output wants a file name');
          return true;
        }),
    ),
  )
    .example('$0 report capture.pcap -o report.html', 'a page to open in a browser or attach to a postmortem')
    .example('$0 report a.pcap b.pcapng --port 443 -o tls.html', 'two captures merged, only connections on port 443')
    .example('$0 report big.pcap --ladders 200 -o big.html', 'fewer ladder diagrams for a smaller file');
}

function mib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function run(argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const captures = argv['captures'] as string[];
  const output = argv['output'] as string;
  const ladders = argv['ladders'] as number;
  const maxSegments = argv['max-segments'] as number;
  const compiled = compileFilter(filterFrom(argv));
  const once = captures.includes('-');

  const base: AnalyzeOptions = analyzeOptionsFrom(argv);
  base.maxRecordedSegments = maxSegments;
  // No second reading thread and a tighter heap, as the streaming formats of the default command (see
  // STREAMING_HEAP_GROWING_PERCENT): the report keeps memory flat rather than save a few seconds.
  base.readOnWorker = false;
  setFlagsFromString(`--heap-growing-percent=${STREAMING_HEAP_GROWING_PERCENT}`);
  const progress = progressReporter(io);
  if (progress.onProgress) base.onProgress = progress.onProgress;
  const out = new OutputWriter({ write: () => undefined });

  /**
   * One pass over the inputs: every connection shown goes to the page, the findings and the search
   * for anomalous connections as it ends, and is dropped (see report/html/stream.ts).
   */
  const pass = async (recordSegments: (id: number) => boolean) => {
    const html = new HtmlReportCollector();
    const findings = new FindingsCollector();
    const anomalous = new LowestAnomalous(ladders);
    const summary = emptySummary();
    const stage: ConnectionStage = {
      add(c) {
        if (!compiled.matches(c)) return;
        html.add(c);
        findings.add(c);
        anomalous.add(c);
        addToSummary(summary, c);
      },
      end: async () => undefined,
      close: () => undefined,
    };
    const report = await orFail(() => streamAnalysis(captureInputs(captures, io), { ...base, recordSegments }, stage, out), io);
    if ('exit' in report) return report;
    // Nothing could be read at all (a missing or unreadable file): the errors alone, no page.
    if (nothingRead(report.captures)) {
      reportCaptureProblems(report.captures, io);
      return { exit: EXIT.input };
    }
    return { report, html, findings: findings.result(), anomalous: anomalous.lowest(), summary };
  };

  // Pass 1: ladders for the first N connections (ids are given in order of first appearance).
  let result = await pass((id) => id <= ladders);
  if ('exit' in result) {
    progress.done();
    return result.exit;
  }
  let note: string;
  if (ladders === 0) {
    note = 'No ladders were recorded (--ladders 0).';
  } else if (result.report.summary.connections <= ladders) {
    note = 'Every connection has a ladder.';
  } else {
    const extra = pickLadderIds(result.findings.flatMap((f) => f.connections), result.anomalous, ladders);
    if (extra.length > 0 && !once) {
      // Pass 2: the same inputs, now also recording the anomalous connections found in pass 1.
      const wanted = new Set(extra);
      const second = await pass((id) => id <= ladders || wanted.has(id));
      if ('exit' in second) {
        progress.done();
        return second.exit;
      }
      result = second;
      note = `Ladders were recorded for the first ${ladders} connections and ${extra.length} anomalous others (those named in findings first, then non-clean handshakes and closes, lost final ACKs and anomaly events).`;
    } else if (extra.length > 0) {
      note = `Ladders were recorded for the first ${ladders} connections only: standard input cannot be read a second time to record the anomalous others.`;
    } else {
      note = `Ladders were recorded for the first ${ladders} connections; no later connection was anomalous.`;
    }
  }
  if (ladders > 0) note += ` Each ladder keeps at most ${maxSegments} segments (the first and last halves).`;
  progress.done();

  const { report, html: collector, findings, summary } = result;
  const { connections: _none, ...rest } = report;
  const html = collector.render(
    { ...rest, summary: compiled.empty ? report.summary : summary },
    { findings, ladderNote: note, ...(typeof argv['title'] === 'string' ? { title: argv['title'] } : {}) },
  );
  if (output === '-') io.out(html);
  else {
    try {
      await writeFile(output, html);
    } catch (e) {
      // Nothing was written: the run failed on its output, like a write error on standard output.
      io.err(outputErrorLine(output, e));
      reportCaptureProblems(report.captures, io);
      return EXIT.input;
    }
    io.err(`tcpshake: wrote ${output} (${collector.size} connections, ${mib(Buffer.byteLength(html))})\n`);
  }
  return endWithCaptureProblems(report.captures, io);
}

export const reportCommand: CliCommand = {
  command: 'report <captures..>',
  describe: 'write a self-contained HTML report (charts, connection table, ladder diagrams)',
  builder,
  run,
};
