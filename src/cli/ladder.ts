/**
 * `tcpshake ladder <capture...> [--connection ID | --client IP:PORT]`: one connection as a sequence
 * diagram (terminal, or Mermaid for Markdown).
 */
import type { Argv } from 'yargs';
import type { AnalyzeOptions } from '../pipeline/analyze.js';
import type { ConnectionReport, Report } from '../model/report.js';
import { parseIp, sameBytes } from '../util/ip.js';
import { endpointText } from '../model/endpoint.js';
import { renderLadder } from '../report/ladder.js';
import { renderMermaid } from '../report/mermaid.js';
import type { CliCommand } from './command.js';
import { useColor, type CliIO } from './io.js';
import { UsageError } from './errors.js';
import { analyzeOptionsFrom, captureInputs, colorOption, isStdinArg, trackerOptions } from './options.js';
import { analyzeOrFail, reportCaptureProblems } from './analyze.js';
import { inCaptureOrder } from '../pipeline/capture-order.js';
import { endWithCaptureProblems } from './shared.js';

export const LADDER_FORMATS = ['text', 'mermaid'] as const;

/** `10.0.0.1:40000` or `[2001:db8::1]:40000` → address bytes and port; null when malformed. */
export function parseEndpoint(text: string): { ip: Uint8Array; port: number } | null {
  const m = /^\[([^\]]+)\]:([0-9]{1,5})$/.exec(text) ?? /^([^:]+):([0-9]{1,5})$/.exec(text);
  if (!m) return null;
  const ip = parseIp(m[1]!);
  const port = Number(m[2]);
  if (!ip || port > 65535) return null;
  return { ip, port };
}

function builder(y: Argv): Argv {
  return colorOption(
    trackerOptions(
      y
        .positional('captures', {
          describe: 'pcap or pcapng files; - reads standard input',
          type: 'string',
          demandOption: true,
        })
        .option('connection', { alias: 'c', type: 'number', describe: 'the connection id (as in the report)' })
        .option('client', { type: 'string', describe: 'the connection from this client, IP:PORT ([IPv6]:PORT)' })
        .option('format', { alias: 'f', choices: LADDER_FORMATS, default: 'text', describe: 'text or a Mermaid sequenceDiagram' })
        .option('full', { type: 'boolean', default: false, describe: 'show every segment (long connections elide the data in the middle)' })
        .option('width', { type: 'number', describe: 'width in columns (default: the terminal, else 100)' })
        .conflicts('connection', 'client')
        .check((argv) => {
          const id = argv['connection'] as number | undefined;
          if (id !== undefined && (!Number.isInteger(id) || id < 1)) throw new Error(`--connection wants a connection id, not ${String(id)}`);
          const cl = argv['client'] as string | undefined;
          if (cl !== undefined && !parseEndpoint(cl)) throw new Error(`--client wants IP:PORT or [IPv6]:PORT, not ${cl}`);
          return true;
        }),
    ),
  )
    .example('$0 ladder x.pcap --connection 3', 'connection #3 as a sequence diagram')
    .example('$0 ladder x.pcap --client 10.0.0.1:40000', 'the connection from that client port')
    .example('$0 ladder -f mermaid x.pcap -c 3', 'a diagram GitHub and GitLab render');
}

function listing(conns: ConnectionReport[]): string {
  return conns
    .slice(0, 20)
    .map((c) => `  #${c.id} ${endpointText(c.client.ip, c.client.port)} → ${endpointText(c.server.ip, c.server.port)} ${c.handshake.kind}/${c.close.kind}\n`)
    .join('');
}

async function run(argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const captures = argv['captures'] as string[];
  const id = argv['connection'] as number | undefined;
  const clientText = argv['client'] as string | undefined;
  const client = clientText !== undefined ? parseEndpoint(clientText) : null;
  const full = argv['full'] === true;
  const base = analyzeOptionsFrom(argv);
  if (full) base.maxRecordedSegments = Number.MAX_SAFE_INTEGER;

  const analyzeWith = async (recordSegments: AnalyzeOptions['recordSegments']): Promise<Report | { exit: number }> =>
    analyzeOrFail(captureInputs(captures, io), { ...base, recordSegments }, io);

  let report: Report;
  let chosen: ConnectionReport | undefined;
  if (id !== undefined) {
    // Segments are recorded for the chosen connection only: memory stays small on big captures.
    const r = await analyzeWith((cid) => cid === id);
    if ('exit' in r) return r.exit;
    report = r;
    chosen = report.connections.find((c) => c.id === id);
    if (!chosen) {
      reportCaptureProblems(report.captures, io);
      throw new UsageError(`no connection #${id} in the capture (${report.connections.length} connections)`);
    }
  } else {
    // The id is known only after a first look; a file can be read twice, standard input cannot
    // (then every connection's segments are recorded in the one pass).
    const once = captures.some(isStdinArg);
    const r = await analyzeWith(once ? true : false);
    if ('exit' in r) return r.exit;
    const conns = inCaptureOrder(r.connections, r.captures.length > 1);
    let candidates = conns;
    if (client) {
      candidates = conns.filter((c) => {
        const ip = parseIp(c.client.ip);
        return ip !== null && sameBytes(ip, client.ip) && c.client.port === client.port;
      });
    }
    if (candidates.length === 0) {
      reportCaptureProblems(r.captures, io);
      throw new UsageError(
        client
          ? `no connection from client ${clientText}; the capture has:\n${listing(conns)}`
          : 'the capture has no TCP connections',
      );
    }
    if (!client && candidates.length > 1) {
      reportCaptureProblems(r.captures, io);
      throw new UsageError(`the capture has ${candidates.length} connections; choose one with --connection ID or --client IP:PORT:\n${listing(candidates)}`);
    }
    if (candidates.length > 1) {
      io.err(`tcpshake: note: ${candidates.length} connections from ${clientText} (ids ${candidates.map((c) => c.id).join(', ')}); showing #${candidates[0]!.id}, choose with --connection\n`);
    }
    const wanted = candidates[0]!.id;
    if (once) {
      report = r;
      chosen = candidates[0];
    } else {
      const again = await analyzeWith((cid) => cid === wanted);
      if ('exit' in again) return again.exit;
      report = again;
      chosen = report.connections.find((c) => c.id === wanted);
      if (!chosen) throw new Error(`connection #${wanted} not found on the second pass`);
    }
  }

  const width = (argv['width'] as number | undefined) ?? (io.columns ? Math.min(io.columns, 160) : 100);
  // Frame numbers are per file: a multi-file ladder names them FILE:FRAME and says which file is which.
  const files = report.captures.map((c) => c.file);
  if (argv['format'] === 'mermaid') io.out(renderMermaid(chosen, { full, files }));
  else io.out(renderLadder(chosen, { color: useColor(io, argv['color'] as boolean | undefined), full, width, files }));
  return endWithCaptureProblems(report.captures, io);
}

export const ladderCommand: CliCommand = {
  command: 'ladder <captures..>',
  describe: 'draw one connection as a sequence diagram (terminal or Mermaid)',
  builder,
  run,
};
