/**
 * Small inline-SVG charts for the HTML report, drawn at render time (pure functions returning
 * markup strings). Sizes are in viewBox units; CSS scales them to the page width. No `style`
 * attributes: the report's Content-Security-Policy allows only its own hashed stylesheet, so
 * colours are SVG presentation attributes or classes.
 */
import { escapeHtml } from './escape.js';

export interface Bar {
  label: string;
  value: number;
  colour: string;
  /** Filter the table applies when the bar is clicked: "hk:three_way", "ck:reset". */
  filter?: string;
}

const FONT = 12;

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Horizontal bars with labels on the left and counts on the right. */
export function barChart(title: string, bars: Bar[]): string {
  const rowH = 24;
  const labelW = 128;
  const countW = 56;
  const width = 400;
  const barW = width - labelW - countW;
  const shown = bars.filter((b) => b.value > 0);
  const max = Math.max(1, ...shown.map((b) => b.value));
  const height = Math.max(1, shown.length) * rowH + 8;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart bars" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>`,
  );
  if (shown.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2 + 4}" text-anchor="middle" class="muted">none</text>`);
  }
  shown.forEach((b, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(2, (b.value / max) * barW);
    const attrs = b.filter !== undefined ? ` class="bar clickable" data-filter="${escapeHtml(b.filter)}" tabindex="0"` : ' class="bar"';
    parts.push(
      `<g${attrs}><title>${escapeHtml(`${b.label}: ${fmtCount(b.value)}`)}</title>` +
        `<text x="${labelW - 8}" y="${y + rowH / 2 + FONT / 3}" text-anchor="end">${escapeHtml(b.label)}</text>` +
        `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" rx="3" fill="${b.colour}"/>` +
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + rowH / 2 + FONT / 3}" class="count">${fmtCount(b.value)}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** "1.5 ms", "230 µs", "2.0 s", "3 min". */
export function fmtDuration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a === 0) return '0';
  if (a < 1e-3) return `${+(seconds * 1e6).toPrecision(3)} µs`;
  if (a < 1) return `${+(seconds * 1e3).toPrecision(3)} ms`;
  if (a < 120) return `${+seconds.toPrecision(3)} s`;
  if (a < 7200) return `${+(seconds / 60).toPrecision(3)} min`;
  if (a < 172800) return `${+(seconds / 3600).toPrecision(3)} h`;
  return `${+(seconds / 86400).toPrecision(3)} d`;
}

export interface Series {
  label: string;
  colour: string;
  /** Counts per bin. */
  bins: number[];
  /** Drawn below the axis (mirrored), e.g. closes under opens. */
  down?: boolean;
}

/** Bin times (seconds after t0) into `n` bins spanning [0, span]. */
export function binTimes(times: Iterable<number>, span: number, n: number): number[] {
  const bins = new Array<number>(n).fill(0);
  const w = span > 0 ? span / n : 1;
  for (const t of times) {
    let i = Math.floor(t / w);
    if (i < 0) i = 0;
    if (i >= n) i = n - 1;
    bins[i]!++;
  }
  return bins;
}

/**
 * Column chart over time: one or two series (the second may hang below the axis), with the time
 * axis labelled relative to the capture start.
 */
