/**
 * tcpshake's Zeek conn_state/history against the conn.log rows Zeek's own test suite checked in
 * (../shared/corpus/zeek/*.expected*.tsv): first tcpshake's report as analyze() produces it, then the
 * observer alone, configured like each Zeek run (checksum mode from its -C, server ports from -b) and
 * fed by a driver that splits 4-tuples with Zeek's reuse rule.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZEEK_LIKELY_SERVER_PORTS } from '../../src/tracker/zeek.js';
import { analyzeProduct, CORPUS, driveZeek, readManifest, readTsv, tupleKey, type ProductConnection } from './driver.js';
import {
  differenceKey,
  indexDifferences,
  ZEEK_DIFFERENCES,
  ZEEK_REPORT_DIFFERENCES,
  type DocumentedDifference,
} from './exceptions.js';

interface Run {
  file: string;
  pcap: string;
  cmd: string;
}

/** -C (or an ignore_checksums_nets covering the trace) means Zeek did not drop bad checksums. */
export function ignoresChecksums(cmd: string): boolean {
  return /\s-[a-zA-Z]*C/.test(cmd) || cmd.includes('ignore_checksums_nets');
}

/** `zeek -b` loads no protocol scripts, so `likely_server_ports` is empty. */
export function bareMode(cmd: string): boolean {
  return /\s-b\b/.test(cmd);
}

function runs(): Run[] {
  const out: Run[] = [];
  for (const e of readManifest()) {
    if (e.source !== 'zeek/zeek') continue;
    out.push({ file: `zeek/${e.name}.expected.tsv`, pcap: e.file, cmd: e.zeek_cmd ?? '' });
    for (const v of e.variants ?? []) {
      if (v.file !== undefined) out.push({ file: `zeek/${v.file}`, pcap: e.file, cmd: v.cmd ?? '' });
    }
  }
  return out;
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
  ours: Candidate | null;
  stateOk: boolean;
  historyOk: boolean;
}

/** Pairs every expected row with one of our connections and compares. */
async function compareAll(connections: (run: Run) => Promise<Candidate[]>): Promise<RowResult[]> {
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
        ours,
        stateOk: ours !== null && (expState === '-' || ours.connState === expState),
        historyOk: ours !== null && ours.history === expHistory && (ours.orig === null || ours.orig === orig),
      });
    }
  }
  return results;
}

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

/** Prints the figures, then fails on any undocumented or stale difference and below the thresholds. */
function judge(label: string, results: RowResult[], differences: readonly DocumentedDifference[]): void {
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

  expect(stateAgree / withState(comparable).length).toBeGreaterThanOrEqual(0.95);
  expect(historyAgree / comparable.length).toBeGreaterThanOrEqual(0.9);
}

describe.skipIf(!existsSync(CORPUS))('agreement with Zeek conn.log (corpus)', () => {
  it("tcpshake's report (analyze() with each Zeek run's settings): conn_state ≥ 95%, history ≥ 90%, every difference documented", async () => {
    // As a user lining tcpshake up with their own Zeek run would: -C → ignore checksums, -b → no
    // likely-server-port list.
    const results = await compareAll(async (run) =>
      (
        await analyzeProduct(join(CORPUS, run.pcap), {
          zeek: { ignoreChecksums: ignoresChecksums(run.cmd), likelyServerPorts: bareMode(run.cmd) ? 'none' : 'default' },
        })
      ).map((c) => ({ ...c, orig: null })),
    );
    judge('Zeek agreement of the report', results, ZEEK_REPORT_DIFFERENCES);
  }, 60_000);

  it("ZeekObserver under each Zeek run's own settings (checksum mode, -b): every difference documented", async () => {
    const results = await compareAll(async (run) =>
      (
        await driveZeek(join(CORPUS, run.pcap), {
          ignoreChecksums: ignoresChecksums(run.cmd),
          likelyServerPorts: bareMode(run.cmd) ? new Set<number>() : ZEEK_LIKELY_SERVER_PORTS,
        })
      ).map((c) => ({ x: c.a, y: c.b, firstTs: c.firstTs, lastTs: c.lastTs, connState: c.connState, history: c.history, orig: c.orig })),
    );
    judge("Zeek agreement of the observer with Zeek's settings", results, ZEEK_DIFFERENCES);
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
});
