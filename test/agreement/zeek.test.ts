/**
 * tcpshake's Zeek conn_state/history against the conn.log rows Zeek's own test suite checked in
 * (../shared/corpus/zeek/*.expected*.tsv), every row counted: tcpshake's report run like each Zeek run
 * (`checksums: 'verify'` without -C, the likely server ports of the scripts it loaded), first with
 * Zeek's connection boundaries (`zeek.compat`, one connection per conn.log row), then with tcpshake's
 * own; then the observer alone, fed by a driver that splits 4-tuples with Zeek's reuse rule only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import type { Report } from '../../src/model/index.js';
import { ZEEK_LIKELY_SERVER_PORTS } from '../../src/tracker/zeek.js';
import { analyzeProduct, CORPUS, driveZeek, readManifest, readTsv, tupleKey, type ProductConnection } from './driver.js';
import {
  differenceKey,
  indexDifferences,
  ZEEK_COMPAT_COUNT_DIFFERENCES,
  ZEEK_COMPAT_DIFFERENCES,
  ZEEK_DIFFERENCES,
  ZEEK_REPORT_DIFFERENCES,
  type DocumentedDifference,
} from './exceptions.js';
import { ignoresChecksums, optionsFor, type ZeekRun } from './zeek-runs.js';

type Run = ZeekRun;

function runs(): Run[] {
  const out: Run[] = [];
  for (const e of readManifest()) {
    if (e.source !== 'zeek/zeek') continue;
    const testFile = e.test_file ?? '';
    out.push({ file: `zeek/${e.name}.expected.tsv`, pcap: e.file, cmd: e.zeek_cmd ?? '', testFile });
    for (const v of e.variants ?? []) {
      if (v.file !== undefined) out.push({ file: `zeek/${v.file}`, pcap: e.file, cmd: v.cmd ?? '', testFile });
    }
  }
  return out;
}

/** The likely server ports of the run, as the observer takes them. */
function serverPortsOf(run: Run): ReadonlySet<number> {
  const p = optionsFor(run, false).zeek?.likelyServerPorts;
  return p === undefined || p === 'default' ? ZEEK_LIKELY_SERVER_PORTS : new Set(p === 'none' ? [] : p);
}

const history = (h: string): string => (h === '-' ? '' : h);

/** A connection of tcpshake's to line up with a Zeek row (Wireshark's completeness is not compared here). */
type Candidate = Omit<ProductConnection, 'completeness'> & {
  /** Zeek's originator when known (the side driver knows it; the report says it through `^`). */
  orig: string | null;
};

interface RowResult {
  file: string;
  orig: string;
  resp: string;
  expState: string;
  expHistory: string;
  /** The baseline's row. */
  row: Record<string, string>;
  ours: Candidate | null;
  stateOk: boolean;
  historyOk: boolean;
}

/** Connections of ours that no expected row took, per baseline ("file: 4-tuple state history"). */
type Unmatched = string[];

/** Pairs every expected row with one of our connections and compares. */
async function compareAll(connections: (run: Run) => Promise<Candidate[]>, unmatched: Unmatched = []): Promise<RowResult[]> {
  const results: RowResult[] = [];
  for (const run of runs()) {
    const conns = await connections(run);
    const used = new Set<Candidate>();
    for (const row of readTsv(join(CORPUS, run.file)).rows) {
      const orig = `${row['id.orig_h']}:${row['id.orig_p']}`;
      const resp = `${row['id.resp_h']}:${row['id.resp_p']}`;
      const key = tupleKey(orig, resp);
      const duration = Number(row.duration);
      // Match by 4-tuple in either orientation; with port reuse prefer Zeek's orientation, then the
      // closest duration, then start order.
      const candidates = conns
        .filter((c) => !used.has(c) && tupleKey(c.x, c.y) === key)
        .map((c, i) => ({
          c,
          i,
          score: (c.orig === null || c.orig === orig ? 0 : 1e9) + (Number.isFinite(duration) ? Math.abs(c.lastTs - c.firstTs - duration) : 0),
        }))
        .sort((p, q) => p.score - q.score || p.i - q.i);
      const ours = candidates[0]?.c ?? null;
      if (ours !== null) used.add(ours);
      const expState = row.conn_state ?? '-';
      const expHistory = history(row.history ?? '-');
      results.push({
        file: run.file,
        orig,
        resp,
        expState,
        expHistory,
        row,
        ours,
        stateOk: ours !== null && (expState === '-' || ours.connState === expState),
        historyOk: ours !== null && ours.history === expHistory && (ours.orig === null || ours.orig === orig),
      });
    }
    for (const c of conns) if (!used.has(c)) unmatched.push(`${run.file}: ${c.x} - ${c.y} ${c.connState} ${c.history || '-'}`);
  }
  return results;
}

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

