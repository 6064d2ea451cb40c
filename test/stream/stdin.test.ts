/**
 * A capture read from a stream gives the same report as the file, whatever the chunk boundaries
 * (htmlparser2's rule), connections are reported while the input is still being read (live use:
 * `tcpdump -w - | tcpshake - --format ndjson`), and the built CLI reading a real pipe prints the same
 * connection lines as for the file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import { generateCapture } from '../../src/bench/generate.js';
import { buildCli, MAIN } from '../cli/harness.js';
import type { ConnectionEvent } from '../../src/model/events.js';
import type { ConnectionReport } from '../../src/model/report.js';

let dir = '';
let file = '';
let bytes: Buffer = Buffer.alloc(0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcpshake-stdin-'));
  file = join(dir, 'gen.pcap');
  // 300 connections of every behaviour the generator has, interleaved 20 at a time.
  await generateCapture(file, { connections: 300, exchanges: 2, payload: 40, window: 20, seed: 11 });
  bytes = readFileSync(file);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The file's bytes in chunks: 1-byte ones, then 7-byte ones, then pseudo-random sizes up to 9000. */
function oddChunks(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < 300 && i < data.length) out.push(data.subarray(i, ++i));
  while (i < 3000 && i < data.length) out.push(data.subarray(i, (i += 7)));
  let x = 12345;
  while (i < data.length) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const n = 1 + (x % 9000);
    out.push(data.subarray(i, (i += n)));
  }
  return out;
}

interface Run {
  connections: ConnectionReport[];
  events: { id: number; e: ConnectionEvent }[];
  streamed: ConnectionReport[];
}

async function run(input: Parameters<typeof analyze>[0][number]): Promise<Run> {
  const events: Run['events'] = [];
  const streamed: ConnectionReport[] = [];
  const report = await analyze([input], {
    onEvent: (e, c) => events.push({ id: c.id, e }),
    onConnection: (c) => streamed.push(c),
  });
  return { connections: report.connections, events, streamed };
}

describe('reading a capture from a stream', () => {
  it('gives the same connections, events and streaming order as the file, in odd-size chunks', async () => {
    const fromFile = await run(file);
    expect(fromFile.connections.length).toBe(300);
    const chunks = oddChunks(bytes);
    expect(chunks.length).toBeGreaterThan(500);
    const fromStream = await run({ name: 'stdin', stream: Readable.from(chunks, { objectMode: false }) });
    expect(fromStream.connections).toEqual(fromFile.connections);
    expect(fromStream.events).toEqual(fromFile.events);
    expect(fromStream.streamed.map((c) => c.id)).toEqual(fromFile.streamed.map((c) => c.id));
  });

  it('reports connections while the input is still open (closed ones after the linger, by capture time)', async () => {
    const input = new PassThrough();
    const seen: number[] = [];
    // MSL 0.01 s: the linger is 2×MSL = 20 ms of capture time, well inside this capture.
    const done = analyze([{ name: 'live', stream: input }], { msl: 0.01, keepConnections: false, onConnection: (c) => seen.push(c.id) });
    input.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    // Wait for the first half to be analysed, however long that takes on a busy machine (no wall-clock
    // deadline: the test's own timeout is the only limit).
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    const beforeEnd = seen.length;
    expect(beforeEnd).toBeGreaterThan(50);
    input.end(bytes.subarray(Math.floor(bytes.length / 2)));
    const report = await done;
    expect(report.connections).toEqual([]);
    expect(seen.length).toBe(300);
    expect(new Set(seen).size).toBe(300);
  });

  it('idle connections are expired by capture time and reported as such', async () => {
    const idle: ConnectionReport[] = [];
    const report = await analyze([file], {
      idleTimeout: 0.001,
      onConnection: (c) => {
        if (c.idleExpired === true) idle.push(c);
      },
    });
    expect(idle.length).toBeGreaterThan(0);
    for (const c of idle) expect(c.events.some((e) => e.kind === 'idle_timeout')).toBe(true);
    expect(report.summary.events.idle_timeout).toBe(idle.length);
  });

  const cli = MAIN;
  it('the built CLI prints the same ndjson connection lines from a real pipe as from the file', () => {
    buildCli();
    const direct = spawnSync(process.execPath, [cli, file, '--format', 'ndjson'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const piped = spawnSync('sh', ['-c', `cat "$1" | "$2" "$3" - --format ndjson`, 'sh', file, process.execPath, cli], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    expect(piped.stderr).toBe(direct.stderr);
    expect(piped.status).toBe(direct.status);
    const lines = (s: string) => s.split('\n').filter((l) => l !== '');
    const a = lines(direct.stdout);
    const b = lines(piped.stdout);
    expect(a.length).toBe(301);
    // Every connection line is identical; the summary differs only in the capture's name.
    expect(b.slice(0, -1)).toEqual(a.slice(0, -1));
    const sa = JSON.parse(a[a.length - 1]!) as { captures: { file: string }[] };
    const sb = JSON.parse(b[b.length - 1]!) as { captures: { file: string }[] };
    expect(sb.captures[0]!.file).toBe('-');
    sb.captures[0]!.file = sa.captures[0]!.file;
    expect(sb).toEqual(sa);
  });
});
