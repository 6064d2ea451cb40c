/**
 * `--format json` finds the connections on a 4-tuple that came back from a hash per connection,
 * settled exactly at the end: every reused tuple is found (whichever end is the client, whether the
 * other connection on it is shown or filtered out), and a tuple that only shares its hash is not.
 */
import { describe, expect, it } from 'vitest';
import { tupleKey } from '../../src/pipeline/analyze.js';
import { TupleReuse, tupleHash } from '../../src/pipeline/tuple-reuse.js';

interface Conn {
  id: number;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
}

const conn = (id: number, client: string, cport: number, server: string, sport: number): Conn => ({
  id,
  client: { ip: client, port: cport },
  server: { ip: server, port: sport },
});

/** Settles `reuse` with the tuples of the shown connections in `shown`, counting the look-ups. */
function settle(reuse: TupleReuse, shown: Conn[]): { ids: number[]; looked: number[] } {
  const looked: number[] = [];
  const ids = reuse.reused((id) => {
    looked.push(id);
    const c = shown.find((x) => x.id === id);
    return c === undefined ? undefined : tupleKey(c);
  });
  return { ids, looked };
}

describe('TupleReuse', () => {
  it('finds a tuple that came back, with the ends swapped, and among IPv6 addresses', () => {
    const reuse = new TupleReuse();
    const all = [
      conn(1, '10.0.0.1', 40000, '10.0.0.2', 80),
      conn(2, '10.0.0.3', 40000, '10.0.0.2', 80),
      conn(3, '10.0.0.2', 80, '10.0.0.1', 40000), // connection 1's tuple, the server now connecting
      conn(4, 'fd00::1', 5000, 'fd00::2', 443),
      conn(5, 'fd00::1', 5000, 'fd00::2', 443),
    ];
    for (const c of all) reuse.note(c, true);
    const { ids, looked } = settle(reuse, all);
    expect(ids).toEqual([1, 3, 4, 5]);
    // Only connections whose hash came back are looked up.
    expect(looked.sort()).toEqual([1, 3, 4, 5]);
  });

  it('bounds a shown connection whose tuple another, filtered-out one had, and never a filtered-out one', () => {
    const reuse = new TupleReuse();
    const hidden = conn(1, '192.0.2.1', 1234, '192.0.2.9', 22);
    const shown = conn(7, '192.0.2.9', 22, '192.0.2.1', 1234);
    reuse.note(hidden, false);
    reuse.note(conn(3, '192.0.2.1', 1235, '192.0.2.9', 22), true);
    reuse.note(shown, true);
    expect(settle(reuse, [shown]).ids).toEqual([7]);
  });

  it('leaves alone two tuples that only share their hash', () => {
    // Search for two different tuples with the same 30-bit hash (a birthday search over 10.0.0.0/16).
    const seen = new Map<number, Conn>();
    let pair: [Conn, Conn] | null = null;
    for (let i = 0; i < 1 << 20 && pair === null; i++) {
      const c = conn(i + 1, `10.0.${i >> 8 & 255}.${i & 255}`, 1024 + (i >> 16), '10.255.0.1', 443);
      const h = tupleHash(c);
      const before = seen.get(h);
      if (before !== undefined && tupleKey(before) !== tupleKey(c)) pair = [before, c];
      else seen.set(h, c);
    }
    expect(pair).not.toBeNull();
    const [a, b] = pair!;
    const reuse = new TupleReuse();
    reuse.note(a, true);
    reuse.note(b, true);
    const { ids, looked } = settle(reuse, [a, b]);
    expect(looked.sort((x, y) => x - y)).toEqual([a.id, b.id].sort((x, y) => x - y));
    expect(ids).toEqual([]);
  });
});
