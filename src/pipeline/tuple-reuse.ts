/**
 * Which connections of a run share their 4-tuple with another, found as connections go by without
 * keeping a string per connection: `--format json` reports each connection as soon as it is over,
 * before it can know whether its tuple comes back later in the capture, and a connection on a reused
 * tuple gets frame bounds in its display filter (see boundDisplayFilter in analyze.ts).
 *
 * Each connection leaves a 30-bit hash of its unordered 4-tuple and its id (a pair of V8 small
 * integers in one Map: some 30 bytes a connection, against about 200 for a text key and its entry).
 * Connections whose hash was seen before are candidates, settled exactly at the end from their
 * tuples. A shared tuple always shares its hash, so no reused tuple is missed; two tuples sharing a
 * hash by chance only cost that check. Connections a filter leaves out keep their tuple as text, as
 * their report is not kept to read it back from.
 */
import type { ConnectionReport } from '../model/report.js';
import { combineSymmetric } from '../flow/key.js';
import { tupleKey } from './analyze.js';

/** FNV-1a over an address as printed and a port. */
function endpointTextHash(ip: string, port: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ip.length; i++) h = Math.imul(h ^ ip.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (port & 0xff), 0x01000193);
  return Math.imul(h ^ (port >>> 8), 0x01000193) >>> 0;
}

/** The same for both orders of the two endpoints (a tuple is the same whichever end is the client). */
export function tupleHash(c: Pick<ConnectionReport, 'client' | 'server'>): number {
  return combineSymmetric(endpointTextHash(c.client.ip, c.client.port), endpointTextHash(c.server.ip, c.server.port));
}

export class TupleReuse {
  /** Hash → the id of the first connection that had it. */
  private readonly firstByHash = new Map<number, number>();
  /** Ids whose hash another connection shares. */
  private readonly candidates = new Set<number>();
  /** The tuple of each connection left out of the output (by a filter): its report is not kept. */
  private readonly hiddenTuples = new Map<number, string>();

  /** One more connection of the run; `shown` when its report is kept (its tuple is read back from it). */
  note(c: Pick<ConnectionReport, 'id' | 'client' | 'server'>, shown: boolean): void {
    if (!shown) this.hiddenTuples.set(c.id, tupleKey(c));
    const h = tupleHash(c);
    const first = this.firstByHash.get(h);
    if (first === undefined) {
      this.firstByHash.set(h, c.id);
      return;
    }
    this.candidates.add(first);
    this.candidates.add(c.id);
  }

  /**
   * The shown connections that share their 4-tuple with another connection of the run (shown or
   * not), in id order; `shownTuple(id)` gives a shown candidate's tuple (tupleKey) from its report.
   */
  reused(shownTuple: (id: number) => string | undefined): number[] {
    const byTuple = new Map<string, number[]>();
    for (const id of [...this.candidates].sort((x, y) => x - y)) {
      const tuple = this.hiddenTuples.get(id) ?? shownTuple(id);
      if (tuple === undefined) continue;
      const ids = byTuple.get(tuple);
      if (ids === undefined) byTuple.set(tuple, [id]);
      else ids.push(id);
    }
    const out: number[] = [];
    for (const ids of byTuple.values()) if (ids.length > 1) for (const id of ids) if (!this.hiddenTuples.has(id)) out.push(id);
    return out.sort((x, y) => x - y);
  }

  clear(): void {
    this.firstByHash.clear();
    this.candidates.clear();
    this.hiddenTuples.clear();
  }
}