export function timeChart(title: string, span: number, series: Series[], empty = 'none'): string {
  const width = 400;
  const left = 44;
  const right = 8;
  const top = 8;
  const plotH = 120;
  const hasDown = series.some((s) => s.down);
  const axisY = hasDown ? top + plotH / 2 : top + plotH;
  const bottomY = top + plotH;
  const height = bottomY + 34;
  const n = series[0]?.bins.length ?? 0;
  const plotW = width - left - right;
  const up = series.filter((s) => !s.down);
  const down = series.filter((s) => s.down);
  const maxUp = Math.max(1, ...up.flatMap((s) => s.bins));
  const maxDown = Math.max(1, ...down.flatMap((s) => s.bins));
  const total = series.reduce((a, s) => a + s.bins.reduce((x, y) => x + y, 0), 0);
  const upH = axisY - top;
  const downH = bottomY - axisY;
  const bw = n > 0 ? plotW / n : plotW;
  const binSpan = n > 0 ? span / n : span;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart time" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>`,
  );
  // grid and axis labels
  parts.push(`<text x="${left - 6}" y="${top + 10}" text-anchor="end" class="tick">${fmtCount(maxUp)}</text>`);
  if (hasDown) parts.push(`<text x="${left - 6}" y="${bottomY}" text-anchor="end" class="tick">${fmtCount(maxDown)}</text>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottomY}" class="axis"/>`);
  if (total === 0) {
    parts.push(`<text x="${left + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle" class="muted">${escapeHtml(empty)}</text>`);
  }
  for (let i = 0; i < n; i++) {
    const x = left + i * bw;
    const from = fmtDuration(i * binSpan);
    const to = fmtDuration((i + 1) * binSpan);
    const tips = series.map((s) => `${s.label}: ${fmtCount(s.bins[i] ?? 0)}`).join(', ');
    let any = false;
    let g = `<g><title>${escapeHtml(`${from} – ${to}: ${tips}`)}</title>`;
    for (const s of up) {
      const v = s.bins[i] ?? 0;
      if (v === 0) continue;
      any = true;
      const h = Math.max(1, (v / maxUp) * upH);
      g += `<rect x="${(x + 0.5).toFixed(1)}" y="${(axisY - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.colour}"/>`;
    }
    for (const s of down) {
      const v = s.bins[i] ?? 0;
      if (v === 0) continue;
      any = true;
      const h = Math.max(1, (v / maxDown) * downH);
      g += `<rect x="${(x + 0.5).toFixed(1)}" y="${axisY.toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.colour}"/>`;
    }
    // an invisible hit area so the tooltip works on empty bins too
    g += `<rect x="${x.toFixed(1)}" y="${top}" width="${bw.toFixed(1)}" height="${plotH}" fill="transparent"/></g>`;
    if (any || total > 0) parts.push(g);
  }
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${left + plotW}" y2="${axisY}" class="axis"/>`);
  // time ticks: start, middle, end
  for (const f of [0, 0.5, 1]) {
    const x = left + f * plotW;
    const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
    parts.push(`<text x="${x.toFixed(1)}" y="${bottomY + 14}" text-anchor="${anchor}" class="tick">${f === 0 ? '0' : '+' + escapeHtml(fmtDuration(f * span))}</text>`);
  }
  // legend
  let lx = left;
  for (const s of series) {
    parts.push(`<rect x="${lx}" y="${bottomY + 22}" width="10" height="10" rx="2" fill="${s.colour}"/>`);
    parts.push(`<text x="${lx + 14}" y="${bottomY + 31}" class="tick">${escapeHtml(s.label)}${s.down ? ' (below)' : ''}</text>`);
    lx += 24 + s.label.length * 7 + (s.down ? 48 : 0);
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Histogram of durations (seconds). Round-trip times spread over decades (LAN microseconds next
 * to intercontinental hundreds of milliseconds), so bins are logarithmic when the values span
 * more than one decade, linear otherwise.
 */
export function histogram(title: string, values: number[], colour: string, nBins = 24): string {
  const width = 400;
  const left = 44;
  const right = 8;
  const top = 8;
  const plotH = 120;
  const bottomY = top + plotH;
  const height = bottomY + 34;
  const plotW = width - left - right;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart hist" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>`,
  );
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottomY}" class="axis"/>`);
  parts.push(`<line x1="${left}" y1="${bottomY}" x2="${left + plotW}" y2="${bottomY}" class="axis"/>`);
  const vals = values.filter((v) => Number.isFinite(v) && v >= 0);
  if (vals.length === 0) {
    parts.push(`<text x="${left + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle" class="muted">no completed SYN → SYN-ACK exchanges</text></svg>`);
    return parts.join('');
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of vals) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const positiveMin = Math.max(min, 1e-6);
  const log = max / positiveMin > 10;
  let edges: number[];
  if (max === min) {
    edges = [min, min + Math.max(min * 0.1, 1e-6)];
  } else if (log) {
    const a = Math.log10(positiveMin);
    const b = Math.log10(max);
    edges = Array.from({ length: nBins + 1 }, (_, i) => 10 ** (a + ((b - a) * i) / nBins));
  } else {
    edges = Array.from({ length: nBins + 1 }, (_, i) => min + ((max - min) * i) / nBins);
  }
  const n = edges.length - 1;
  const bins = new Array<number>(n).fill(0);
  for (const v of vals) {
    let i: number;
    if (n === 1) i = 0;
    else if (log) i = Math.floor(((Math.log10(Math.max(v, positiveMin)) - Math.log10(positiveMin)) / (Math.log10(max) - Math.log10(positiveMin))) * n);
    else i = Math.floor(((v - min) / (max - min)) * n);
    if (i >= n) i = n - 1;
    if (i < 0) i = 0;
    bins[i]!++;
  }
  const peak = Math.max(1, ...bins);
  const bw = plotW / n;
  parts.push(`<text x="${left - 6}" y="${top + 10}" text-anchor="end" class="tick">${fmtCount(peak)}</text>`);
  bins.forEach((v, i) => {
    const x = left + i * bw;
    const h = v === 0 ? 0 : Math.max(1, (v / peak) * plotH);
    parts.push(
      `<g><title>${escapeHtml(`${fmtDuration(edges[i]!)} – ${fmtDuration(edges[i + 1]!)}: ${fmtCount(v)}`)}</title>` +
        `<rect x="${(x + 0.5).toFixed(1)}" y="${(bottomY - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"/>` +
        `<rect x="${x.toFixed(1)}" y="${top}" width="${bw.toFixed(1)}" height="${plotH}" fill="transparent"/></g>`,
    );
  });
  const ticks = [0, 0.5, 1];
  for (const f of ticks) {
    const x = left + f * plotW;
    const v = log ? 10 ** (Math.log10(edges[0]!) + f * (Math.log10(edges[n]!) - Math.log10(edges[0]!))) : edges[0]! + f * (edges[n]! - edges[0]!);
    const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
    parts.push(`<text x="${x.toFixed(1)}" y="${bottomY + 14}" text-anchor="${anchor}" class="tick">${escapeHtml(fmtDuration(v))}</text>`);
  }
  const med = [...vals].sort((a, b) => a - b)[Math.floor((vals.length - 1) / 2)]!;
  parts.push(
    `<text x="${left}" y="${bottomY + 31}" class="tick">${fmtCount(vals.length)} handshakes · median ${escapeHtml(fmtDuration(med))} · ${log ? 'log' : 'linear'} scale</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
