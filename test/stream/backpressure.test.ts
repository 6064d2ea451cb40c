/**
 * A reader slower than the run holds the run back: analyze() waits on its `backpressure` hook after
 * each chunk of input, and the CLI, writing ndjson or json into a pipe nobody reads, stops reading its
 * capture instead of piling its output up in memory (before, `tcpshake big.pcap --format ndjson | cat`
 * could grow to gigabytes). Once the reader catches up, the output is complete.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import { generateCapture } from '../../src/bench/generate.js';
import { buildCli, cleanEnv, MAIN, ROOT } from '../cli/harness.js';

let dir = '';
let capture = '';

beforeAll(async () => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'tcpshake-backpressure-'));
  capture = join(dir, 'gen.pcap');
  await generateCapture(capture, { connections: 6000, exchanges: 2, payload: 60, window: 200, seed: 5 });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('backpressure', () => {
  it('analyze() reads no further input while the promise from its hook is pending', async () => {
    const bytes = readFileSync(capture);
    // Input in small chunks, so there are many batches to hold back.
    const chunks: Buffer[] = [];
    for (let o = 0; o < bytes.length; o += 64 * 1024) chunks.push(bytes.subarray(o, o + 64 * 1024));
    let release: () => void = () => {};
    let held = false;
    let progressCalls = 0;
    let progressWhileHeld = 0;
    const run = analyze([{ name: 'gen.pcap', stream: Readable.from(chunks) }], {
      keepConnections: false,
      onProgress: () => {
        progressCalls++;
        if (held) progressWhileHeld++;
      },
      backpressure: () => {
        if (progressCalls !== 3) return undefined;
        held = true;
        return new Promise<void>((resolve) => {
          release = () => {
            held = false;
            resolve();
          };
        });
      },
    });
    await sleep(300);
    expect(held).toBe(true);
    expect(progressWhileHeld).toBe(0);
    release();
    const report = await run;
    expect(report.summary.connections).toBe(6000);
    expect(progressCalls).toBeGreaterThan(10);
  });

  for (const format of ['ndjson', 'json']) {
    it(`the CLI (--format ${format}) stops reading its capture while nobody reads its output, then finishes it`, async () => {
      // The capture comes through standard input, so what the run has taken of it can be counted.
      // --msl 0.1 shortens the grace after a close to 0.2 s of capture time, so that connections of
      // this 1.5 s capture are written as the run goes rather than all at its end.
      const child = spawn(process.execPath, [MAIN, '-', '--format', format, '--fail-on', 'none', '--msl', '0.1'], {
        cwd: ROOT,
        env: cleanEnv(),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdout.pause();
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const bytes = readFileSync(capture);
      let taken = 0;
      const feeding = (async () => {
        for (let o = 0; o < bytes.length; o += 64 * 1024) {
          const chunk = bytes.subarray(o, o + 64 * 1024);
          if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
          taken += chunk.length;
        }
        child.stdin.end();
      })();
      // Nobody reads stdout for a while: with ndjson the run must stall with most of its capture
      // untaken; json writes everything at the end, so it takes its input and then waits.
      await sleep(2500);
      if (format === 'ndjson') expect(taken).toBeLessThan(bytes.length / 2);
      expect(child.exitCode).toBe(null);
      // Then read everything: the output is whole.
      const parts: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => parts.push(d));
      child.stdout.resume();
      await feeding;
      const code = await exited;
      expect(code, err).toBe(0);
      const text = Buffer.concat(parts).toString('utf8');
      if (format === 'ndjson') {
        const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
        expect(lines.filter((l) => l.type === 'connection')).toHaveLength(6000);
        expect(lines.at(-1)!.type).toBe('summary');
      } else {
        const doc = JSON.parse(text) as { connections: { id: number }[] };
        expect(doc.connections.map((c) => c.id)).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1));
      }
    }, 60_000);
  }
});