interface Thresholds {
  /** Share of the comparable rows (documented differences left out) that must agree. */
  comparable?: { state: number; history: number };
  /** Share of all rows that must agree. */
  all?: { state: number; history: number };
}

/** Prints the figures, then fails on any undocumented or stale difference and below the thresholds. */
function judge(label: string, results: RowResult[], differences: readonly DocumentedDifference[], thresholds: Thresholds): void {
  const documented = indexDifferences(differences);
  const isDocumented = (r: RowResult) => documented.has(differenceKey(r.file, r.orig, r.resp));
  const comparable = results.filter((r) => !isDocumented(r));
  const withState = (rs: RowResult[]) => rs.filter((r) => r.expState !== '-');

  const stateAgree = withState(comparable).filter((r) => r.stateOk).length;
  const historyAgree = comparable.filter((r) => r.historyOk).length;
  const rawState = withState(results).filter((r) => r.stateOk).length;
  const rawHistory = results.filter((r) => r.historyOk).length;
  console.log(
    `${label}: over ${comparable.length} comparable rows (${results.length - comparable.length} documented differences left out) ` +
      `conn_state ${stateAgree}/${withState(comparable).length} = ${pct(stateAgree, withState(comparable).length)}, ` +
      `history ${historyAgree}/${comparable.length} = ${pct(historyAgree, comparable.length)}; over all ${results.length} rows ` +
      `conn_state ${rawState}/${withState(results).length} = ${pct(rawState, withState(results).length)}, ` +
      `history ${rawHistory}/${results.length} = ${pct(rawHistory, results.length)}`,
  );

  const describeRow = (r: RowResult) =>
    `${r.file} ${r.orig} -> ${r.resp}: expected ${r.expState} ${r.expHistory || '-'}, got ` +
    (r.ours === null ? 'no connection' : `${r.ours.connState} ${r.ours.history || '-'}${r.ours.orig === null ? '' : ` (orig ${r.ours.orig})`}`);
  expect(comparable.filter((r) => !r.stateOk || !r.historyOk).map(describeRow)).toEqual([]);

  // A documented difference that has gone away must leave the list (and docs/agreement.md).
  const stale = differences.filter((d) => {
    const rows = results.filter((r) => differenceKey(r.file, r.orig, r.resp) === differenceKey(d.file, d.x, d.y));
    return rows.length > 0 && rows.every((r) => r.stateOk && r.historyOk);
  });
  expect(stale).toEqual([]);

  if (thresholds.comparable !== undefined) {
    expect(stateAgree / withState(comparable).length).toBeGreaterThanOrEqual(thresholds.comparable.state);
    expect(historyAgree / comparable.length).toBeGreaterThanOrEqual(thresholds.comparable.history);
  }
  if (thresholds.all !== undefined) {
    expect(rawState / withState(results).length).toBeGreaterThanOrEqual(thresholds.all.state);
    expect(rawHistory / results.length).toBeGreaterThanOrEqual(thresholds.all.history);
  }
}

