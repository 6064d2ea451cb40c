/**
 * Lost segments in the HTML ladder, drawn as `tcpshake ladder` draws them: a segment the capture saw
 * and that never arrived is dashed red and stops short with a ✗; one lost before the capture point
 * (inferred from the retransmission it caused) is drawn after the segment it answers. And the states:
 * a segment that takes a side through several states stacks one pill per state.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { haveChromium, memoryIO, reportInChromium, shownCount } from './helpers.js';

// Two connections with different client ports: the server side of a lost final ACK (#1) and of a
// lost SYN-ACK (#2).
const FILES = ['final-ack-lost-server-side', 'synack-lost-server-side'].map((n) => resolve('samples', `${n}.pcap`));

/** The HTML report of `files` open in chromium, and a way to open one connection's ladder in it. */
function reportOf(files: string[], prefix: string) {
  const opened = reportInChromium(prefix, async (dir) => {
    const out = join(dir, 'report.html');
    expect(await main(['report', ...files, '-o', out], memoryIO())).toBe(0);
    return out;
  });
  async function openLadder(id: number): Promise<void> {
    const page = opened.w.page;
    await page.fill('#f-text', `#${id}`);
    await expect.poll(() => shownCount(page)).toBe(1);
    await page.click('#conn-body tr[data-row]');
    await page.waitForSelector(`#detail svg.ladder`);
  }
  return { opened, openLadder };
}

describe.skipIf(!haveChromium || !FILES.every((f) => existsSync(f)))('lost segments in the ladder', () => {
  const { opened, openLadder } = reportOf(FILES, 'tcpshake-losses-');

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

// A SYN-ACK lost before the capture point (client side, #1) and a simultaneous close (#2), whose
// server passes FIN_WAIT_1 and CLOSING on one segment.
const MORE = ['synack-lost-client-side', 'simultaneous-close'].map((n) => resolve('samples', `${n}.pcap`));

describe.skipIf(!haveChromium || !MORE.every((f) => existsSync(f)))('lost SYN-ACKs and stacked states in the ladder', () => {
  const { opened, openLadder } = reportOf(MORE, 'tcpshake-states-');

  it('draws a SYN-ACK lost before the capture point after the first SYN, before its retransmission', async () => {
    const page = opened.w.page;
    await openLadder(1);
    expect(await page.textContent('#detail svg.ladder')).toContain('10.99.1.2:40011');
    expect(await page.locator('svg.ladder g.seg').count()).toBe(13);
    expect(await page.locator('svg.ladder g.seg.lost').count()).toBe(0);
    const lost = page.locator('svg.ladder g.unseen-seg.lost');
    expect(await lost.count()).toBe(1);
    expect(await lost.textContent()).toContain('SYN-ACK ✗ lost before the capture point');
    // From the server's line towards the client's, stopping short with a cross.
    const [x1, x2] = await lost.locator('line').evaluate((l) => [Number(l.getAttribute('x1')), Number(l.getAttribute('x2'))]);
    expect(x1).toBeGreaterThan(x2!);
    expect(await lost.locator('path.cross').count()).toBe(1);
    const order = await page.$$eval('svg.ladder > g.seg, svg.ladder > g.unseen-seg', (gs) => gs.map((g) => g.getAttribute('data-frame') || 'lost'));
    expect(order.slice(0, 4)).toEqual(['1', 'lost', '2', '3']);
    expect(opened.w.problems).toEqual([]);
  });

  it('stacks one pill per state when a segment takes a side through several', async () => {
    const page = opened.w.page;
    await openLadder(2);
    expect(await page.textContent('#detail svg.ladder')).toContain('10.99.1.2:40012');
    const pills = await page.$$eval('svg.ladder g.state:not(.initial)', (gs) =>
      gs.map((g) => {
        const r = g.querySelector('rect')!;
        return { name: g.querySelector('text')!.textContent, x: Number(r.getAttribute('x')), y: Number(r.getAttribute('y')), h: Number(r.getAttribute('height')) };
      }),
    );
    // Server (right-hand pills): ... ESTABLISHED, FIN_WAIT_1, CLOSING (both on frame 9), TIME_WAIT.
    const server = pills.filter((p) => p.x > 450);
    expect(server.map((p) => p.name)).toEqual(['SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
    const client = pills.filter((p) => p.x < 450);
    expect(client.map((p) => p.name)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
    // Stacked in order, and no two pills on one side overlap.
    for (const side of [server, client]) {
      for (let i = 1; i < side.length; i++) expect(side[i]!.y).toBeGreaterThanOrEqual(side[i - 1]!.y + side[i - 1]!.h);
    }
    // Every state of the history is drawn.
    const fin1 = server.find((p) => p.name === 'FIN_WAIT_1')!;
    const closing = server.find((p) => p.name === 'CLOSING')!;
    expect(closing.y - fin1.y).toBeLessThan(30);
    expect(opened.w.problems).toEqual([]);
  });
});

describe.skipIf(!haveChromium || !existsSync(MORE[0]!))('a lost arrow in a capped ladder', () => {
  const opened = reportInChromium('tcpshake-capped-', async (dir) => {
    const out = join(dir, 'capped.html');
    // 13 segments, 6 kept: frames 1-3 and 11-13.
    expect(await main(['report', MORE[0]!, '--max-segments', '6', '-o', out], memoryIO())).toBe(0);
    return out;
  });

  it('keeps the elided-middle line between the two halves, after the lost SYN-ACK', async () => {
    const page = opened.w.page;
    await page.click('#conn-body tr[data-row]');
    await page.waitForSelector('#detail svg.ladder');
    const order = await page.$$eval('svg.ladder > g.seg, svg.ladder > g.unseen-seg, svg.ladder > text.elided', (els) =>
      els.map((e) => (e.tagName === 'text' ? 'elided' : e.getAttribute('data-frame') || 'lost')),
    );
    expect(order).toEqual(['1', 'lost', '2', '3', 'elided', '11', '12', '13']);
    expect(opened.w.problems).toEqual([]);
  });
});
