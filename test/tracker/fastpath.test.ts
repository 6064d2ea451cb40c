/**
 * The tracker's fast path for in-order segments in ESTABLISHED must not change any report: every
 * capture of the project (samples, the corpus when present, a generated capture with every behaviour
 * of the benchmark) is analysed with it on and off and the reports compared whole.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import { generateCapture } from '../../src/bench/generate.js';

const CORPUS = join('..', 'shared', 'corpus');

function capturesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...capturesUnder(p));
    else if (/\.(pcap|pcapng|cap|pcap\.gz|trace)$/.test(e.name)) out.push(p);
  }
  return out;
}

async function both(files: string[]): Promise<void> {
  for (const f of files) {
    const fast = await analyze([f]);
    const full = await analyze([f], { fastPath: false });
    expect(fast, f).toEqual(full);
  }
}

describe('fast path', () => {
  it('gives the same reports as the full path on the samples and a generated capture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpshake-fast-'));
    try {
      const gen = join(dir, 'gen.pcap');
      await generateCapture(gen, { connections: 500, exchanges: 3, payload: 80, window: 40, seed: 5 });
      await both([gen, ...capturesUnder('samples')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(CORPUS))('gives the same reports as the full path on the corpus', async () => {
    const files = capturesUnder(CORPUS);
    expect(files.length).toBeGreaterThan(10);
    await both(files);
  }, 120_000);
});
