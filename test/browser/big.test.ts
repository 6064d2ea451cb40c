/**
 * 100,000 synthetic connections: the file stays small, and the page opens, pages, sorts, filters and
 * draws a ladder in chromium (the table is paged; rows are built only for the page on screen).
 * The times are printed for a reader, not asserted: a cold browser on a busy CI machine says nothing
 * about the report (performance is measured by `npm run bench`, not by timed tests).
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html/index.js';
import { bigReport } from '../report-html/fixtures.js';
import { haveChromium, reportInChromium, shownCount } from './helpers.js';

const N = 100_000;
const LADDERS = 2000;

describe.skipIf(!haveChromium)(`a report of ${N.toLocaleString('en-US')} connections`, () => {
  const opened = reportInChromium('tcpshake-big-', (dir) => {
    const file = join(dir, 'big.html');
    writeFileSync(file, renderHtml(bigReport(N, LADDERS)));
    return file;
  });

  it('is under 30 MB and shows its first page with no console error or request', () => {
    const bytes = statSync(opened.file).size;
    console.log(`100k connections, ${LADDERS} ladders: ${(bytes / 1024 / 1024).toFixed(1)} MiB, first page after ${opened.openMs} ms`);
    expect(bytes).toBeLessThan(30 * 1024 * 1024);
    expect(opened.w.problems).toEqual([]);
    expect(opened.w.network).toEqual([]);
  });

  it('pages, sorts, filters and opens a ladder', async () => {
    const page = opened.w.page;
    expect(await shownCount(page)).toBe(N);
    expect(await page.locator('#conn-body tr[data-row]').count()).toBe(100);
    const timed = async (what: () => Promise<unknown>): Promise<number> => {
      const t = performance.now();
      await what();
      return performance.now() - t;
    };
    const nextMs = await timed(() => page.click('#page-next'));
    expect(await page.textContent('#page-where')).toContain('page 2 of 1,000');
    const sortMs = await timed(async () => {
      await page.click('#conn-head th[data-key="duration"]');
      await page.waitForSelector('#conn-head th[data-key="duration"][aria-sort]');
    });
    // 1 in 10 synthetic connections is refused (handshake kinds cycle with period 10).
    const filterMs = await timed(async () => {
      await page.selectOption('#f-hk', { label: 'refused' });
      await expect.poll(() => shownCount(page)).toBe(N / 10);
    });
    await page.selectOption('#f-hk', '-1');
    const textMs = await timed(async () => {
      await page.fill('#f-text', '172.16.0.3:');
      let onServer3 = 0;
      for (let i = 0; i < N; i++) if (i % 7 === 2) onServer3++;
      await expect.poll(() => shownCount(page)).toBe(onServer3);
    });
    await page.fill('#f-text', '#1500');
    await expect.poll(() => shownCount(page)).toBe(1);
    const ladderMs = await timed(async () => {
      await page.click('#conn-body tr[data-row]');
      await page.waitForSelector('svg.ladder');
    });
    expect(await page.locator('svg.ladder g.seg').count()).toBe(11);
    console.log(`next page ${nextMs.toFixed(0)} ms, sort ${sortMs.toFixed(0)} ms, kind filter ${filterMs.toFixed(0)} ms, text filter ${textMs.toFixed(0)} ms, ladder ${ladderMs.toFixed(0)} ms`);
    expect(opened.w.problems).toEqual([]);
  });
});
