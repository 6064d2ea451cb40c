/**
 * FindingsCollector keeps bounded memory: per-endpoint counts are exact up to a cap of distinct
 * endpoints and keep the heavy endpoints right beyond it.
 */
import { describe, expect, it } from 'vitest';
import { EndpointCounts, MAX_TRACKED_ENDPOINTS, RstBurstSearch } from '../../src/report/findings.js';
import { StringInterner } from '../../src/util/intern.js';

describe('EndpointCounts', () => {
  it('is exact while there are fewer than twice the cap of distinct endpoints', () => {
    const c = new EndpointCounts();
    const truth = new Map<string, number>();
    for (let i = 0; i < 30_000; i++) {
      const ep = `10.0.0.${(i * i) % (MAX_TRACKED_ENDPOINTS + 500)}`;
      c.add(ep);
      truth.set(ep, (truth.get(ep) ?? 0) + 1);
    }
    expect(truth.size).toBeLessThan(2 * MAX_TRACKED_ENDPOINTS);
    expect(c.forgottenMax).toBe(0);
    const expected = [...truth.entries()]
      .map(([endpoint, count]) => ({ endpoint, count }))
      .sort((a, b) => b.count - a.count || (a.endpoint < b.endpoint ? -1 : 1))
      .slice(0, 5);
    expect(c.top(5)).toEqual(expected);
  });

  it('keeps the heavy endpoints exact among 200,000 one-off endpoints, in bounded size', () => {
    const c = new EndpointCounts();
    let maxSize = 0;
    const heavy = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.6'];
    for (let i = 0; i < 200_000; i++) {
      c.add(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      // Heavy endpoints: 1 in 50, 1 in 100, ... of the stream, interleaved with the one-offs.
      for (let h = 0; h < heavy.length; h++) if (i % (50 * (h + 1)) === 0) c.add(heavy[h]!);
      if (c.size > maxSize) maxSize = c.size;
    }
    expect(maxSize).toBeLessThanOrEqual(2 * MAX_TRACKED_ENDPOINTS);
    expect(c.forgottenMax).toBeGreaterThan(0);
    expect(c.top(5)).toEqual(heavy.slice(0, 5).map((endpoint, h) => ({ endpoint, count: Math.ceil(200_000 / (50 * (h + 1))) })));
    // One-offs never reach the top with an inflated count.
    expect(c.max()).toBe(4000);
  });

  it('forgets everything when all counts tie (nothing stands out) rather than keep an arbitrary half', () => {
    const c = new EndpointCounts();
    for (let i = 0; i < 2 * MAX_TRACKED_ENDPOINTS + 1; i++) c.add(`ep${i}`);
    expect(c.size).toBeLessThanOrEqual(MAX_TRACKED_ENDPOINTS);
    expect(c.max()).toBe(1);
  });
});

describe('RstBurstSearch', () => {
  /** A deterministic pseudo-random sequence in [0, 1). */
  function rng(seed: number): () => number {
    let x = seed >>> 0 || 1;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
  }

  /**
   * RSTs as a run reports them: times mostly rising, each arriving up to `lag` seconds late, with
   * bursts; senders from a small set so that counts tie and differ.
   */
  function stream(seed: number, n: number, lag: number): [number, number, string][] {
    const r = rng(seed);
    const out: { at: number; rst: [number, number, string] }[] = [];
    let t = 1_700_000_000;
    for (let i = 0; i < n; i++) {
      t += r() < 0.05 ? 0.0005 : r() * 0.4;
      // Times on a millisecond grid: equal times happen, and their order is arrival order.
      const time = Math.round(t * 1000) / 1000;
      out.push({ at: time + r() * lag, rst: [time, i + 1, `10.0.0.${Math.floor(r() * 7)}`] });
    }
    return out.sort((a, b) => a.at - b.at).map((x) => x.rst);
  }

  const tallyOf = (s: RstBurstSearch) => {
    const t = s.result();
    return t === null ? null : { count: t.count, top: t.top.top(5), ids: t.ids };
  };

  it.each([
    [1, 3000, 5],
    [2, 3000, 30],
    [3, 3000, 0],
    [4, 5000, 100],
  ])('settling as it goes finds the plain search’s burst (seed %i, %i RSTs, up to %i s late)', (seed, n, lag) => {
    const plain = new RstBurstSearch(Infinity);
    const settling = new RstBurstSearch(64);
    let most = 0;
    for (const [time, id, sender] of stream(seed, n, lag)) {
      plain.add(time, id, sender);
      settling.add(time, id, sender);
      most = Math.max(most, settling.held);
    }
    expect(settling.lateRsts).toBe(0);
    expect(tallyOf(settling)).toEqual(tallyOf(plain));
    expect(tallyOf(plain)).not.toBeNull();
    // Bounded by the RSTs within the horizon, not by the stream.
    expect(most).toBeLessThan(n / 2);
  });

  it('finds a burst that the settling boundary cuts in two', () => {
    const s = new RstBurstSearch(16);
    const t0 = 1_700_000_000;
    for (let i = 0; i < 3; i++) s.add(t0 + 10 * i, i + 1, '10.0.0.1');
    for (let i = 0; i < 12; i++) s.add(t0 + 200 + 0.05 * i, 100 + i, `10.0.0.${2 + (i % 2)}`);
    // The 16th RST held: those before t0 + 200.3 (this one's time − 120 s) are settled now.
    s.add(t0 + 320.3, 999, '10.0.0.9');
    expect(s.held).toBeLessThan(16);
    const t = s.result()!;
    expect(t.count).toBe(12);
    expect(t.ids).toEqual(Array.from({ length: 12 }, (_, i) => 100 + i));
    expect(t.top.top(5)).toEqual([
      { endpoint: '10.0.0.2', count: 6 },
      { endpoint: '10.0.0.3', count: 6 },
    ]);
  });

  it('leaves out, and counts, an RST arriving after RSTs of its time were settled', () => {
    const s = new RstBurstSearch(16);
    const t0 = 1_700_000_000;
    for (let i = 0; i < 40; i++) s.add(t0 + i * 10, i + 1, '10.0.0.1');
    s.add(t0 + 1, 99, '10.0.0.2');
    expect(s.lateRsts).toBe(1);
    for (let i = 0; i < 12; i++) s.add(t0 + 1000 + i * 0.01, 200 + i, '10.0.0.3');
    expect(s.result()!.count).toBe(12);
  });
});

describe('StringInterner', () => {
  it('keeps at most its bound of distinct strings, and gives each string back unchanged', () => {
    const t = new StringInterner(2);
    const size = () => (t as unknown as { seen: Map<string, string> }).seen.size;
    for (const s of ['10.0.0.1', '10.0.0.1', '10.0.0.2']) expect(t.get(s)).toBe(s);
    expect(size()).toBe(2);
    for (let i = 3; i < 100; i++) expect(t.get(`10.0.0.${i}`)).toBe(`10.0.0.${i}`);
    expect(size()).toBe(2);
  });
});
