/**
 * tcpshake's tcp.completeness against tshark 4.0.17's value for every tcp.stream of every trace in
 * the corpus (../shared/corpus/**\/*.tshark.tsv), streams matched by endpoints and first packet time:
 * first tcpshake's report as analyze() produces it, then the observer alone over streams split the way
 * tshark splits them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completenessString } from '../../src/tracker/completeness.js';
import { analyzeProduct, CORPUS, driveTshark, readManifest, readTsv, tupleKey } from './driver.js';
import { COMPLETENESS_DIFFERENCES, COMPLETENESS_REPORT_DIFFERENCES, differenceKey, indexDifferences, type DocumentedDifference } from './exceptions.js';

interface StreamResult {
  file: string;
  stream: string;
  a: string;
  b: string;
  expected: number;
  ours: number | null;
}

interface Candidate {
  /** The two endpoints, in either order. */
  key: string;
  firstTs: number;
  completeness: number;
}

async function compareAll(streamsOf: (pcap: string) => Promise<Candidate[]>): Promise<StreamResult[]> {
  const results: StreamResult[] = [];
  for (const e of readManifest()) {
    const file = e.file.replace(/\.(pcapng|pcap)$/, '.tshark.tsv');
    if (!existsSync(join(CORPUS, file))) continue;
    const streams = await streamsOf(join(CORPUS, e.file));
    for (const row of readTsv(join(CORPUS, file)).rows) {
      const a = `${row.A_addr}:${row.A_port}`;
      const b = `${row.B_addr}:${row.B_port}`;
      const first = Number(row.first_ts);
      const key = tupleKey(a, b);
      const match = streams.filter((s) => s.key === key && Math.abs(s.firstTs - first) < 2e-6);
      results.push({
        file,
        stream: row.stream ?? '?',
        a,
        b,
        expected: Number(row.completeness),
        ours: match.length === 1 ? match[0]!.completeness : null,
      });
    }
  }
  return results;
}

function judge(label: string, results: StreamResult[], differences: readonly DocumentedDifference[], minOfAll = 0): void {
  const documented = indexDifferences(differences);
  const isDocumented = (r: StreamResult) => documented.has(differenceKey(r.file, r.a, r.b));
  const comparable = results.filter((r) => !isDocumented(r));
  const agree = comparable.filter((r) => r.ours === r.expected).length;
  const rawAgree = results.filter((r) => r.ours === r.expected).length;
  console.log(
    `${label}: ${agree}/${comparable.length} = ${((100 * agree) / comparable.length).toFixed(1)}% of comparable streams ` +
      `(${results.length - comparable.length} documented differences left out); ${rawAgree}/${results.length} = ` +
      `${((100 * rawAgree) / results.length).toFixed(1)}% of all streams`,
  );

  const undocumented = comparable
    .filter((r) => r.ours !== r.expected)
    .map(
      (r) =>
        `${r.file} stream ${r.stream} ${r.a} -> ${r.b}: expected ${r.expected} (${completenessString(r.expected)}), got ` +
        (r.ours === null ? 'no stream' : `${r.ours} (${completenessString(r.ours)})`),
    );
  expect(undocumented).toEqual([]);

  const stale = differences.filter((d) =>
    results.some((r) => differenceKey(r.file, r.a, r.b) === differenceKey(d.file, d.x, d.y) && r.ours === r.expected),
  );
  expect(stale).toEqual([]);

  expect(agree / comparable.length).toBeGreaterThanOrEqual(0.98);
  expect(rawAgree / results.length).toBeGreaterThanOrEqual(minOfAll);
}

describe.skipIf(!existsSync(CORPUS))('agreement with tshark tcp.completeness (corpus)', () => {
  it("tcpshake's report (analyze()): ≥ 98% of comparable streams and ≥ 96% of all agree, every difference documented", async () => {
    const results = await compareAll(async (pcap) =>
      (await analyzeProduct(pcap)).map((c) => ({ key: tupleKey(c.x, c.y), firstTs: c.firstTs, completeness: c.completeness })),
    );
    judge('tcp.completeness agreement of the report', results, COMPLETENESS_REPORT_DIFFERENCES, 0.96);
  }, 60_000);

  it("CompletenessObserver over tshark's own streams: ≥ 98%, every difference documented", async () => {
    const results = await compareAll(async (pcap) =>
      (await driveTshark(pcap)).map((s) => ({ key: tupleKey(s.a, s.b), firstTs: s.firstTs, completeness: s.completeness })),
    );
    judge("tcp.completeness agreement of the observer over tshark's streams", results, COMPLETENESS_DIFFERENCES);
  }, 60_000);
});
