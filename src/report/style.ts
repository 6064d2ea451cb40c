/**
 * Small shared helpers for the text renderers: colour as a parameter (never decided here: the CLI
 * knows whether it writes to a terminal), time and duration formatting.
 */

export type Paint = (text: string) => string;

export interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  blue: Paint;
  magenta: Paint;
  cyan: Paint;
}

const sgr =
  (open: number, close: number): Paint =>
  (t) =>
    t === '' ? t : `\u001b[${open}m${t}\u001b[${close}m`;
const plain: Paint = (t) => t;

export function palette(color: boolean): Palette {
  if (!color) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, blue: plain, magenta: plain, cyan: plain };
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    magenta: sgr(35, 39),
    cyan: sgr(36, 39),
  };
}

/** Visible width of a string that may hold SGR escapes. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export function padEnd(s: string, width: number): string {
  const n = visibleLength(s);
  return n >= width ? s : s + ' '.repeat(width - n);
}

export function padStart(s: string, width: number): string {
  const n = visibleLength(s);
  return n >= width ? s : ' '.repeat(width - n) + s;
}

/** Epoch seconds → `2026-11-21 12:00:00.123456 UTC` (microseconds, like tcpdump -tttt). */
export function formatTimestamp(t: number): string {
  let sec = Math.floor(t);
  let usec = Math.round((t - sec) * 1e6);
  if (usec >= 1e6) {
    sec += 1;
    usec -= 1e6;
  }
  const iso = new Date(sec * 1000).toISOString(); // 2026-11-21T12:00:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(usec).padStart(6, '0')} UTC`;
}

/** Seconds → `0.052310 s` below a minute, `12m03.5s`, `2h05m`. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '-';
  if (s < 60) return `${s.toFixed(6)}s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return `${m}m${(s - m * 60).toFixed(1).padStart(4, '0')}s`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  return `${h}h${String(m).padStart(2, '0')}m`;
}

/** `{a: 2, b: 1}` → `a 2, b 1` in the vocabulary's order. */
export function countsText<K extends string>(counts: Partial<Record<K, number>>, order: readonly K[]): string {
  const parts: string[] = [];
  for (const k of order) {
    const n = counts[k];
    if (n) parts.push(`${k} ${n}`);
  }
  for (const k of Object.keys(counts) as K[]) {
    if (!order.includes(k) && counts[k]) parts.push(`${k} ${counts[k]}`);
  }
  return parts.length ? parts.join(', ') : 'none';
}
