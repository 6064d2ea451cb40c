/**
 * `--update` then `check` on real captures (the shared corpus: Zeek's, tcpdump's and Suricata's test
 * traces): a baseline written from a report must load back and hold for that report, whatever the
 * capture holds (midstream connections, RSTs, IPv6, reused 4-tuples). Skipped when the corpus or
 * analyze() is not there.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as lib from '../../src/pipeline/analyze.js';
import { formatProblem, loadExpectations } from '../../src/check/expectations.js';
import { evaluate, failureLines } from '../../src/check/evaluate.js';
import { writeBaseline } from '../../src/check/baseline.js';
import { runMain as run } from '../report-html/memory-io.js';

const CORPUS = path.resolve('../shared/corpus');
const analyze = (lib as { analyze?: (inputs: string[]) => Promise<import('../../src/model/report.js').Report> }).analyze;
const captures = existsSync(CORPUS)
  ? readdirSync(CORPUS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(path.join(CORPUS, d.name)).map((f) => path.join(CORPUS, d.name, f)))
      .filter((f) => /\.(pcap|pcapng)$/.test(f) && statSync(f).size < 2_000_000)
      .sort()
  : [];

describe.skipIf(captures.length === 0 || typeof analyze !== 'function')('baseline round trip on real captures', () => {
  it.each(captures.map((c) => [path.relative(CORPUS, c), c]))('%s', async (_name, capture) => {
    const report = await (analyze as NonNullable<typeof analyze>)([capture]);
    const { text } = writeBaseline(report, null, { captures: [path.basename(capture)] });
    const loaded = loadExpectations(text, 'baseline.json');
    if (!loaded.ok) throw new Error(loaded.errors.map(formatProblem).join('\n'));
    const failed = evaluate(report, loaded.expectations).flatMap((r) => (r.outcome === 'fail' ? r.failures.flatMap(failureLines) : []));
    expect(failed).toEqual([]);
    expect(writeBaseline(report, loaded.expectations).text).toBe(text);
  });
});

describe.skipIf(captures.length === 0 || typeof analyze !== 'function')('tcpshake check CLI on a real capture', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tcpshake-check-real-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('--update, check, edit, check', async () => {
    const capture = captures.find((c) => c.endsWith('http__get.pcap')) ?? (captures[0] as string);
    const expectFile = path.join(dir, 'get.expect.json');
    const u = await run('check', capture, '--expect', expectFile, '--update');
    expect(u.err).toContain('created');
    expect(u.code).toBe(0);
    const junit = path.join(dir, 'junit.xml');
    const c = await run('check', '--expect', expectFile, '--junit', junit);
    expect(c.code, c.out).toBe(0);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites name="tcpshake check" tests="\d+" failures="0" errors="0"/);
    const text = readFileSync(expectFile, 'utf8');
    const edited = text.replace(/"close\.kind": "(\w+)"/, (_m, k: string) => `"close.kind": "${k === 'reset' ? 'open' : 'reset'}"`);
    expect(edited).not.toBe(text);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(expectFile, edited);
    const f = await run('check', '--expect', expectFile);
    expect(f.code).toBe(1);
    expect(f.out).toMatch(/service 192\.150\.187\.43:80: close\.kind expected "(reset|open)" on every connection   \(expectations line \d+\)\n {4}seen "\w+" on 1 of 1 connections:/);
    expect(f.out).toMatch(/#1 141\.142\.228\.5:59856 → 192\.150\.187\.43:80, frames \d+–\d+; .*fin @/);
    expect(f.out).toMatch(/filter: ip\.addr==141\.142\.228\.5 && tcp\.port==59856/);
  });
});
