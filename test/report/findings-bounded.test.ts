/**
 * FindingsCollector keeps bounded memory: per-endpoint counts are exact up to a cap of distinct
 * endpoints and keep the heavy endpoints right beyond it.
 */
import { describe, expect, it } from 'vitest';
import { EndpointCounts, MAX_TRACKED_ENDPOINTS } from '../../src/report/findings.js';

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
