/**
 * `--format json` writes one compact line per connection (sorted by id) under an indented top level,
 * from connection lines spooled as they come: the document must say exactly what analyze() and
 * computeFindings() say, connection for connection (reused 4-tuples included).
 */
import { closeSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { LineSpool } from '../../src/cli/line-spool.js';
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
});
