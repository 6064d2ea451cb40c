/**
 * Lost segments in the HTML ladder, drawn as `tcpshake ladder` draws them: a segment the capture saw
 * and that never arrived is dashed red and stops short with a ✗; one lost before the capture point
 * (inferred from the retransmission it caused) is drawn after the segment it answers.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { haveChromium, memoryIO, reportInChromium, shownCount } from './helpers.js';

// Two connections with different client ports: the server side of a lost final ACK (#1) and of a
// lost SYN-ACK (#2).
const FILES = ['final-ack-lost-server-side', 'synack-lost-server-side'].map((n) => resolve('samples', `${n}.pcap`));

describe.skipIf(!haveChromium || !FILES.every((f) => existsSync(f)))('lost segments in the ladder', () => {
  const opened = reportInChromium('tcpshake-losses-', async (dir) => {
    const out = join(dir, 'losses.html');
    expect(await main(['report', ...FILES, '-o', out], memoryIO())).toBe(0);
    return out;
  });

  async function openLadder(id: number): Promise<void> {
    const page = opened.w.page;
    await page.fill('#f-text', `#${id}`);
    await expect.poll(() => shownCount(page)).toBe(1);
    await page.click('#conn-body tr[data-row]');
    await page.waitForSelector(`#detail svg.ladder`);
  }

  it('draws a final ACK lost before the capture point after the FIN it answers', async () => {
    const page = opened.w.page;
    await openLadder(1);
    expect(await page.locator('svg.ladder g.seg').count()).toBe(11);
    expect(await page.locator('svg.ladder g.seg.lost').count()).toBe(0);
    const lost = page.locator('svg.ladder g.unseen-seg.lost');
    expect(await lost.count()).toBe(1);
    expect(await lost.textContent()).toContain('final ACK ✗ lost before the capture point');
    // Right after the server's FIN (frame 9), before its retransmission (frame 10).
    const order = await page.$$eval('svg.ladder > g.seg, svg.ladder > g.unseen-seg', (gs) => gs.map((g) => g.getAttribute('data-frame') || 'lost'));
    expect(order.slice(8, 11)).toEqual(['9', 'lost', '10']);
    expect(await page.locator('#detail .legend').textContent()).toContain('lost (✗)');
    expect(opened.w.problems).toEqual([]);
  });

  it('marks a SYN-ACK the capture saw and that never arrived, and draws no extra arrow for it', async () => {
    const page = opened.w.page;
    await openLadder(2);
    expect(await page.locator('svg.ladder g.seg').count()).toBe(14);
    const lost = page.locator('svg.ladder g.seg.lost');
    expect(await lost.count()).toBe(1);
    expect(await lost.getAttribute('data-frame')).toBe('2');
    expect(await lost.textContent()).toContain('lost after the capture point');
    expect(await page.locator('svg.ladder g.unseen-seg').count()).toBe(0);
    expect(await page.locator('svg.ladder path.cross').count()).toBe(1);
    expect(opened.w.problems).toEqual([]);
    expect(opened.w.network).toEqual([]);
  });
});
