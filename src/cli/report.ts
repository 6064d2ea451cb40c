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
 */
import { writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import type { AnalyzeOptions } from '../pipeline/analyze.js';
import { EVENT_CATALOGUE } from '../model/events.js';
import type { ConnectionReport, Report } from '../model/report.js';
import { compileFilter } from '../report/filter.js';
import { computeFindings } from '../report/findings.js';
import { summarize } from '../report/summary.js';
import { renderHtml } from '../report/html/index.js';
import type { CliCommand } from './command.js';
import type { CliIO } from './io.js';
import { analyzeOptionsFrom, captureInputs, filterFrom, filterOptions, trackerOptions } from './options.js';
import { analyzeOrFail, reportCaptureProblems } from './analyze.js';
import { inCaptureOrder } from '../pipeline/capture-order.js';
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
  const beyond = (id: number): boolean => id > ladders;
  const byId = new Map(report.connections.map((c) => [c.id, c]));
  const out: number[] = [];
  const seen = new Set<number>();
  const add = (id: number): void => {
    if (out.length < ladders && beyond(id) && !seen.has(id) && byId.has(id)) {
      seen.add(id);
      out.push(id);
    }
  };
  for (const id of findingIds) add(id);
  const rest = report.connections.filter((c) => beyond(c.id) && isAnomalous(c)).map((c) => c.id);
  rest.sort((a, b) => a - b);
  for (const id of rest) add(id);
  return out;
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
  const progress = progressReporter(io);
  if (progress.onProgress) base.onProgress = progress.onProgress;

  // Pass 1: ladders for the first N connections (ids are given in order of first appearance).
  const first = await analyzeOrFail(captureInputs(captures, io), { ...base, recordSegments: (id) => id <= ladders }, io);
  if ('exit' in first) {
    progress.done();
    return first.exit;
  }
  let report: Report = first;
  let note: string;
  const pick = (r: Report): Report => {
    const all = inCaptureOrder(r.connections, r.captures.length > 1);
    const shown = compiled.empty ? all : all.filter((c) => compiled.matches(c));
    return { ...r, connections: shown, summary: compiled.empty ? r.summary : summarize(shown) };
  };
  let shown = pick(report);
  let findings = computeFindings(shown);

  if (ladders === 0) {
    note = 'No ladders were recorded (--ladders 0).';
  } else if (report.connections.length <= ladders) {
    note = 'Every connection has a ladder.';
  } else {
    const extra = anomalousLadderIds(shown, ladders, findings.flatMap((f) => f.connections));
    if (extra.length > 0 && !once) {
      // Pass 2: the same inputs, now also recording the anomalous connections found in pass 1.
      const wanted = new Set(extra);
      const second = await analyzeOrFail(
        captureInputs(captures, io),
        { ...base, recordSegments: (id) => id <= ladders || wanted.has(id) },
        io,
      );
      if ('exit' in second) {
        progress.done();
        return second.exit;
      }
      report = second;
      shown = pick(report);
      findings = computeFindings(shown);
      note = `Ladders were recorded for the first ${ladders} connections and ${extra.length} anomalous others (those named in findings first, then non-clean handshakes and closes, lost final ACKs and anomaly events).`;
    } else if (extra.length > 0) {
      note = `Ladders were recorded for the first ${ladders} connections only: standard input cannot be read a second time to record the anomalous others.`;
    } else {
      note = `Ladders were recorded for the first ${ladders} connections; no later connection was anomalous.`;
    }
  }
  if (ladders > 0) note += ` Each ladder keeps at most ${maxSegments} segments (the first and last halves).`;
  progress.done();

  const html = renderHtml(shown, {
    findings,
    ladderNote: note,
    ...(typeof argv['title'] === 'string' ? { title: argv['title'] } : {}),
  });
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
    io.err(`tcpshake: wrote ${output} (${shown.connections.length} connections, ${mib(Buffer.byteLength(html))})\n`);
  }
  return endWithCaptureProblems(report.captures, io);
}

export const reportCommand: CliCommand = {
  command: 'report <captures..>',
  describe: 'write a self-contained HTML report (charts, connection table, ladder diagrams)',
  builder,
  run,
};
