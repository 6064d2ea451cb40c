/**
 * The TIME_WAIT tombstones of reported connections, kept in typed arrays: a 4-tuple and a dozen
 * numbers per reported connection one of whose ends still holds TIME_WAIT, until 2×MSL after
 * TIME_WAIT began (RFC 9293 §3.6.1), so that a new SYN on the tuple is still recognised and described
 * as a TIME_WAIT reuse (RFC 6191). With thousands of connections closing every second, these are the
 * most numerous thing tcpshake holds (a minute of closes with the default MSL): as objects they were
 * three heap objects each, living long enough to be promoted and to fragment the old generation; here
 * they are slots of a few flat arrays, allocated once and grown by doubling.
 *
 * Layout: slots form a ring in the order they were laid, which is (nearly) the order they expire in,
 * so the sweep pops expired ones from the head; a hash index (buckets + per-slot chain) finds a
 * slot by 4-tuple. A slot taken over by a new connection is unlinked at once and skipped by the sweep.
 */
import type { Segment } from '../decode/segment.js';
import { TimeWaitTombstone } from '../tracker/connection.js';
import { word32 } from './key.js';
import { segmentFlowHash, type FlowEntry } from './table.js';

// Bits of the per-slot flags word.
const F_V6 = 1;
const F_LINKED = 2;
const F_HOLDER_A = 4;
const F_HOLDER_CLIENT = 8;
const F_A_SND = 16;
const F_A_TS = 32;
const F_B_SND = 64;
const F_B_TS = 128;

/** Int32 fields per slot: 8 address words, ports, hash, chain, flags, 4 sequence/timestamp words. */
const I_A0 = 0;
const I_B0 = 4;
const I_PORT_A = 8;
const I_PORT_B = 9;
const I_HASH = 10;
const I_NEXT = 11;
const I_FLAGS = 12;
const I_A_SND = 13;
const I_A_TS = 14;
const I_B_SND = 15;
const I_B_TS = 16;
const INTS = 17;
/** Float64 fields per slot: TIME_WAIT start, connection id. */
const D_SINCE = 0;
const D_ID = 1;
const DOUBLES = 2;

const INITIAL_SLOTS = 1024;

export class TombstoneStore {
  private cap = INITIAL_SLOTS;
  private ints = new Int32Array(INITIAL_SLOTS * INTS);
  private doubles = new Float64Array(INITIAL_SLOTS * DOUBLES);
  /** Hash index: bucket → first slot + 1 (0 = empty). */
  private buckets = new Int32Array(INITIAL_SLOTS * 2);
  /** Ring of slots in lay order: [head, head + used) modulo cap. */
  private head = 0;
  private used = 0;
  /** Slots still linked in the index (the tombstones in force). */
  private linked = 0;
  /** Direction of the last successful find(): true when the segment went from the old connection's A. */
  fromA = true;

  constructor(private readonly msl: number) {}

  /** Tombstones in force (not yet expired by a sweep, nor taken over by a new connection). */
  get size(): number {
    return this.linked;
  }

  /** Lay the tombstone of a reported connection on its flow entry's 4-tuple (A = the connection's A). */
  add(entry: FlowEntry<unknown>, tomb: TimeWaitTombstone): void {
    if (this.used === this.cap) this.grow();
    const slot = (this.head + this.used) & (this.cap - 1);
    this.used++;
    const I = this.ints;
    const o = slot * INTS;
    I[o + I_A0] = entry.a0;
    I[o + I_A0 + 1] = entry.a1;
    I[o + I_A0 + 2] = entry.a2;
    I[o + I_A0 + 3] = entry.a3;
    I[o + I_B0] = entry.b0;
    I[o + I_B0 + 1] = entry.b1;
    I[o + I_B0 + 2] = entry.b2;
    I[o + I_B0 + 3] = entry.b3;
    I[o + I_PORT_A] = entry.portA;
    I[o + I_PORT_B] = entry.portB;
    I[o + I_HASH] = entry.hash;
    I[o + I_A_SND] = tomb.aSndNxt;
    I[o + I_A_TS] = tomb.aTsVal;
    I[o + I_B_SND] = tomb.bSndNxt;
    I[o + I_B_TS] = tomb.bTsVal;
    I[o + I_FLAGS] =
      F_LINKED |
      (entry.v6 ? F_V6 : 0) |
      (tomb.holderIsA ? F_HOLDER_A : 0) |
      (tomb.holderSide === 'client' ? F_HOLDER_CLIENT : 0) |
      (tomb.aSndKnown ? F_A_SND : 0) |
      (tomb.aTsKnown ? F_A_TS : 0) |
      (tomb.bSndKnown ? F_B_SND : 0) |
      (tomb.bTsKnown ? F_B_TS : 0);
    this.doubles[slot * DOUBLES + D_SINCE] = tomb.timeWaitSince;
    this.doubles[slot * DOUBLES + D_ID] = tomb.id;
    this.link(slot);
  }

  /**
   * The tombstone on seg's 4-tuple, removed from the store (a new connection takes the tuple over),
   * or null. `hash` is segmentFlowHash(seg) when the caller has it. Sets `fromA`.
   */
  take(seg: Segment, hash: number = segmentFlowHash(seg)): TimeWaitTombstone | null {
    if (this.linked === 0) return null;
    const I = this.ints;
    let s = this.buckets[hash & (this.buckets.length - 1)]! - 1;
    while (s >= 0) {
      const o = s * INTS;
      if (I[o + I_HASH] === hash) {
        const m = this.match(o, seg);
        if (m !== 0) {
          this.fromA = m === 1;
          const tomb = this.materialize(s);
          this.unlink(s);
          return tomb;
        }
      }
      s = I[o + I_NEXT]! - 1;
    }
    return null;
  }

