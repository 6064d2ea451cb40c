/**
 * The flow table: 4-tuple → value, the same entry for both directions. An array of buckets indexed
 * by the symmetric numeric hash (power-of-two size, grown as needed) with a collision chain per
 * bucket; lookups compare address words and ports, never strings, and allocate nothing. Addresses
 * are read into the entry as numbers once, when it is created (no copy or view of the frame's bytes
 * survives the frame). A tunnelled 4-tuple also keeps its tunnel identity (see key.ts): an untunnelled
 * lookup pays one comparison for it.
 */
import type { Segment } from '../decode/segment.js';
import { word32 } from '../util/bytes.js';
import { combineSymmetric, endpointHashWords, fmix32, tunnelDirection, tunnelIdentity, tunnelMatches, tunnelPathHash } from './key.js';

export class FlowEntry<T> {
  readonly hash: number;
  readonly v6: boolean;
  /** Endpoint A (the sender of the first segment of the current connection on this 4-tuple): address words and port. */
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  portA: number;
  b0: number;
  b1: number;
  b2: number;
  b3: number;
  portB: number;
  value: T;
  /** Next entry in the same hash bucket. */
  next: FlowEntry<T> | null = null;
  /** The tunnel path (key.ts tunnelIdentity), or null for an untunnelled 4-tuple. */
  readonly tunnel: Int32Array | null;
  /**
   * The tunnel identifiers (key.ts tunnelDirection: VNI, GRE key, TEID...) seen on A→B and on B→A
   * segments; -1 none yet. They may differ by direction (a GTP-U TEID names the receiving end; OVN
   * puts a different GENEVE VNI on each direction), so each direction's is learnt from its first
   * segment, and a segment with another identifier in that direction belongs to another connection:
   * the same inner 4-tuple in another VNI, key or TEID (see FlowTable.lookup).
   */
  dirA: number;
  dirB = -1;

  constructor(hash: number, seg: Segment, value: T) {
    this.hash = hash;
    this.tunnel = seg.tunnelDepth === 0 ? null : tunnelIdentity(seg);
    this.dirA = seg.tunnelDepth === 0 ? -1 : tunnelDirection(seg);
    const b = seg.bytes;
    const s = seg.srcOffset;
    const d = seg.dstOffset;
    this.v6 = seg.addrLength === 16;
    this.a0 = word32(b, s);
    this.b0 = word32(b, d);
    if (this.v6) {
      this.a1 = word32(b, s + 4);
      this.a2 = word32(b, s + 8);
      this.a3 = word32(b, s + 12);
      this.b1 = word32(b, d + 4);
      this.b2 = word32(b, d + 8);
      this.b3 = word32(b, d + 12);
    } else {
      this.a1 = this.a2 = this.a3 = 0;
      this.b1 = this.b2 = this.b3 = 0;
    }
    this.portA = seg.srcPort;
    this.portB = seg.dstPort;
    this.value = value;
  }

  get addrLength(): number {
    return this.v6 ? 16 : 4;
  }

  get ipVersion(): 4 | 6 {
    return this.v6 ? 6 : 4;
  }

  /** Make the other endpoint A (a new connection on the tuple whose first sender is B). */
  swap(): void {
    let x = this.a0;
    this.a0 = this.b0;
    this.b0 = x;
    x = this.a1;
    this.a1 = this.b1;
    this.b1 = x;
    x = this.a2;
    this.a2 = this.b2;
    this.b2 = x;
    x = this.a3;
    this.a3 = this.b3;
    this.b3 = x;
    x = this.portA;
    this.portA = this.portB;
    this.portB = x;
    x = this.dirA;
    this.dirA = this.dirB;
    this.dirB = x;
  }

  /** 1 when seg goes A→B, 2 when B→A, 0 when it is another 4-tuple or another tunnel path (identifiers aside). */
  match(seg: Segment): 0 | 1 | 2 {
    const m = this.matchTuple(seg);
    if (m === 0 || (this.tunnel === null && seg.tunnelDepth === 0)) return m;
    return tunnelMatches(seg, this.tunnel) ? m : 0;
  }

  private matchTuple(seg: Segment): 0 | 1 | 2 {
    const v6 = seg.addrLength === 16;
    if (v6 !== this.v6) return 0;
    const b = seg.bytes;
    const s = seg.srcOffset;
    const d = seg.dstOffset;
    const src0 = word32(b, s);
    const dst0 = word32(b, d);
    if (seg.srcPort === this.portA && seg.dstPort === this.portB && src0 === this.a0 && dst0 === this.b0) {
      if (!v6) return 1;
      if (
        word32(b, s + 4) === this.a1 &&
        word32(b, s + 8) === this.a2 &&
        word32(b, s + 12) === this.a3 &&
        word32(b, d + 4) === this.b1 &&
        word32(b, d + 8) === this.b2 &&
        word32(b, d + 12) === this.b3
      )
        return 1;
    }
    if (seg.srcPort === this.portB && seg.dstPort === this.portA && src0 === this.b0 && dst0 === this.a0) {
      if (!v6) return 2;
      if (
        word32(b, s + 4) === this.b1 &&
        word32(b, s + 8) === this.b2 &&
        word32(b, s + 12) === this.b3 &&
        word32(b, d + 4) === this.a1 &&
        word32(b, d + 8) === this.a2 &&
        word32(b, d + 12) === this.a3
      )
        return 2;
    }
    return 0;
  }
}

