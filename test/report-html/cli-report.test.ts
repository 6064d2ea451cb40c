/**
 * `tcpshake report`: writes the page, honours -o -, and records ladders for the first --ladders
 * connections plus the anomalous later ones (a second pass over the files).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { main } from '../../src/cli/main.js';
import { isAnomalous } from '../../src/cli/report.js';
import { COL, type Payload } from '../../src/report/html/index.js';
import { memoryIO } from './memory-io.js';

const CORPUS = resolve('../shared/corpus');
const WIKI = join(CORPUS, 'zeek/wikipedia.pcap');
const GET = join(CORPUS, 'zeek/http__get.pcap');

function payloadOf(html: string): Payload {
  const m = /<script type="application\/json" id="tcpshake-data">([\s\S]*?)<\/script>/.exec(html)!;
  return JSON.parse(m[1]!) as Payload;
}

function ladderIds(p: Payload): number[] {
  return p.rows.filter((r) => (r[COL.detail] as number) >= 0 && p.detail[r[COL.detail] as number]!.g !== null).map((r) => r[COL.id] as number);
}

describe.skipIf(!existsSync(WIKI) || !existsSync(GET))('tcpshake report', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcpshake-cli-report-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one HTML file with every connection and a ladder for each when there are few', async () => {
    const out = join(dir, 'a.html');
    const io = memoryIO();
    expect(await main(['report', WIKI, GET, '-o', out], io)).toBe(0);
    expect(io.stdout).toBe('');
    expect(io.stderr).toMatch(/wrote .*a\.html \(11 connections, [0-9.]+ KiB\)/);
    const p = payloadOf(readFileSync(out, 'utf8'));
    expect(p.rows).toHaveLength(11);
    expect(ladderIds(p)).toHaveLength(11);
    expect(p.files).toBe(2);
  });

  it('writes to standard output with -o - and applies the connection filters', async () => {
    const io = memoryIO();
    expect(await main(['report', WIKI, '--close', 'not_established', '-o', '-'], io)).toBe(0);
    expect(io.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    const p = payloadOf(io.stdout);
    const r = await analyze([WIKI]);
    expect(p.rows.map((x) => x[COL.id])).toEqual(r.connections.filter((c) => c.close.kind === 'not_established').map((c) => c.id));
  });

  it('beyond --ladders N, records the anomalous connections in a second pass', async () => {
    const io = memoryIO();
    expect(await main(['report', WIKI, '--ladders', '2', '-o', '-'], io)).toBe(0);
    const r = await analyze([WIKI]);
    const expected = r.connections.filter((c) => c.id <= 2 || isAnomalous(c)).map((c) => c.id);
    expect(expected.length).toBeGreaterThan(2);
    expect(expected.length).toBeLessThan(r.connections.length);
    expect(ladderIds(payloadOf(io.stdout))).toEqual(expected);
  });

  it('caps the segments per ladder and reports what was left out', async () => {
    const io = memoryIO();
    expect(await main(['report', GET, '--max-segments', '6', '-o', '-'], io)).toBe(0);
    const p = payloadOf(io.stdout);
    const d = p.detail[p.rows[0]![COL.detail] as number]!;
    expect(d.g).toHaveLength(6);
    expect(d.x).toBe(14 - 6);
  });

  it('rejects a bad --ladders value as a usage error', async () => {
    const io = memoryIO();
    expect(await main(['report', GET, '--ladders', '-1', '-o', '-'], io)).toBe(2);
    expect(io.stderr).toContain('--ladders');
  });
});
