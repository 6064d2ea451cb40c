/**
 * A capture read together with itself 100 s later (what `tcpdump -G` rotation, editcap and mergecap
 * leave when the same traffic comes again): every 4-tuple comes back, so at the end of `--format json`
 * the line of every connection is read from the spool and replaced with frame bounds in its display
 * filter. Replacing lines while reading them once started background writes that the next read had
 * to wait for, and the run died (exit 70, nothing written).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import { generateCapture } from '../../src/bench/generate.js';
import { computeFindings } from '../../src/report/findings.js';
import { renderJson } from '../../src/report/json.js';
import { buildCli, runCli } from './harness.js';

/** A classic (microsecond, little-endian) pcap with every record's timestamp `seconds` later. */
export function shiftedPcap(bytes: Buffer, seconds: number): Buffer {
  const out = Buffer.from(bytes);
  if (out.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('expected a little-endian microsecond pcap');
  for (let at = 24; at + 16 <= out.length; at += 16 + out.readUInt32LE(at + 8)) {
    out.writeUInt32LE(out.readUInt32LE(at) + seconds, at);
  }
  return out;
}

let dir = '';
let first = '';
let again = '';

beforeAll(async () => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'tcpshake-rotated-'));
  first = join(dir, 'first.pcap');
  again = join(dir, 'again.pcap');
  // 1,000 connections: their JSON lines (about 2.4 KB each) fill the spool's 1 MiB buffer twice over.
  await generateCapture(first, { connections: 1_000, exchanges: 4, payload: 100, window: 100, seed: 7 });
  writeFileSync(again, shiftedPcap(readFileSync(first), 100));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--format json over the same traffic twice, 100 s apart', () => {
  it('writes the whole report, every connection on a reused tuple bounded to its frames', async () => {
    const r = runCli([first, again, '--format', 'json', '--fail-on', 'none']);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const report = await analyze([first, again]);
    // The connections left open at the end of the first copy go on in the second: one each.
    expect(report.connections.length).toBeGreaterThan(1_900);
    expect(r.stdout).toBe(renderJson(report, computeFindings(report)));
    const doc = JSON.parse(r.stdout) as { connections: { displayFilter: string }[] };
    const bounded = doc.connections.filter((c) => /frame\.number>=\d+ && frame\.number<=\d+$/.test(c.displayFilter));
    // All but those that span both files (frame numbers are per file: no bounds for them).
    const withinOneFile = report.connections.filter((c) => (c.firstFile ?? 0) === (c.lastFile ?? 0));
    expect(withinOneFile.length).toBeGreaterThan(1_800);
    expect(bounded.length).toBe(withinOneFile.length);
  }, 60_000);
});
