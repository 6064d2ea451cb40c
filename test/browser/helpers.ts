/**
 * Browser-test helpers: Debian's chromium driven by playwright-core (never a downloaded browser),
 * a page that fails on any non-file request, console errors collected, and a small PNG decoder
 * for the non-blank screenshot check.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Watched {
  page: Page;
  /** Console errors and warnings, page errors (uncaught exceptions), CSP violations. */
  problems: string[];
  /** Every request that was not for a file:// URL (aborted). */
  network: string[];
  dialogs: string[];
}

export async function watchedPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Watched> {
  const page = await browser.newPage({ viewport });
  const w: Watched = { page, problems: [], network: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') w.problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    w.network.push(url);
    return route.abort();
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('file:') && !url.startsWith('data:') && !w.network.includes(url)) w.network.push(url);
  });
  return w;
}

/** Open a report and wait until the client script has rendered the first page; returns ms since navigation start. */
export async function openReport(page: Page, file: string): Promise<number> {
  await page.goto(`file://${file}`);
  await page.waitForSelector('html[data-ready]', { timeout: 30_000 });
  return Number(await page.getAttribute('html', 'data-ready'));
}

/** A report open in chromium; the fields are set once the enclosing describe's tests run. */
export interface OpenedReport {
  dir: string;
  file: string;
  browser: Browser;
  w: Watched;
  /** What openReport() measured: ms from navigation start to the first page rendered. */
  openMs: number;
}

/**
 * For the enclosing describe: before its tests, `write` puts a report into a fresh temporary
 * folder (named from `prefix`) and returns its path, and chromium opens it in a watched page;
 * after them, the browser closes and the folder goes.
 */
export function reportInChromium(prefix: string, write: (dir: string) => Promise<string> | string): OpenedReport {
  const opened = {} as OpenedReport;
  beforeAll(async () => {
    opened.dir = mkdtempSync(join(tmpdir(), prefix));
    opened.file = await write(opened.dir);
    opened.browser = await launch();
    opened.w = await watchedPage(opened.browser);
    opened.openMs = await openReport(opened.w.page, opened.file);
  });
  afterAll(async () => {
    await opened.browser?.close();
    if (opened.dir) rmSync(opened.dir, { recursive: true, force: true });
  });
  return opened;
}

export async function shownCount(page: Page): Promise<number> {
  return Number(await page.getAttribute('#conn-count', 'data-count'));
}

/** Decode an 8-bit RGB/RGBA non-interlaced PNG (what chromium writes) into RGBA pixels. */
export function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  let colourType = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      colourType = data[9]!;
      if (depth !== 8 || (colourType !== 2 && colourType !== 6) || data[12] !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour ${colourType})`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const bpp = colourType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp]! : 0;
      const b = prev[i]!;
      const c = i >= bpp ? prev[i - bpp]! : 0;
      let v = line[i]!;
      switch (filter) {
        case 0:
          break;
        case 1:
          v += a;
          break;
        case 2:
          v += b;
          break;
        case 3:
          v += (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`bad PNG filter ${filter}`);
      }
      cur[i] = v & 255;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      out[o] = cur[x * bpp]!;
      out[o + 1] = cur[x * bpp + 1]!;
      out[o + 2] = cur[x * bpp + 2]!;
      out[o + 3] = bpp === 4 ? cur[x * bpp + 3]! : 255;
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

/** Distinct colours and the share of the most common one. */
export function colourStats(png: Buffer): { distinct: number; dominantShare: number; width: number; height: number } {
  const { width, height, rgba } = decodePng(png);
  const counts = new Map<number, number>();
  for (let i = 0; i < rgba.length; i += 4) {
    const k = (rgba[i]! << 16) | (rgba[i + 1]! << 8) | rgba[i + 2]!;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let max = 0;
  for (const n of counts.values()) if (n > max) max = n;
  return { distinct: counts.size, dominantShare: max / (width * height), width, height };
}

export { memoryIO } from '../report-html/memory-io.js';
