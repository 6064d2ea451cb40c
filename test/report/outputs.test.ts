/**
 * Each output format as a stage of the streaming pipeline: connections handed over in the order
 * they end (not their capture order) give the same document as the renderer over the whole report
 * in memory, and the text report past TEXT_TABLE_MAX connections lists the notable ones only.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionReport, Report } from '../../src/model/report.js';
import { inCaptureOrder } from '../../src/pipeline/capture-order.js';
import { OutputWriter } from '../../src/pipeline/stream.js';
import { renderCsv } from '../../src/report/csv.js';
import { compileFilter } from '../../src/report/filter.js';
import { computeFindings } from '../../src/report/findings.js';
import { isNotable, reportOutput, TEXT_TABLE_MAX, type OutputOptions } from '../../src/report/outputs.js';
import { renderText } from '../../src/report/text.js';
import { renderZeek } from '../../src/report/zeek.js';
import { conn, ev, report } from './fixtures.js';

/** Runs a stage over `connections` in the order given, as the pipeline would; returns the output. */
async function through(options: Omit<OutputOptions, 'filter'>, whole: Report, order: readonly ConnectionReport[]): Promise<string> {
  const chunks: string[] = [];
  const out = new OutputWriter({ write: (c) => chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8')) });
  const stage = reportOutput({ ...options, filter: compileFilter({}) }, out);
  try {
    for (const c of order) stage.add(c);
    await stage.end({ ...whole, connections: [] }, out);
  } finally {
    stage.close();
  }
  out.flush();
  return chunks.join('');
}

/** `n` connections, every fifth reset, first frames not in id order (as reordered captures give). */
function connections(n: number): ConnectionReport[] {
  return Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    const frame = id % 7 === 0 ? id * 10 - 15 : id * 10 + 1;
    const base = conn({ id, firstFrame: frame });
    return id % 5 === 0
      ? { ...base, close: { ...base.close, kind: 'reset' as const, rstBy: 'server' as const }, events: [...base.events, ev('rst', frame + 4, 'server')] }
      : base;
  });
}

/** Shuffled deterministically: connections end in no particular order. */
function endOrder<T>(list: readonly T[]): T[] {
  const out = list.slice();
  let seed = 12345;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('report outputs streamed', () => {
  const conns = connections(300);
  const whole = report(conns);
  const ordered = inCaptureOrder(conns, false);

  it('csv and zeek: the rows in capture order, as the renderers write the whole report', async () => {
    expect(ordered.map((c) => c.id)).not.toEqual(conns.map((c) => c.id));
    expect(await through({ format: 'csv' }, whole, endOrder(conns))).toBe(renderCsv(ordered));
    expect(await through({ format: 'zeek' }, whole, endOrder(conns))).toBe(renderZeek({ ...whole, connections: ordered }));
  });

  it('text: header, table in capture order and findings, as renderText()', async () => {
    const expected = renderText({ ...whole, connections: ordered }, { color: false, findings: computeFindings(whole) });
    expect(await through({ format: 'text', text: { color: false } }, whole, endOrder(conns))).toBe(expected);
    const colour = renderText({ ...whole, connections: ordered }, { color: true, findings: computeFindings(whole) });
    expect(await through({ format: 'text', text: { color: true } }, whole, endOrder(conns))).toBe(colour);
  });

  it(`text past ${TEXT_TABLE_MAX} connections: the notable ones only, with a line saying how to list all`, async () => {
    const many = connections(TEXT_TABLE_MAX + 500);
    const big = report(many);
    const text = await through({ format: 'text', text: { color: false } }, big, endOrder(many));
    const notable = many.filter(isNotable);
    expect(notable.length).toBe(Math.floor(many.length / 5));
    const rows = text.split('\n').filter((l) => l.startsWith('#'));
    expect(rows.map((l) => Number(l.slice(1, l.indexOf(' '))))).toEqual(inCaptureOrder(notable, false).map((c) => c.id));
    expect(text).toContain(`TCP connections: ${many.length}`);
    expect(text).toContain(`the ${notable.length} notable connections`);
    expect(text).toContain(`${(many.length - notable.length).toLocaleString('en-US')} clean ones left out`);
    expect(text).toContain('--all lists every connection');
    // --all: every row, exactly as renderText().
    const all = await through({ format: 'text', text: { color: false, all: true } }, big, endOrder(many));
    expect(all).toBe(renderText({ ...big, connections: inCaptureOrder(many, false) }, { color: false, findings: computeFindings(big) }));
  });

  it('findings name the lowest ids whatever order connections end in', async () => {
    const many = connections(2000);
    const ids = (s: string): string[] => s.split('\n').filter((l) => l.trim().startsWith('connections:'));
    const inOrder = await through({ format: 'text', text: { color: false } }, report(many), many);
    const shuffled = await through({ format: 'text', text: { color: false } }, report(many), endOrder(many));
    expect(ids(inOrder).length).toBeGreaterThan(0);
    expect(ids(shuffled)).toEqual(ids(inOrder));
    // time_wait_pileup names every connection (its ids the lowest); the RST burst's every fifth.
    expect(ids(inOrder).some((l) => /connections: 1, 2, 3, 4, 5, /.test(l))).toBe(true);
  });
});