describe.skipIf(!existsSync(CORPUS))('agreement with Zeek conn.log (corpus)', () => {
  it("--zeek-compat with each Zeek run's settings: one connection per conn.log row, conn_state ≥ 97% and history ≥ 95% of all rows", async () => {
    const unmatched: Unmatched = [];
    const results = await compareAll(
      async (run) =>
        (await analyzeProduct(join(CORPUS, run.pcap), optionsFor(run, true))).map((c) => ({
          ...c,
          // The originator of the --format zeek row must be Zeek's too.
          orig: `${c.zeekRow['id.orig_h']}:${c.zeekRow['id.orig_p']}`,
        })),
      unmatched,
    );
    judge('Zeek agreement of the report with --zeek-compat', results, ZEEK_COMPAT_DIFFERENCES, { all: { state: 0.97, history: 0.95 } });
    // Row for row: no connection of ours that Zeek did not log.
    expect(unmatched).toEqual([]);
    // The --format zeek row's packet and byte counts, wherever the baseline has them.
    const counts = ['orig_pkts', 'resp_pkts', 'orig_bytes', 'resp_bytes'];
    let compared = 0;
    const differing: string[] = [];
    for (const r of results) {
      if (r.ours === null) continue;
      for (const f of counts) {
        const expected = r.row[f];
        if (expected === undefined || expected === '-') continue;
        compared++;
        const got = r.ours.zeekRow[f];
        if (got !== expected) differing.push(`${r.file} ${r.orig} ${f}: Zeek ${expected}, tcpshake ${got}`);
      }
    }
    console.log(`--format zeek --zeek-compat packet and byte counts: ${compared - differing.length}/${compared} agree`);
    expect(differing).toEqual(ZEEK_COMPAT_COUNT_DIFFERENCES);
  }, 60_000);

  it("tcpshake's own boundaries with each Zeek run's settings: conn_state ≥ 95%, history ≥ 90% of comparable rows, every difference documented", async () => {
    const results = await compareAll(async (run) =>
      (await analyzeProduct(join(CORPUS, run.pcap), optionsFor(run, false))).map((c) => ({ ...c, orig: null })),
    );
    judge('Zeek agreement of the report with its own boundaries', results, ZEEK_REPORT_DIFFERENCES, {
      comparable: { state: 0.95, history: 0.9 },
    });
  }, 60_000);

  it("ZeekObserver under each Zeek run's own settings, 4-tuples split by Zeek's reuse rule only: every difference documented", async () => {
    const results = await compareAll(async (run) =>
      (
        await driveZeek(join(CORPUS, run.pcap), {
          ignoreChecksums: ignoresChecksums(run.cmd),
          likelyServerPorts: serverPortsOf(run),
        })
      ).map((c) => ({ x: c.a, y: c.b, firstTs: c.firstTs, lastTs: c.lastTs, connState: c.connState, history: c.history, orig: c.orig })),
    );
    judge("Zeek agreement of the observer with Zeek's settings", results, ZEEK_DIFFERENCES, { comparable: { state: 1, history: 1 } });
  }, 60_000);

  it('a trace run without -C: the bad-checksum packets become C/c and split the 4-tuple as Zeek did', async () => {
    const pcap = join(CORPUS, 'zeek', 'chksums__localhost-bad-chksum.pcap');
    const strict = await driveZeek(pcap, { ignoreChecksums: false, likelyServerPorts: new Set() });
    expect(strict.map((c) => `${c.orig} ${c.connState} ${c.history}`)).toEqual([
      '192.168.1.28:53246 OTH C',
      '35.221.46.9:80 SH HcADF',
    ]);
    const lenient = await driveZeek(pcap, { ignoreChecksums: true, likelyServerPorts: new Set() });
    expect(lenient.map((c) => `${c.connState} ${c.history}`)).toEqual(['SF ShADadFf']);
  });

  it("checksums: 'verify' leaves the 6 bad-checksum segments out of the analysis; 'ignore' analyses them", async () => {
    const pcap = join(CORPUS, 'zeek', 'chksums__localhost-bad-chksum.pcap');
    const row = (c: Report['connections'][number]) =>
      `${c.client.ip} ${c.zeek.connState} ${c.zeek.history} ${c.stats.client.packets}/${c.stats.server.packets} ${c.handshake.kind}`;
    const verify = await analyze([pcap], { checksums: 'verify', zeek: { likelyServerPorts: 'none' } });
    expect(verify.captures[0]!.skipped).toEqual({ bad_checksum: 6 });
    expect(verify.captures[0]!.tcpSegments).toBe(4);
    // Only the server's packets are analysed: a SYN-ACK whose SYN is missing, then the server
    // acknowledging client data — which proves the client's ACK of the SYN-ACK (a one-sided capture).
    expect(verify.connections.map(row)).toEqual(['192.168.1.28 SH HcADF 0/4 three_way']);
    const compat = await analyze([pcap], { checksums: 'verify', zeek: { compat: true, likelyServerPorts: 'none' } });
    expect(compat.connections.map((c) => `${c.zeek.connState} ${c.zeek.history} ${c.stats.client.packets}/${c.stats.server.packets}`)).toEqual([
      'OTH C 0/0',
      'SH HcADF 0/4',
    ]);
    const ignore = await analyze([pcap], { zeek: { likelyServerPorts: 'none' } });
    expect(ignore.captures[0]!.skipped).toEqual({});
    expect(ignore.connections.map(row)).toEqual(['192.168.1.28 SF ShADadFf 6/4 three_way']);
  });
});
