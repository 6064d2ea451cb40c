/**
 * How each Zeek run behind the corpus baselines was configured, read from its command line in
 * manifest.json and from the scripts its btest file loads (zeek/zeek at the corpus's commit), so that
 * tcpshake can be run the same way.
 */
import type { AnalyzeOptions } from '../../src/pipeline/analyze.js';

/** -C (or an ignore_checksums_nets covering the trace) means Zeek did not drop bad checksums. */
export function ignoresChecksums(cmd: string): boolean {
  return /\s-[a-zA-Z]*C/.test(cmd) || cmd.includes('ignore_checksums_nets');
}

/** `zeek -b` loads no protocol scripts but those its test file loads. */
export function bareMode(cmd: string): boolean {
  return /\s-b\b/.test(cmd);
}

/**
 * The TCP ports each protocol script adds to `likely_server_ports` (its `ports` registered with
 * Analyzer::register_for_ports, scripts/base/protocols/<name>/main.zeek).
 */
const PROTOCOL_SERVER_PORTS: Record<string, readonly number[]> = {
  http: [80, 81, 631, 1080, 3128, 8000, 8080, 8888],
  dns: [53],
  ftp: [21, 2811],
  ssl: [443, 465, 563, 585, 614, 636, 989, 990, 992, 993, 995, 5223],
  irc: [6666, 6667, 6668, 6669],
  krb: [88],
  redis: [6379],
  syslog: [514],
};

/** The protocol scripts the btest files of the bare (-b) runs load (`@load base/protocols/<name>`). */
const BARE_RUN_PROTOCOLS: Record<string, readonly string[]> = {
  'testing/btest/core/vlan-mpls.zeek': ['http'],
  'testing/btest/scripts/base/protocols/ftp/ftp-ipv6.zeek': ['ftp'],
  'testing/btest/core/tcp/miss-end-data.zeek': ['http'],
  'testing/btest/scripts/base/protocols/irc/starttls.test': ['ssl', 'irc'],
  'testing/btest/scripts/base/protocols/krb/krb-service-name.test': ['krb'],
  'testing/btest/scripts/base/protocols/redis/django-cloud.zeek': ['redis'],
  'testing/btest/core/tcp/reassembly-known-ports.zeek': ['http'],
  'testing/btest/scripts/base/protocols/http/http-connect-with-header.zeek': ['http', 'ssl'],
  'testing/btest/core/tunnels/teredo.zeek': ['http', 'dns'],
  'testing/btest/core/tunnels/gtp/different_dl_and_ul.test': ['http'],
  'testing/btest/scripts/base/protocols/syslog/tcp-framing.test': ['syslog'],
};

export interface ZeekRun {
  /** The baseline, relative to the corpus. */
  file: string;
  pcap: string;
  cmd: string;
  /** The Zeek test file (for a bare run's loaded scripts). */
  testFile: string;
}

/**
 * analyze() options that reproduce the run: `checksums: 'verify'` without -C, and the likely server
 * ports of the scripts it loaded (none but its test's own under -b, Zeek's defaults otherwise).
 */
export function optionsFor(run: ZeekRun, compat: boolean): AnalyzeOptions {
  const ports = bareMode(run.cmd)
    ? (BARE_RUN_PROTOCOLS[run.testFile] ?? []).flatMap((p) => PROTOCOL_SERVER_PORTS[p] ?? [])
    : 'default';
  const options: AnalyzeOptions = {
    checksums: ignoresChecksums(run.cmd) ? 'ignore' : 'verify',
    zeek: { compat, likelyServerPorts: ports },
  };
  // The timers_suppressed variant's script kept Zeek's timer manager from expiring any timer during
  // the trace: no inactivity timeout either.
  if (compat && run.file.includes('timers_suppressed')) options.idleTimeout = Infinity;
  return options;
}
