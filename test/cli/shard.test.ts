/**
 * `--shard I/N` and `tcpshake merge`: the shards of a run, merged, print exactly what one run over
 * everything prints — byte for byte, in every format, with the same stderr and exit code — over every
 * sample, the samples read together, a generated capture read three times (4,500 connections) (with
 * reused 4-tuples: the same traffic again 100 s later, and again 20 s later within TIME_WAIT), and
 * with Zeek's boundaries and timers (--zeek-compat), whose reports depend most on the clock.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../src/bench/generate.js';
import { parseShard, shardOfHash } from '../../src/pipeline/shard.js';
import { sampleFiles } from './harness.js';
import { runMain } from '../report-html/memory-io.js';

/** The CLI in-process (a child process per run would make this file take minutes). */
async function runCli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  // In-process, from src/: inputs stay below the size read on a second thread (its script is only in dist/).
  const r = await runMain(...args);
  return { stdout: r.out, stderr: r.err, code: r.code };
}

/** A classic (microsecond, little-endian) pcap with every record's timestamp `seconds` later. */
function shiftedPcap(bytes: Buffer, seconds: number): Buffer {
  const out = Buffer.from(bytes);
  for (let at = 24; at + 16 <= out.length; at += 16 + out.readUInt32LE(at + 8)) out.writeUInt32LE(out.readUInt32LE(at) + seconds, at);
  return out;
}

const FORMATS = ['json', 'ndjson', 'csv', 'zeek', 'text'] as const;

let dir = '';
let generated = '';
let again = '';
let reused = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcpshake-shard-'));
  generated = join(dir, 'generated.pcap');
  again = join(dir, 'again.pcap');
  reused = join(dir, 'reused.pcap');
  await generateCapture(generated, { connections: 1_500, exchanges: 2, payload: 100, window: 200, seed: 3 });
  writeFileSync(again, shiftedPcap(readFileSync(generated), 100));
  writeFileSync(reused, shiftedPcap(readFileSync(generated), 20));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the N shards of a run over `inputs` (with `extra` options); returns their paths. */
async function shards(name: string, n: number, inputs: string[], extra: string[] = []): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await runCli([...extra, '--shard', `${i}/${n}`, ...inputs]);
    expect(r.stderr).not.toContain('internal error');
    const p = join(dir, `${name}-${i}.ndjson`);
    writeFileSync(p, r.stdout);
    paths.push(p);
  }
  return paths;
}

/** Every format of the merged shards against one run over everything. */
async function expectMergedAsOneRun(name: string, n: number, inputs: string[], extra: string[] = [], outputOptions: string[] = []): Promise<void> {
  const parts = await shards(name, n, inputs, extra);
  for (const format of FORMATS) {
    const one = await runCli([...extra, ...outputOptions, '--format', format, ...inputs]);
    const merged = await runCli(['merge', ...outputOptions, '--format', format, ...parts.slice().reverse()]);
    expect(merged.stderr, `${name} ${format}`).toBe(one.stderr);
    expect(merged.code, `${name} ${format}`).toBe(one.code);
    expect(merged.stdout === one.stdout, `${name} --format ${format}: merged output differs`).toBe(true);
  }
}

describe('tcpshake merge of --shard I/N', () => {
  it('prints each sample as one run does, in every format', async () => {
    for (const sample of sampleFiles()) await expectMergedAsOneRun(sample.replace(/\W/g, '_'), 3, [sample]);
  }, 300_000);

  it('prints the samples read together as one run does', async () => {
    await expectMergedAsOneRun('all-samples', 2, sampleFiles());
  }, 120_000);

  it('prints a generated capture of thousands of connections, its 4-tuples reused, as one run does', async () => {
    await expectMergedAsOneRun('generated', 4, [generated, again, reused], [], ['--fail-on', 'reset,refused']);
    // Every shard holds a part, and the parts add up to the whole.
    const parts = await shards('generated-count', 4, [generated]);
    const counts = parts.map((p) => readFileSync(p, 'utf8').split('\n').filter((l) => l.startsWith('{"type":"connection"')).length);
    for (const c of counts) expect(c).toBeGreaterThan(200);
    const whole = (await runCli(['--format', 'ndjson', generated])).stdout.split('\n').filter((l) => l.startsWith('{"type":"connection"')).length;
    expect(counts.reduce((x, y) => x + y, 0)).toBe(whole);
  }, 300_000);

  it("follows Zeek's boundaries and timers (--zeek-compat) as one run does", async () => {
    await expectMergedAsOneRun('zeek-compat', 3, [generated, reused], ['--zeek-compat']);
  }, 300_000);

  it('applies filters and --connection ids given to merge as one run does', async () => {
    await expectMergedAsOneRun('filtered', 2, [generated], [], ['--close', 'reset', '--port', '80,443,8080']);
    await expectMergedAsOneRun('by-id', 2, [generated], [], ['--connection', '7,1500']);
  }, 300_000);

  it('refuses shards that do not make a whole run', async () => {
    const parts = await shards('incomplete', 3, [sampleFiles()[0]!]);
    const missing = await runCli(['merge', parts[0]!, parts[2]!]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe('tcpshake: shard 2/3 missing\n');
    const twice = await runCli(['merge', parts[0]!, parts[0]!, parts[1]!, parts[2]!]);
    expect(twice.code).toBe(3);
    expect(twice.stderr).toContain('are both shard 1/3');
    const other = await shards('other', 3, [sampleFiles()[1]!]);
    const mixed = await runCli(['merge', parts[0]!, other[1]!, parts[2]!]);
    expect(mixed.code).toBe(3);
    expect(mixed.stderr).toContain('made from other captures');
    const plain = join(dir, 'plain.ndjson');
    writeFileSync(plain, (await runCli(['--format', 'ndjson', sampleFiles()[0]!])).stdout);
    const notShard = await runCli(['merge', plain]);
    expect(notShard.code).toBe(3);
    expect(notShard.stderr).toContain('was this file written with --shard I/N?');
  }, 120_000);

  it('takes --shard I/N only where a shard makes sense', async () => {
    const sample = sampleFiles()[0]!;
    for (const bad of [['--shard', '0/2'], ['--shard', '3/2'], ['--shard', 'x'], ['--shard', '1/2', '--format', 'csv'], ['--shard', '1/2', '--port', '80']]) {
      const r = await runCli([...bad, sample]);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr).not.toContain('internal error');
    }
  });
});

describe('the shard of a flow hash', () => {
  it('splits the 30-bit hash range evenly, by its high bits', async () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(shardOfHash(0, 4)).toBe(0);
    expect(shardOfHash(0x3fffffff, 4)).toBe(3);
    expect(shardOfHash(0x10000000, 4)).toBe(1);
    // The low bits (the flow table's bucket index) do not decide the shard.
    expect(shardOfHash(0x0fffffff, 4)).toBe(0);
  });
});
