/**
 * writeJsonReport() writes the very bytes renderJson() returns, piece by piece, for real reports: a
 * sample capture of the project and a generated one large enough to span many chunks.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import { generateCapture } from '../../src/bench/generate.js';
import { computeFindings } from '../../src/report/findings.js';
import { renderJson } from '../../src/report/json.js';
import { CHUNK_CHARS, writeJsonReport } from '../../src/report/json-stream.js';
import type { Report } from '../../src/model/report.js';

function streamed(report: Report, findings?: Parameters<typeof writeJsonReport>[2]): { text: string; chunks: number } {
  const parts: string[] = [];
  writeJsonReport(report, (c) => parts.push(c), findings);
  return { text: parts.join(''), chunks: parts.length };
}

let dir = '';
let generated = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcpshake-json-'));
  generated = join(dir, 'gen.pcap');
  await generateCapture(generated, { connections: 400, exchanges: 2, payload: 60, window: 25, seed: 3 });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeJsonReport', () => {
  it('equals renderJson on a generated capture of 400 connections (many chunks), with and without findings', async () => {
    const report = await analyze([generated]);
    expect(report.connections.length).toBe(400);
    const findings = computeFindings(report);
    const a = streamed(report, findings);
    expect(a.chunks).toBeGreaterThan(5);
    expect(a.text.length).toBeGreaterThan(5 * CHUNK_CHARS);
    expect(a.text).toBe(renderJson(report, findings));
    expect(streamed(report).text).toBe(renderJson(report));
  });

  it('equals renderJson on every sample capture (segments recorded, several inputs, empty lists)', async () => {
    const samples = readdirSync('samples').filter((f) => /\.(pcap|pcapng)$/.test(f));
    expect(samples.length).toBeGreaterThan(0);
    for (const f of samples) {
      const report = await analyze([join('samples', f)], { recordSegments: true });
      expect(streamed(report, computeFindings(report)).text, f).toBe(renderJson(report, computeFindings(report)));
    }
    const two = await analyze(samples.slice(0, 2).map((f) => join('samples', f)));
    expect(streamed(two).text).toBe(renderJson(two));
    const none: Report = { ...two, connections: [], captures: [] };
    expect(streamed(none).text).toBe(renderJson(none));
  });

  it('leaves out undefined members as JSON.stringify does', () => {
    const report = { schemaVersion: 1, captures: [], summary: { connections: 0, handshake: {}, close: {}, events: {} }, connections: [], findings: undefined } as unknown as Report;
    expect(streamed(report).text).toBe(renderJson(report));
  });
});
