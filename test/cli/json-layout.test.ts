/**
 * `--format json` writes one compact line per connection (sorted by id) under an indented top level,
 * from connection lines spooled as they come: the document must say exactly what analyze() and
 * computeFindings() say, connection for connection (reused 4-tuples included).
 */
import { closeSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import { LineSpool, READ_BLOCK_BYTES, READ_WINDOW_BLOCKS } from '../../src/pipeline/line-spool.js';
import { computeFindings } from '../../src/report/findings.js';
import { renderJson } from '../../src/report/json.js';
import { buildCli, runCli } from './harness.js';

beforeAll(() => buildCli());

describe('--format json', () => {
  it('matches analyze() on every sample, one connection per line in id order', async () => {
    const samples = readdirSync('samples').filter((f) => /\.(pcap|pcapng)$/.test(f));
    expect(samples.length).toBeGreaterThan(3);
    for (const f of samples) {
      const path = join('samples', f);
      const r = runCli([path, '--format', 'json']);
      expect(r.code === 0 || r.code === 1, `${f}: ${r.stderr}`).toBe(true);
      const report = await analyze([path]);
      // The same bytes as renderJson() of the library's report (file name as given on the command line).
      expect(r.stdout, f).toBe(renderJson(report, computeFindings(report)));
      const lines = r.stdout.split('\n');
      const conn = lines.slice(lines.indexOf('  "connections": [') + 1).filter((l) => l.startsWith('    {'));
      expect(conn.length, f).toBe(report.connections.length);
      conn.forEach((l, i) => expect(JSON.parse(l.replace(/,$/, '')).id).toBe(report.connections[i]!.id));
    }
  });

  it('bounds the display filter of a connection reported before its 4-tuple came back', async () => {
    const r = runCli(['samples/time-wait-reuse.pcap', '--format', 'json']);
    const doc = JSON.parse(r.stdout) as { connections: { id: number; displayFilter: string }[] };
    expect(doc.connections.length).toBeGreaterThan(1);
    for (const c of doc.connections) expect(c.displayFilter).toMatch(/frame\.number>=\d+ && frame\.number<=\d+$/);
  });

  it('bounds it too when the other connection on its 4-tuple is filtered out', () => {
    // With a TIME_WAIT of 20 ms the second connection comes after the tuple's tombstone is gone: the
    // trackers never see the reuse (their own reports leave the filters unbounded), only the CLI's
    // note of every tuple of the run does.
    for (const id of ['1', '2']) {
      const r = runCli(['samples/time-wait-reuse.pcap', '--format', 'json', '--msl', '0.01', '--connection', id]);
      const doc = JSON.parse(r.stdout) as { connections: { id: number; displayFilter: string }[] };
      expect(doc.connections.map((c) => c.id)).toEqual([Number(id)]);
      expect(doc.connections[0]!.displayFilter).toMatch(/frame\.number>=\d+ && frame\.number<=\d+$/);
    }
  });
});

describe('LineSpool', () => {
  it('reports a failed background write at the next put() and at settle()', async () => {
    const spool = new LineSpool();
    const line = 'x'.repeat(1000);
    // The descriptor taken away underneath: every write to it fails (EBADF).
    const internals = spool as unknown as { fd: number };
    const fd = internals.fd;
    closeSync(fd);
    internals.fd = 1 << 20;
    let n = 0;
    for (; n < 3000; n++) spool.put(n, line); // past one full buffer: a background write starts
    await expect(spool.settle()).rejects.toThrow(/EBADF/);
    expect(() => spool.put(n, line)).toThrow(/EBADF/);
  });

  it('gives back every line by number, replaced ones, long ones and non-ASCII ones, across flushes', async () => {
    const spool = new LineSpool();
    try {
      const want = new Map<number, string>();
      const big = 'x'.repeat((1 << 20) + 17);
      for (let i = 1; i < 3000; i += 1 + (i % 3)) {
        const line = i === 1500 ? big : `{"id":${i},"detail":"RFC 9293 §3.5 — ${'é'.repeat(i % 700)}"}`;
        spool.put(i, line);
        want.set(i, line);
      }
      // Full buffers went to background writes: reading waits for them.
      expect(() => spool.get(1)).toThrow(/settle/);
      await spool.settle();
      spool.put(7, 'replaced');
      want.set(7, 'replaced');
      expect(spool.get(7)).toBe('replaced'); // still in the write buffer
      expect(spool.size).toBe(Math.max(...want.keys()) + 1);
      for (let i = 0; i < spool.size + 5; i++) expect(spool.get(i), String(i)).toBe(want.get(i));
    } finally {
      spool.close();
    }
  });

  it('hands every line back in number order as bytes, whatever order they were written in', async () => {
    const spool = new LineSpool();
    try {
      const want = new Map<number, string>();
      const put = (n: number, line: string): void => {
        spool.put(n, line);
        want.set(n, line);
      };
      // Mostly in order, some written late (far behind and far ahead in the file), one past the read
      // block, one replaced, non-ASCII throughout; more than one read block and one write buffer.
      const late: number[] = [];
      for (let i = 0; i < 12_000; i++) {
        if (i % 97 === 5) {
          late.push(i);
          continue;
        }
        put(i, i === 6000 ? 'y'.repeat((5 << 20) + 3) : `{"id":${i},"detail":"é${'x'.repeat(i % 1500)}"}`);
      }
      for (const i of late) put(i, `{"late":${i},"note":"€"}`);
      put(42, 'replaced');
      await spool.settle();
      const got: [number, string][] = [];
      for (const { bytes, start, end } of spool.linesInOrder()) {
        const line = bytes.toString('utf8', start, end);
        const m = /^\{"(?:id|late)":(\d+)/.exec(line);
        got.push([m ? Number(m[1]) : line === 'replaced' ? 42 : 6000, line]);
      }
      expect(got.map(([n]) => n)).toEqual([...want.keys()].sort((x, y) => x - y));
      for (const [n, line] of got) expect(line, String(n)).toBe(want.get(n));
    } finally {
      spool.close();
    }
  });
  it('reads the file once, in blocks, when lines trail their numbers by less than the window', async () => {
    const spool = new LineSpool();
    try {
      // Lines of about 1 KiB (some non-ASCII) in groups of 4,000 (~4 MiB) written last to first:
      // within a group the file runs backwards, so a window of one block would read most lines alone.
      const lineOf = (n: number): string => `{"id":${n},"pad":"${n % 5 === 0 ? 'µ' : 'x'}${'y'.repeat(1000 + (n % 37))}"}`;
      const group = 4000;
      const groups = 3;
      for (let g = 0; g < groups; g++) for (let i = group - 1; i >= 0; i--) spool.put(g * group + i, lineOf(g * group + i));
      const total = groups * group;
      const fileBytes = (): number => (spool as unknown as { written: number; used: number }).written + (spool as unknown as { used: number }).used;
      expect(fileBytes()).toBeLessThan(READ_WINDOW_BLOCKS * READ_BLOCK_BYTES);
      await spool.settle();
      const reads: number[] = [];
      const internals = spool as unknown as { readAt: (into: Buffer, len: number, offset: number, n: number) => void };
      const readAt = internals.readAt.bind(spool);
      internals.readAt = (into, len, offset, n) => {
        reads.push(len);
        readAt(into, len, offset, n);
      };
      let n = 0;
      for (const { bytes, start, end } of spool.linesInOrder()) expect(bytes.toString('utf8', start, end)).toBe(lineOf(n++));
      expect(n).toBe(total);
      expect(reads.reduce((x, y) => x + y, 0)).toBe(fileBytes());
      expect(reads.length).toBe(Math.ceil(fileBytes() / READ_BLOCK_BYTES));
    } finally {
      spool.close();
    }
  });

  it('reads a line alone once its block has left the window, and never a block twice', async () => {
    const spool = new LineSpool();
    try {
      // Lines 0 and middle+1 at the start of the file, lines 1..middle after them, more blocks than
      // the window holds: by the time line middle+1 is reached, the first block is long given up.
      const filler = 'z'.repeat(4000);
      const middle = Math.ceil(((READ_WINDOW_BLOCKS + 4) * READ_BLOCK_BYTES) / filler.length);
      const lineOf = (n: number): string => (n === 0 || n === middle + 1 ? `{"id":${n}}` : `{"id":${n},"f":"${filler}"}`);
      spool.put(0, lineOf(0));
      spool.put(middle + 1, lineOf(middle + 1));
      for (let n = 1; n <= middle; n++) spool.put(n, lineOf(n));
      await spool.settle();
      const reads: { offset: number; len: number }[] = [];
      const internals = spool as unknown as { readAt: (into: Buffer, len: number, offset: number, n: number) => void; written: number };
      const readAt = internals.readAt.bind(spool);
      internals.readAt = (into, len, offset, n) => {
        reads.push({ offset, len });
        readAt(into, len, offset, n);
      };
      let n = 0;
      for (const { bytes, start, end } of spool.linesInOrder()) expect(bytes.toString('utf8', start, end)).toBe(lineOf(n++));
      expect(n).toBe(middle + 2);
      const alone = reads.filter((r) => r.offset % READ_BLOCK_BYTES !== 0);
      expect(alone).toEqual([{ offset: lineOf(0).length, len: lineOf(middle + 1).length }]);
      const blocks = reads.filter((r) => r.offset % READ_BLOCK_BYTES === 0).map((r) => r.offset);
      expect(blocks.length).toBe(Math.ceil(internals.written / READ_BLOCK_BYTES));
      expect(new Set(blocks).size).toBe(blocks.length);
    } finally {
      spool.close();
    }
  });
});