  /** Drop the tombstones whose TIME_WAIT has ended by capture time `now` (from the head of the ring). */
  sweep(now: number): void {
    const I = this.ints;
    const D = this.doubles;
    const mask = this.cap - 1;
    const life = 2 * this.msl;
    while (this.used > 0) {
      const s = this.head;
      if ((I[s * INTS + I_FLAGS]! & F_LINKED) !== 0) {
        // Laid in (nearly) expiry order: stop at the first one still in force. One that outlives its
        // place is dropped a little later, which only costs its slot meanwhile (its reuse() checks expiry).
        if (D[s * DOUBLES + D_SINCE]! + life > now) break;
        this.unlink(s);
      }
      this.head = (s + 1) & mask;
      this.used--;
    }
  }

  /** Drop everything (end of input). */
  clear(): void {
    this.buckets.fill(0);
    this.head = 0;
    this.used = 0;
    this.linked = 0;
  }

  // ------------------------------------------------------------------

  private materialize(s: number): TimeWaitTombstone {
    const I = this.ints;
    const o = s * INTS;
    const f = I[o + I_FLAGS]!;
    const holderIsA = (f & F_HOLDER_A) !== 0;
    const h = holderIsA ? o + I_A0 : o + I_B0;
    return new TimeWaitTombstone(
      this.doubles[s * DOUBLES + D_ID]!,
      this.msl,
      (f & F_HOLDER_CLIENT) !== 0 ? 'client' : 'server',
      this.doubles[s * DOUBLES + D_SINCE]!,
      holderIsA,
      (f & F_V6) !== 0 ? 6 : 4,
      I[h]!,
      I[h + 1]!,
      I[h + 2]!,
      I[h + 3]!,
      holderIsA ? I[o + I_PORT_A]! : I[o + I_PORT_B]!,
      { sndKnown: (f & F_A_SND) !== 0, sndNxt: I[o + I_A_SND]! >>> 0, tsKnown: (f & F_A_TS) !== 0, lastTsVal: I[o + I_A_TS]! >>> 0 },
      { sndKnown: (f & F_B_SND) !== 0, sndNxt: I[o + I_B_SND]! >>> 0, tsKnown: (f & F_B_TS) !== 0, lastTsVal: I[o + I_B_TS]! >>> 0 },
    );
  }

  /** 1 when seg goes A→B of slot offset o, 2 when B→A, 0 when it is another 4-tuple. */
  private match(o: number, seg: Segment): 0 | 1 | 2 {
    const I = this.ints;
    const v6 = seg.addrLength === 16;
    if (v6 !== ((I[o + I_FLAGS]! & F_V6) !== 0)) return 0;
    const b = seg.bytes;
    const src = seg.srcOffset;
    const dst = seg.dstOffset;
    const n = v6 ? 4 : 1;
    let forward = seg.srcPort === I[o + I_PORT_A] && seg.dstPort === I[o + I_PORT_B];
    for (let k = 0; forward && k < n; k++) {
      forward = word32(b, src + 4 * k) === I[o + I_A0 + k] && word32(b, dst + 4 * k) === I[o + I_B0 + k];
    }
    if (forward) return 1;
    let backward = seg.srcPort === I[o + I_PORT_B] && seg.dstPort === I[o + I_PORT_A];
    for (let k = 0; backward && k < n; k++) {
      backward = word32(b, src + 4 * k) === I[o + I_B0 + k] && word32(b, dst + 4 * k) === I[o + I_A0 + k];
    }
    return backward ? 2 : 0;
  }

  private link(s: number): void {
    const o = s * INTS;
    const bi = this.ints[o + I_HASH]! & (this.buckets.length - 1);
    this.ints[o + I_NEXT] = this.buckets[bi]!;
    this.buckets[bi] = s + 1;
    this.linked++;
  }

  private unlink(s: number): void {
    const I = this.ints;
    const o = s * INTS;
    I[o + I_FLAGS] = I[o + I_FLAGS]! & ~F_LINKED;
    this.linked--;
    const bi = I[o + I_HASH]! & (this.buckets.length - 1);
    let p = this.buckets[bi]! - 1;
    if (p === s) {
      this.buckets[bi] = I[o + I_NEXT]!;
      return;
    }
    while (p >= 0) {
      const next = I[p * INTS + I_NEXT]! - 1;
      if (next === s) {
        I[p * INTS + I_NEXT] = I[o + I_NEXT]!;
        return;
      }
      p = next;
    }
  }

  /** Double the ring (slots keep their lay order, from 0) and rebuild the index. */
  private grow(): void {
    const cap = this.cap * 2;
    const ints = new Int32Array(cap * INTS);
    const doubles = new Float64Array(cap * DOUBLES);
    const mask = this.cap - 1;
    for (let k = 0; k < this.used; k++) {
      const s = (this.head + k) & mask;
      ints.set(this.ints.subarray(s * INTS, (s + 1) * INTS), k * INTS);
      doubles.set(this.doubles.subarray(s * DOUBLES, (s + 1) * DOUBLES), k * DOUBLES);
    }
    this.ints = ints;
    this.doubles = doubles;
    this.cap = cap;
    this.head = 0;
    this.buckets = new Int32Array(cap * 2);
    this.linked = 0;
    for (let k = 0; k < this.used; k++) if ((ints[k * INTS + I_FLAGS]! & F_LINKED) !== 0) this.link(k);
  }
}
