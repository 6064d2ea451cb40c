/**
 * Option groups shared by commands (analyze, ladder, and the check/report commands registered in
 * commands.ts): inputs, tracker settings, connection filters. Each group is a builder plus a
 * function turning the parsed values into library options.
 */
import { statSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { AnalyzeOptions, CaptureInput } from '../pipeline/analyze.js';
import { UDP_TUNNEL_NAMES, type DecapOptions, type UdpTunnelName } from '../decode/index.js';
import { parseFilter, type ConnectionFilter } from '../report/filter.js';
import { STDIN_TOKEN, type CliIO } from './io.js';
import { UsageError } from './errors.js';

/** Positional `<capture...>`; `-` is standard input (at most once). */
export function captureInputs(captures: readonly string[], io: CliIO): CaptureInput[] {
  const isStdin = (c: string): boolean => c === '-' || c === STDIN_TOKEN;
  if (captures.filter(isStdin).length > 1) throw new UsageError('standard input (-) can be read only once');
  return captures.map((c) => (isStdin(c) ? { name: '-', stream: io.stdin } : c));
}

/**
 * Capture bytes (in files) from which the CLI reads on a second thread (AnalyzeOptions.readOnWorker):
 * below this, starting the thread (about 40 ms) costs about as much as reading takes.
 */
export const READ_ON_WORKER_MIN_BYTES = 8 << 20;

export function worthReadingOnWorker(inputs: CaptureInput[]): boolean {
  let total = 0;
  for (const input of inputs) {
    if (typeof input !== 'string') return false;
    try {
      total += statSync(input).size;
    } catch {
      // Unreadable: reading it (on either thread) reports why.
    }
  }
  return total >= READ_ON_WORKER_MIN_BYTES;
}

/** True when the positional names standard input. */
export function isStdinArg(c: string): boolean {
  return c === '-' || c === STDIN_TOKEN;
}

export function trackerOptions<T>(y: Argv<T>) {
  return y
    .option('msl', {
      type: 'number',
      default: 30,
      describe: 'maximum segment lifetime in seconds of capture time; TIME_WAIT lasts 2×MSL',
      group: 'Tracking:',
    })
    .option('idle-timeout', {
      type: 'number',
      describe: 'expire connections idle for this many seconds of capture time (default: never; with --zeek-compat: Zeek\'s inactivity timeout, 300)',
      group: 'Tracking:',
    })
    .option('checksums', {
      choices: ['ignore', 'verify'] as const,
      default: 'ignore' as const,
      describe: 'ignore: analyse segments whatever their checksums (as zeek -C); verify: leave segments with a wrong IPv4 header or TCP checksum out (as Zeek without -C)',
      group: 'Tracking:',
    })
    .option('zeek-compat', {
      type: 'boolean',
      describe: "split connections where a default Zeek run does (its reuse rule and its attempt, close, reset and inactivity timers), so --format zeek lines up row for row with Zeek's conn.log",
      group: 'Tracking:',
    })
    .option('zeek-bare', {
      type: 'boolean',
      describe: "the Zeek view as `zeek -b`: no likely-server-port list, so the originator is the first packet's sender unless the handshake says otherwise",
      group: 'Tracking:',
    })
    .option('decap', {
      type: 'boolean',
      default: true,
      describe: 'open tunnels (VXLAN, GENEVE, GRE, ERSPAN, IP-in-IP, GTP-U, Teredo, AYIYA, PBB); --no-decap leaves them closed',
      group: 'Tunnels:',
    })
    .option('tunnel-port', {
      type: 'string',
      describe: `open a UDP tunnel on another port too, KIND=PORT (KIND: ${UDP_TUNNEL_NAMES.join(', ')}), e.g. vxlan=4790; repeatable`,
      group: 'Tunnels:',
    })
    .check((argv) => {
      tunnelPortsFrom(argv);
      const msl = argv['msl'] as number | undefined;
      if (msl !== undefined && (!Number.isFinite(msl) || msl < 0)) throw new Error(`--msl must be a number of seconds ≥ 0, not ${String(argv['msl'])}`);
      const idle = argv['idle-timeout'] as number | undefined;
      if (idle !== undefined && (!Number.isFinite(idle) || idle <= 0)) {
        throw new Error(`--idle-timeout must be a number of seconds > 0, not ${String(idle)}`);
      }
      return true;
    });
}

export function analyzeOptionsFrom(argv: Record<string, unknown>): AnalyzeOptions {
  const o: AnalyzeOptions = {};
  const msl = argv['msl'] as number | undefined;
  if (msl !== undefined) o.msl = msl;
  const idle = argv['idle-timeout'] as number | undefined;
  if (idle !== undefined) o.idleTimeout = idle;
  if (argv['checksums'] === 'verify') o.checksums = 'verify';
  if (argv['zeek-compat'] === true || argv['zeek-bare'] === true) {
    o.zeek = {
      ...(argv['zeek-compat'] === true ? { compat: true } : {}),
      ...(argv['zeek-bare'] === true ? { likelyServerPorts: 'none' as const } : {}),
    };
  }
  const ports = tunnelPortsFrom(argv);
  if (argv['decap'] === false || ports !== undefined) {
    const d: DecapOptions = {};
    if (argv['decap'] === false) d.enabled = false;
    if (ports !== undefined) d.ports = ports;
    o.decapsulation = d;
  }
  return o;
}

/** `--tunnel-port KIND=PORT` values (repeatable or comma-separated); throws a usage message on a bad one. */
export function tunnelPortsFrom(argv: Record<string, unknown>): Partial<Record<UdpTunnelName, number[]>> | undefined {
  const raw = argv['tunnel-port'];
  if (raw === undefined) return undefined;
  const ports: Partial<Record<UdpTunnelName, number[]>> = {};
  for (const item of (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(','))) {
    const m = /^\s*([a-z]+)\s*=\s*(\d+)\s*$/.exec(item);
    const kind = m?.[1] as UdpTunnelName | undefined;
    const port = Number(m?.[2]);
    if (m === null || kind === undefined || !UDP_TUNNEL_NAMES.includes(kind) || !(port >= 1 && port <= 65535)) {
      throw new Error(`--tunnel-port takes KIND=PORT with KIND one of ${UDP_TUNNEL_NAMES.join(', ')} and PORT 1..65535, not ${JSON.stringify(item)}`);
    }
    (ports[kind] ??= []).push(port);
  }
  return ports;
}

const FILTER_KEYS = ['host', 'port', 'net', 'connection', 'handshake', 'close', 'event'] as const;

export function filterOptions<T>(y: Argv<T>) {
  const g = 'Filters (repeatable or comma-separated; different filters must all match):';
  return y
    .option('host', { type: 'string', describe: 'connections with this IP address at either end', group: g })
    .option('port', { type: 'string', describe: 'connections with this port at either end', group: g })
    .option('net', { type: 'string', describe: 'connections with an end in this IPv4/IPv6 CIDR network', group: g })
    .option('connection', { alias: 'c', type: 'string', describe: 'connection by id (as in the report)', group: g })
    .option('handshake', { type: 'string', describe: 'connections whose handshake is of this kind', group: g })
    .option('close', { type: 'string', describe: 'connections whose close is of this kind', group: g })
    .option('event', { type: 'string', describe: 'connections with at least one event of this kind', group: g })
    .check((argv) => {
      filterFrom(argv);
      return true;
    });
}

/** The parsed filter; throws (a usage error, via yargs' check) on values that do not parse. */
export function filterFrom(argv: Record<string, unknown>): ConnectionFilter {
  const raw: Record<string, string[] | undefined> = {};
  for (const k of FILTER_KEYS) {
    const v = argv[k];
    if (v !== undefined) raw[k] = (Array.isArray(v) ? v : [v]).map(String);
  }
  return parseFilter(raw);
}

export function colorOption<T>(y: Argv<T>) {
  return y.option('color', {
    type: 'boolean',
    describe: 'colour output (default: only on a terminal and without NO_COLOR); --no-color turns it off',
  });
}
