/**
 * The golden test of the project's own samples: every samples/*.expect.json is evaluated against
 * analyze() of its capture(s), exactly as `tcpshake check --expect samples/X.expect.json` does, and a
 * rule that does not hold fails with the message the CLI would print. A sample whose capture is not
 * there is skipped.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/pipeline/analyze.js';
import { formatProblem, loadExpectations } from '../src/check/expectations.js';
import { evaluate, failureLines } from '../src/check/evaluate.js';
import { writeBaseline } from '../src/check/baseline.js';
import { captureCandidates } from '../src/check/files.js';
import { runMain } from './report-html/memory-io.js';

const SAMPLES = fileURLToPath(new URL('../samples/', import.meta.url));
const files = existsSync(SAMPLES) ? readdirSync(SAMPLES).filter((f) => f.endsWith('.expect.json')).sort() : [];

/** The captures a file names, or the capture next to it with the same stem. */
function capturesOf(file: string, listed: string[] | undefined): string[] {
  if (listed && listed.length) return listed.map((c) => path.join(SAMPLES, c));
  const candidates = captureCandidates(path.join(SAMPLES, file));
  const found = candidates.find((p) => existsSync(p));
  return [found ?? (candidates[0] as string)];
}

describe.skipIf(files.length === 0)('samples/*.expect.json hold for their captures', () => {
  for (const file of files) {
    const text = readFileSync(path.join(SAMPLES, file), 'utf8');
    const loaded = loadExpectations(text, `samples/${file}`);
    const captures = capturesOf(file, loaded.ok ? loaded.expectations.captures : undefined);
    const missing = captures.filter((c) => !existsSync(c));

    it.skipIf(missing.length > 0)(file, async () => {
      if (!loaded.ok) throw new Error(`bad expectations file:\n${loaded.errors.map(formatProblem).join('\n')}`);
      const report = await analyze(captures);
      expect(report.captures.flatMap((c) => (c.error ? [`${c.file}: ${c.error.message}`] : [])), 'captures read completely').toEqual([]);
      const failed = evaluate(report, loaded.expectations).flatMap((r) =>
        r.outcome === 'fail' ? [[`FAIL ${r.title}${r.rule.note ? ` — ${r.rule.note}` : ''}`, ...r.failures.flatMap((f) => failureLines(f).map((l) => `  ${l}`))].join('\n')] : [],
      );
      expect(failed, `rules of samples/${file} that do not hold`).toEqual([]);

      // The baseline writer reproduces a passing file from the same report (the --update round trip).
      const fresh = writeBaseline(report, null);
      const reloaded = loadExpectations(fresh.text, 'baseline.json');
      if (!reloaded.ok) throw new Error(reloaded.errors.map(formatProblem).join('\n'));
      expect(evaluate(report, reloaded.expectations).filter((r) => r.outcome === 'fail').map((r) => r.title)).toEqual([]);
      // Updating the checked-in file from the same report rewrites no value (it already holds).
      const updated = writeBaseline(report, loaded.expectations);
      expect(updated.changes.filter((c) => !c.startsWith('added a rule'))).toEqual([]);
    });
  }
});

describe.skipIf(files.length === 0)('tcpshake check --expect samples/*.expect.json (as CI runs it)', () => {
  it('exits 0 and writes a JUnit report with no failure', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tcpshake-samples-'));
    try {
      const junit = path.join(dir, 'junit.xml');
      const { code, out, err } = await runMain('check', '--expect', ...files.map((f) => path.join(SAMPLES, f)), '--junit', junit);
      expect({ code, failing: out.split('\n').filter((l) => !l.startsWith('PASS')), err }).toMatchObject({ code: 0, err: '' });
      const xml = readFileSync(junit, 'utf8');
      expect(xml.match(/<testsuite /g)).toHaveLength(files.length);
      expect(xml).toMatch(/<testsuites name="tcpshake check" tests="\d+" failures="0" errors="0"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const CLOSE = path.join(SAMPLES, 'close-by-client.expect.json');
describe.skipIf(!existsSync(CLOSE) || !existsSync(captureCandidates(CLOSE)[0] as string))('an edited sample expectation fails with the right message', () => {
  it('close.kind three_way → four_way', async () => {
    const text = readFileSync(CLOSE, 'utf8');
    const edited = text.replace('"close.kind": "three_way"', '"close.kind": "four_way"');
    expect(edited).not.toBe(text);
    const line = edited.slice(0, edited.indexOf('"close.kind": "four_way"')).split('\n').length;
    const loaded = loadExpectations(edited, 'samples/close-by-client.expect.json');
    if (!loaded.ok) throw new Error(loaded.errors.map(formatProblem).join('\n'));
    const report = await analyze([captureCandidates(CLOSE)[0] as string]);
    const lines = evaluate(report, loaded.expectations).flatMap((r) => (r.outcome === 'fail' ? r.failures.flatMap(failureLines) : []));
    expect(lines[0]).toBe(`service 10.99.2.2:8080 from client 10.99.1.2: close.kind expected "four_way" on every connection   (expectations line ${line})`);
    expect(lines[1]).toBe('seen "three_way" on 1 of 1 connections:');
    expect(lines[2]).toMatch(/^ {2}#1 10\.99\.1\.2:40001 → 10\.99\.2\.2:8080, frames 1–10; .*fin @8.*fin @9/);
    expect(lines[3]).toBe('  filter: ip.addr==10.99.1.2 && tcp.port==40001 && ip.addr==10.99.2.2 && tcp.port==8080');
  });
});

if (files.length === 0) it.skip('samples/ has no *.expect.json yet', () => {});
