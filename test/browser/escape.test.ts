/**
 * A crafted pcapng whose section comment, interface name and description and packet comment carry
 * markup and script: the report must show them as text and run none of it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { epb, idb, shb, tcpPacket } from './pcapng.js';
import { haveChromium, memoryIO, reportInChromium, shownCount } from './helpers.js';

const COMMENT = '</script><script>window.__pwned = 1; alert("comment")</script><img src=x onerror="window.__pwned=2">';
const IFNAME = 'eth0<script>window.__pwned=3</script>';
const IFDESC = '<svg onload="window.__pwned=4"></svg>\u2028<!--';

function craftedCapture(): Buffer {
  const c: [number, number, number, number] = [192, 0, 2, 1];
  const s: [number, number, number, number] = [192, 0, 2, 2];
  const t = 1_700_000_000_000_000n;
  return Buffer.concat([
    shb([[1, COMMENT]]),
    idb(1, [
      [2, IFNAME],
      [3, IFDESC],
    ]),
    epb(t, tcpPacket({ src: c, dst: s, sport: 40000, dport: 80, seq: 1000, ack: 0, flags: 0x02 }), [[1, '<b onmouseover="window.__pwned=5">packet</b>']]),
    epb(t + 1000n, tcpPacket({ src: s, dst: c, sport: 80, dport: 40000, seq: 5000, ack: 1001, flags: 0x12 })),
    epb(t + 2000n, tcpPacket({ src: c, dst: s, sport: 40000, dport: 80, seq: 1001, ack: 5001, flags: 0x10 })),
    epb(t + 3000n, tcpPacket({ src: s, dst: c, sport: 80, dport: 40000, seq: 5001, ack: 1001, flags: 0x04 })),
  ]);
}

describe.skipIf(!haveChromium)('a capture that carries markup', () => {
  const opened = reportInChromium('tcpshake-evil-', async (dir) => {
    // The file name is free text too.
    const cap = join(dir, 'x<script>window.__pwned=6<\\script>.pcapng');
    writeFileSync(cap, craftedCapture());
    const out = join(dir, 'evil.html');
    const io = memoryIO();
    const code = await main(['report', cap, '-o', out], io);
    expect(code).toBe(0);
    return out;
  });

  it('runs none of it and shows it as text', async () => {
    const page = opened.w.page;
    expect(await shownCount(page)).toBe(1);
    await page.click('#conn-body tr[data-row]');
    await page.waitForSelector('svg.ladder');
    expect(await page.locator('svg.ladder g.seg').count()).toBe(4);
    await page.hover('.pcapng-text.comment');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(opened.w.dialogs).toEqual([]);
    expect(opened.w.network).toEqual([]);
    expect(opened.w.problems).toEqual([]);
    // Only the report's own two scripts, no injected elements.
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('img, iframe, object, embed, main svg[onload], b').count()).toBe(0);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain('window.__pwned = 1; alert("comment")');
    expect(text).toContain(IFNAME);
    expect(text).toContain('<svg onload="window.__pwned=4"></svg>');
    expect(await page.textContent('.pcapng-text.comment')).toBe(COMMENT);
  });
});
