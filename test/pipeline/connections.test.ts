/**
 * analyzeConnections(): every connection analyze() reports, handed over one by one as they end,
 * none kept; a slow consumer holds the analysis back; `break` stops it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../src/bench/generate.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { AnalysisStopped, analyzeConnections, QUEUE_HIGH } from '../../src/pipeline/connections.js';
import { renderJson } from '../../src/report/json.js';

let dir = '';
let capture = '';
/** Connections in the generated capture. */
const N = 3000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcpshake-stream-'));
  capture = join(dir, 'c.pcap');
  await generateCapture(capture, { connections: N, exchanges: 2, payload: 50, window: 100, seed: 3 });
  writeFileSync(capture, stretched(readFileSync(capture), 20));
}, 60_000);

/**
 * The capture with its time `factor` times slower (the generator packs 3,000 connections into less
 * than a second): connections are reported as they end only once quiet for seconds of capture time.
 */
function stretched(bytes: Buffer, factor: number): Buffer {
  const out = Buffer.from(bytes);
  const t0 = out.readUInt32LE(24) * 1e6 + out.readUInt32LE(28);
  for (let at = 24; at + 16 <= out.length; at += 16 + out.readUInt32LE(at + 8)) {
    const t = t0 + (out.readUInt32LE(at) * 1e6 + out.readUInt32LE(at + 4) - t0) * factor;
    out.writeUInt32LE(Math.floor(t / 1e6), at);
    out.writeUInt32LE(t % 1e6, at + 4);
  }
  return out;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analyzeConnections', () => {
  it('hands over every connection analyze() reports, and the report without them', async () => {
    const whole = await analyze([capture]);
    const run = analyzeConnections([capture]);
    const seen = [];
    for await (const c of run) seen.push(c);
    expect(seen.length).toBe(N);
    seen.sort((a, b) => a.id - b.id);
    expect(renderJson({ ...whole, connections: seen })).toBe(renderJson(whole));
    const report = await run.report;
    expect(report.connections).toEqual([]);
    expect(report.summary).toEqual(whole.summary);
    expect(report.captures).toEqual(whole.captures);
  }, 60_000);

  it('holds the analysis back while the consumer is slow', async () => {
    let reported = 0;
    const run = analyzeConnections([capture], { onConnection: () => reported++ });
    const it = run[Symbol.asyncIterator]();
    await it.next();
    // Long enough for the whole capture to be read were nothing holding it back.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(reported).toBeGreaterThanOrEqual(QUEUE_HIGH);
    expect(reported).toBeLessThan(QUEUE_HIGH + 200);
    let taken = 1;
    while (!(await it.next()).done) taken++;
    expect(taken).toBe(N);
    expect(reported).toBe(N);
  }, 60_000);

  it('stops reading when the consumer stops, and says so in `report`', async () => {
    let reported = 0;
    const run = analyzeConnections([capture], { onConnection: () => reported++ });
    let taken = 0;
    for await (const _c of run) if (++taken === 10) break;
    await expect(run.report).rejects.toBeInstanceOf(AnalysisStopped);
    expect(reported).toBeLessThan(N);
  }, 60_000);
});
