/**
 * A reported connection's tracker is taken over by a later connection (ConnectionTracker.reuse):
 * that must not change any report or event. Every capture of the project (samples, the corpus when
 * present, a generated capture with every behaviour of the benchmark) is analysed with reuse on and
 * off and the reports and event streams compared whole — with a short MSL too, so that connections
 * are reported, and their trackers reused, while the capture is still being read.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyze, type AnalyzeOptions } from '../../src/analyze.js';
import { generateCapture } from '../../src/bench/generate.js';
import { ConnectionManager } from '../../src/flow/manager.js';
import { ConnectionTracker } from '../../src/tracker/connection.js';

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

/** The report and the event lines of one run. */
async function run(file: string, options: AnalyzeOptions): Promise<{ report: unknown; events: string[] }> {
  const events: string[] = [];
  const report = await analyze([file], { ...options, onEvent: (e, c) => events.push(JSON.stringify({ e, c })) });
  return { report, events };
}

/** Compares reuse on and off for every file and option set; returns how many trackers were reused. */
async function both(files: string[], optionSets: AnalyzeOptions[]): Promise<number> {
  const reuse = vi.spyOn(ConnectionTracker.prototype, 'reuse');
  try {
    for (const f of files) {
      for (const options of optionSets) {
        ConnectionManager.reuseTrackers = true;
        const reused = await run(f, options);
        ConnectionManager.reuseTrackers = false;
        const fresh = await run(f, options);
        expect(reused.report, `${f} ${JSON.stringify(options)}`).toEqual(fresh.report);
        expect(reused.events, `${f} ${JSON.stringify(options)}`).toEqual(fresh.events);
      }
    }
    return reuse.mock.calls.length;
  } finally {
    reuse.mockRestore();
  }
}

afterEach(() => {
  ConnectionManager.reuseTrackers = true;
});

describe('tracker reuse', () => {
  it('gives the same reports and events as new trackers on the samples and a generated capture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpshake-reuse-'));
    try {
      const gen = join(dir, 'gen.pcap');
      await generateCapture(gen, { connections: 3000, exchanges: 3, payload: 80, window: 60, seed: 7 });
      const reused = await both([gen, ...capturesUnder('samples')], [{}, { msl: 0.05 }, { msl: 0.05, idleTimeout: 0.02 }]);
      // Not vacuous: most of the generated capture's connections ran on a reused tracker.
      expect(reused).toBeGreaterThan(2000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps no tracker with segment recording for reuse (its config differs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpshake-reuse-'));
    try {
      const gen = join(dir, 'gen.pcap');
      await generateCapture(gen, { connections: 3000, exchanges: 2, payload: 60, window: 60, seed: 3 });
      const reuse = vi.spyOn(ConnectionTracker.prototype, 'reuse');
      try {
        const all = await analyze([gen], { msl: 0.05, recordSegments: true });
        expect(reuse).not.toHaveBeenCalled();
        expect(all.connections.every((c) => (c.segments?.length ?? 0) > 0)).toBe(true);
        // Recording some connections only: the others still reuse trackers, recording none.
        reuse.mockClear();
        const some = await analyze([gen], { msl: 0.05, recordSegments: (id) => id % 2 === 0 });
        expect(reuse.mock.calls.length).toBeGreaterThan(0);
        for (const c of some.connections) expect(c.segments !== undefined, String(c.id)).toBe(c.id % 2 === 0);
      } finally {
        reuse.mockRestore();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(CORPUS))('gives the same reports and events as new trackers on the corpus', async () => {
    const files = capturesUnder(CORPUS);
    expect(files.length).toBeGreaterThan(10);
    await both(files, [{}, { msl: 0.05 }]);
  }, 240_000);
});
