/**
 * The documented differences between tcpshake and the peer tools on the corpus, by name (trace file
 * and 4-tuple). Each one is explained in docs/agreement.md; any difference not listed here fails the
 * agreement tests, and an entry that no longer differs fails them too (so this list stays true).
 */
import { tupleKey } from './driver.js';

export type DifferenceReason =
  /**
   * Zeek ended the connection on one of its own timers and logged the rest of the 4-tuple apart;
   * tcpshake's own boundaries do not (with --zeek-compat they do).
   */
  | 'zeek_timer_split'
  /**
   * Zeek without -C made the connection from segments whose every checksum was wrong (history `C`) and
   * then dropped them; with `checksums: 'verify'` tcpshake's own connections begin only with a segment
   * it analyses (with --zeek-compat it makes the connection as Zeek does).
   */
  | 'checksum_only_connection'
  /**
   * The observer's test driver decodes frame by frame: it does not reassemble the outer IP fragments a
   * GTP-U tunnel's packets were cut into, so the observer misses that data (the report, which does, agrees).
   */
  | 'driver_without_reassembly'
  /** tshark's FTP dissector created the data connection's conversation ahead of its SYN. */
  | 'tshark_ftp_data_conversation'
  /**
   * Zeek ran without -C: it dropped the bad-checksum SYN unseen, and the 4-tuple's later packets became a
   * second Zeek connection. tcpshake's report, run with the same setting (`zeek.ignoreChecksums: false`),
   * leaves those packets out of its Zeek view too, but keeps one connection per 4-tuple: its own tracker
   * still uses them (the side driver, which splits 4-tuples as Zeek does, reproduces both rows).
   */
  | 'zeek_checksum_split'
  /**
   * A segment came more than the linger (min(2×MSL, 10 s) of capture time, see flow/manager.ts) after
   * the connection had closed: tcpshake reported the connection and the late segment started a new one,
   * where tshark keeps one stream.
   */
  | 'report_linger_split';

export interface DocumentedDifference {
  /** The expected-output file (`*.expected*.tsv` or `*.tshark.tsv`), relative to the corpus. */
  file: string;
  /** The two endpoints, "ip:port", in either order. */
  x: string;
  y: string;
  reason: DifferenceReason;
}

export const ZEEK_DIFFERENCES: readonly DocumentedDifference[] = [
  // Only the client's side was captured; Zeek's attempt timer ended the unanswered SYN (S0 "SAD")
  // and the rest of the same 4-tuple became a second connection (SH "DAF").
  ...[
    ['192.168.1.79:51880', '131.159.21.1:22'],
    ['192.168.2.1:57189', '192.168.2.158:22'],
    ['192.168.2.1:56594', '192.168.2.158:22'],
    ['192.168.2.1:56875', '192.168.2.158:22'],
    ['192.168.1.32:41164', '128.2.10.238:22'],
  ].map(([x, y]) => ({ file: 'zeek/ssh__ssh.client-side-half-duplex.expected.tsv', x: x!, y: y!, reason: 'zeek_timer_split' as const })),
  // Data retransmitted after 300 s: Zeek's 5-minute inactivity timeout split the 4-tuple in two (the
  // timers_suppressed variant of the same trace is the single connection, and agrees).
  { file: 'zeek/tcp__retransmit-timeout.expected.tsv', x: '10.0.0.1:51889', y: '192.168.0.1:80', reason: 'zeek_timer_split' },
  // Close and reset delays ended these connections; late FIN/RST segments became new Zeek connections.
  { file: 'zeek/tunnels__Teredo.expected.tsv', x: '192.168.2.16:1576', y: '75.126.130.163:80', reason: 'zeek_timer_split' },
  { file: 'zeek/tunnels__Teredo.expected.tsv', x: '192.168.2.16:1577', y: '75.126.203.78:80', reason: 'zeek_timer_split' },
  { file: 'zeek/tunnels__Teredo.expected.tsv', x: '192.168.2.16:1578', y: '75.126.203.78:80', reason: 'zeek_timer_split' },
  {
    file: 'zeek/tunnels__gtp__gtp2_different_udp_port.expected.tsv',
    x: '10.131.17.170:51803',
    y: '173.199.115.168:80',
    reason: 'driver_without_reassembly',
  },
];

/** Differences of tcpshake's report with its own connection boundaries (no --zeek-compat). */
export const ZEEK_REPORT_DIFFERENCES: readonly DocumentedDifference[] = [
  // The server's late RST on 1578 came 16 s after the reset: past tcpshake's linger too, so the report
  // logs it apart as Zeek does (RSTO ShADadR, RSTRH ^r).
  ...ZEEK_DIFFERENCES.filter((d) => d.x !== '192.168.2.16:1578' && d.reason !== 'driver_without_reassembly'),
  { file: 'zeek/chksums__localhost-bad-chksum.expected.tsv', x: '192.168.1.28:53246', y: '35.221.46.9:80', reason: 'zeek_checksum_split' },
  { file: 'zeek/tcp__syn-bad.expected.tsv', x: '141.142.228.5:59856', y: '192.150.187.43:80', reason: 'checksum_only_connection' },
];

/** Differences of tcpshake's report with Zeek's boundaries (--zeek-compat): every row counted. */
export const ZEEK_COMPAT_DIFFERENCES: readonly DocumentedDifference[] = [];

/**
 * Packet and byte counts of `--format zeek --zeek-compat` rows that differ from Zeek's (rows that agree
 * in conn_state and history). The snap length cut this trace's only packet inside its TCP header: Zeek
 * made the connection but analysed and counted nothing of it; tcpshake counts the packet it saw.
 */
export const ZEEK_COMPAT_COUNT_DIFFERENCES: readonly string[] = [
  'zeek/vntag_vlan_sandwich_clean.expected.tsv 10.10.10.1:443 orig_pkts: Zeek 0, tcpshake 1',
];

export const COMPLETENESS_DIFFERENCES: readonly DocumentedDifference[] = [
  ...['57086', '57087', '57088'].map((port) => ({
    file: 'zeek/ftp__ipv6.tshark.tsv',
    x: `2001:470:1f11:81f:c999:d94:aa7c:2e3e:${49186 + Number(port) - 57086}`,
    y: `2001:470:4867:99::21:${port}`,
    reason: 'tshark_ftp_data_conversation' as const,
  })),
];

/** Differences of tcpshake's report only (how it splits a 4-tuple into connections). */
export const COMPLETENESS_REPORT_DIFFERENCES: readonly DocumentedDifference[] = [
  ...COMPLETENESS_DIFFERENCES,
  // The server's RST+ACK came 16 s after the close completed (server in TIME_WAIT): past the linger.
  ...['zeek/tunnels__Teredo.tshark.tsv', 'suricata-verify/decode-teredo-01.tshark.tsv'].map((file) => ({
    file,
    x: '75.126.203.78:80',
    y: '192.168.2.16:1577',
    reason: 'report_linger_split' as const,
  })),
];

export function differenceKey(file: string, x: string, y: string): string {
  return `${file}|${tupleKey(x, y)}`;
}

export function indexDifferences(list: readonly DocumentedDifference[]): Map<string, DocumentedDifference> {
  return new Map(list.map((d) => [differenceKey(d.file, d.x, d.y), d]));
}
