/**
 * Every output of the command line on a generated capture of 50,000 connections (the bench's
 * generator): each finishes and accounts for every connection — json and ndjson list them all, csv
 * and Zeek have a row each, text counts them all and lists the notable ones with the number left
 * out, and the HTML report's table and its summary of the others add up to all of them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../src/bench/generate.js';
import { buildCli, cleanEnv, MAIN } from '../cli/harness.js';

const N = 50_000;
let dir = '';
let capture = '';

const run = promisify(execFile);
async function cli(args: string[]): Promise<string> {
  const r = await run(process.execPath, [MAIN, ...args], { env: cleanEnv(), maxBuffer: 1 << 30, encoding: 'utf8' });
  return r.stdout;
}

beforeAll(async () => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'tcpshake-every-output-'));
  capture = join(dir, 'c.pcap');
  // One exchange a connection keeps the file (and the test) small: what is measured is connections.
  await generateCapture(capture, { connections: N, exchanges: 1, payload: 50, window: 500, seed: 5 });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`every output over ${N.toLocaleString('en-US')} connections`, () => {
  it('finishes with every connection accounted for', async () => {
    const html = join(dir, 'r.html');
    const [json, ndjson, csv, zeek, text] = await Promise.all([
      cli([capture, '--format', 'json']),
      cli([capture, '--format', 'ndjson']),
      cli([capture, '--format', 'csv']),
      cli([capture, '--format', 'zeek']),
      cli([capture]),
      cli(['report', capture, '-o', html]),
    ]);

    const doc = JSON.parse(json) as { summary: { connections: number }; connections: { id: number }[] };
    expect(doc.summary.connections).toBe(N);
    expect(new Set(doc.connections.map((c) => c.id)).size).toBe(N);

    const lines = ndjson.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; summary?: { connections: number } });
    expect(lines.filter((l) => l.type === 'connection').length).toBe(N);
    expect(lines.at(-1)!.summary!.connections).toBe(N);

    expect(csv.trimEnd().split('\r\n').length).toBe(N + 1);
    expect(zeek.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length).toBe(N);

    expect(text).toContain(`TCP connections: ${N}`);
    const m = /the ([\d,]+) notable connections .*?; ([\d,]+) clean ones left out/.exec(text)!;
    const notable = Number(m[1]!.replace(/,/g, ''));
    expect(notable + Number(m[2]!.replace(/,/g, ''))).toBe(N);
    expect(text.split('\n').filter((l) => /^#\d+ /.test(l)).length).toBe(notable);

    const page = readFileSync(html, 'utf8');
    expect(statSync(html).size).toBeLessThan(25e6);
    const payload = JSON.parse(/<script type="application\/json" id="tcpshake-data">(.*?)<\/script>/s.exec(page)![1]!) as { rows: unknown[] };
    const leftOut = Number(/<h3>([\d,]+) connections not listed in the table/.exec(page)![1]!.replace(/,/g, ''));
    expect(payload.rows.length + leftOut).toBe(N);
    expect(page).toContain(`The table lists ${payload.rows.length.toLocaleString('en-US')} of the ${N.toLocaleString('en-US')} connections`);
  }, 240_000);
});