/** The flow hash of seg's 4-tuple and, when it came through tunnels, of its tunnel path. */
export function segmentFlowHash(seg: Segment): number {
  const h = tupleFlowHash(seg);
  return seg.tunnelDepth === 0 ? h : fmix32(h ^ tunnelPathHash(seg)) & 0x3fffffff;
}

function tupleFlowHash(seg: Segment): number {
  const b = seg.bytes;
  const s = seg.srcOffset;
  const d = seg.dstOffset;
  if (seg.addrLength === 16) {
    return combineSymmetric(
      endpointHashWords(word32(b, s), word32(b, s + 4), word32(b, s + 8), word32(b, s + 12), seg.srcPort, true),
      endpointHashWords(word32(b, d), word32(b, d + 4), word32(b, d + 8), word32(b, d + 12), seg.dstPort, true),
    );
  }
  return combineSymmetric(
    endpointHashWords(word32(b, s), 0, 0, 0, seg.srcPort, false),
    endpointHashWords(word32(b, d), 0, 0, 0, seg.dstPort, false),
  );
}

const INITIAL_BUCKETS = 1024;

export class FlowTable<T> {
  private buckets: (FlowEntry<T> | null)[] = new Array<FlowEntry<T> | null>(INITIAL_BUCKETS).fill(null);
  private mask = INITIAL_BUCKETS - 1;
  private count = 0;
  /** Direction of the last successful lookup: true when the segment went A→B. */
  fromA = true;

  get size(): number {
    return this.count;
  }

  lookup(seg: Segment): FlowEntry<T> | null {
    const h = segmentFlowHash(seg);
    if (seg.tunnelDepth !== 0) return this.lookupTunnelled(seg, h);
    let e: FlowEntry<T> | null = this.buckets[h & this.mask]!;
    while (e !== null) {
      if (e.hash === h) {
        const m = e.match(seg);
        if (m !== 0) {
          this.fromA = m === 1;
          return e;
        }
      }
      e = e.next;
    }
    return null;
  }

  /**
   * A tunnelled segment's entry: same 4-tuple and tunnel path, and a tunnel identifier that fits its
   * direction. Best: the identifier this direction already showed. Next: this direction has shown
   * none yet and the other direction showed this one (a tunnel with one identifier both ways: Linux
   * VXLAN, a GRE key). Last: this direction has shown none yet (identifiers that differ by direction:
   * the first reply pairs with the connection it answers; with two connections of the same inner
   * 4-tuple both waiting for their first reply, the newest is taken). The identifier is learnt then.
   */
  private lookupTunnelled(seg: Segment, h: number): FlowEntry<T> | null {
    const dir = tunnelDirection(seg);
    let best: FlowEntry<T> | null = null;
    let bestRank = 0;
    let bestM: 0 | 1 | 2 = 0;
    for (let e: FlowEntry<T> | null = this.buckets[h & this.mask]!; e !== null; e = e.next) {
      if (e.hash !== h) continue;
      const m = e.match(seg);
      if (m === 0) continue;
      const own = m === 1 ? e.dirA : e.dirB;
      const other = m === 1 ? e.dirB : e.dirA;
      const rank = own === dir ? 3 : own !== -1 ? 0 : other === dir ? 2 : 1;
      if (rank > bestRank) {
        best = e;
        bestRank = rank;
        bestM = m;
        if (rank === 3) break;
      }
    }
    if (best === null) return null;
    this.fromA = bestM === 1;
    if (bestRank < 3) {
      if (bestM === 1) best.dirA = dir;
      else best.dirB = dir;
    }
    return best;
  }

  /** Insert a new entry for seg's 4-tuple (A = seg's sender). Call after a lookup that missed. */
  insert(seg: Segment, value: T): FlowEntry<T> {
    const h = segmentFlowHash(seg);
    const entry = new FlowEntry<T>(h, seg, value);
    if (this.count >= this.buckets.length - (this.buckets.length >>> 2)) this.grow();
    const i = h & this.mask;
    entry.next = this.buckets[i]!;
    this.buckets[i] = entry;
    this.count++;
    this.fromA = true;
    return entry;
  }

  remove(entry: FlowEntry<T>): void {
    const i = entry.hash & this.mask;
    let e: FlowEntry<T> | null = this.buckets[i]!;
    if (e === null) return;
    if (e === entry) {
      this.buckets[i] = entry.next;
      entry.next = null;
      this.count--;
      return;
    }
    while (e.next !== null) {
      if (e.next === entry) {
        e.next = entry.next;
        entry.next = null;
        this.count--;
        return;
      }
      e = e.next;
    }
  }

  *entries(): IterableIterator<FlowEntry<T>> {
    for (const head of this.buckets) {
      let e: FlowEntry<T> | null = head;
      while (e !== null) {
        yield e;
        e = e.next;
      }
    }
  }

  private grow(): void {
    const old = this.buckets;
    const size = old.length * 2;
    const buckets = new Array<FlowEntry<T> | null>(size).fill(null);
    const mask = size - 1;
    for (let k = 0; k < old.length; k++) {
      let e: FlowEntry<T> | null = old[k]!;
      while (e !== null) {
        const next: FlowEntry<T> | null = e.next;
        const i = e.hash & mask;
        e.next = buckets[i]!;
        buckets[i] = e;
        e = next;
      }
    }
    this.buckets = buckets;
    this.mask = mask;
  }
}
