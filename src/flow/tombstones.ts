/**
 * The TIME_WAIT tombstones of reported connections, kept in typed arrays: a 4-tuple and a dozen
 * numbers per reported connection one of whose ends still holds TIME_WAIT, until 2×MSL after
 * TIME_WAIT began (RFC 9293 §3.6.1), so that a new SYN on the tuple is still recognised and described
 * as a TIME_WAIT reuse (RFC 6191). With thousands of connections closing every second, these are the
 * most numerous thing tcpshake holds (a minute of closes with the default MSL): as objects they were
 * three heap objects each, living long enough to be promoted and to fragment the old generation; here
 * they are slots of a few flat arrays, allocated once and grown by doubling.
 *
 * Layout: one ring per address family (IPv4 slots hold one address word per end, IPv6 slots four:
 * 60 bytes per IPv4 tombstone with its hash bucket, in place of 92 with room for either). In a ring,
 * slots follow the order they were laid, which is (nearly) the order they expire in, so the sweep
 * pops expired ones from the head; a hash index (buckets + per-slot chain) finds a slot by 4-tuple.
 * A slot taken over by a new connection is unlinked at once and skipped by the sweep.
 */
import type { Segment } from '../decode/segment.js';
import { TimeWaitTombstone } from '../tracker/connection.js';
import { word32 } from '../util/bytes.js';
import { segmentFlowHash, type FlowEntry } from './table.js';

// Bits of the per-slot flags word.
const F_LINKED = 2;
const F_HOLDER_A = 4;
const F_HOLDER_CLIENT = 8;
const F_A_SND = 16;
const F_A_TS = 32;
const F_B_SND = 64;
const F_B_TS = 128;

/**
 * Int32 fields per slot after the address words (`words` per end, A's then B's): both ports in one
 * (A's in the high half), hash, chain, flags, 4 sequence/timestamp words.
 */
const I_PORTS = 0;
const I_HASH = 1;
const I_NEXT = 2;
const I_FLAGS = 3;
const I_A_SND = 4;
const I_A_TS = 5;
const I_B_SND = 6;
const I_B_TS = 7;
const FIXED_INTS = 8;
/** Float64 fields per slot: TIME_WAIT start, connection id. */
const D_SINCE = 0;
const D_ID = 1;
const DOUBLES = 2;

const INITIAL_SLOTS = 1024;

function portsWord(portA: number, portB: number): number {
  return (portA << 16) | portB;
}

export class TombstoneStore {
  private readonly v4: TombstoneRing;
  private readonly v6: TombstoneRing;
  /** Direction of the last successful take(): true when the segment went from the old connection's A. */
  fromA = true;

  constructor(msl: number) {
    this.v4 = new TombstoneRing(msl, 1);
    this.v6 = new TombstoneRing(msl, 4);
  }

  /** Tombstones in force (not yet expired by a sweep, nor taken over by a new connection). */
  get size(): number {
    return this.v4.linked + this.v6.linked;
  }

  /** Lay the tombstone of a reported connection on its flow entry's 4-tuple (A = the connection's A). */
  add(entry: FlowEntry<unknown>, tomb: TimeWaitTombstone): void {
    (entry.v6 ? this.v6 : this.v4).add(entry, tomb);
  }

  /**
   * The tombstone on seg's 4-tuple, removed from the store (a new connection takes the tuple over),
   * or null. `hash` is segmentFlowHash(seg) when the caller has it. Sets `fromA`.
   */
  take(seg: Segment, hash: number = segmentFlowHash(seg)): TimeWaitTombstone | null {
    const ring = seg.addrLength === 16 ? this.v6 : this.v4;
    const tomb = ring.take(seg, hash);
    if (tomb !== null) this.fromA = ring.fromA;
    return tomb;
  }

  /** Drop the tombstones whose TIME_WAIT has ended by capture time `now`. */
  sweep(now: number): void {
    this.v4.sweep(now);
    this.v6.sweep(now);
  }

  /** Drop everything (end of input). */
  clear(): void {
    this.v4.clear();
    this.v6.clear();
  }
}

/** The tombstones of one address family: `words` 32-bit words per address. */
class TombstoneRing {
  private readonly slotInts: number;
  private cap = INITIAL_SLOTS;
  private ints: Int32Array;
  private doubles = new Float64Array(INITIAL_SLOTS * DOUBLES);
  /** Hash index: bucket → first slot + 1 (0 = empty); one bucket per slot. */
  private buckets = new Int32Array(INITIAL_SLOTS);
  /** Ring of slots in lay order: [head, head + used) modulo cap. */
  private head = 0;
  private used = 0;
  /** Slots still linked in the index (the tombstones in force). */
  linked = 0;
  /** Direction of the last successful take(). */
  fromA = true;

  constructor(
    private readonly msl: number,
    private readonly words: 1 | 4,
  ) {
    this.slotInts = 2 * words + FIXED_INTS;
    this.ints = new Int32Array(INITIAL_SLOTS * this.slotInts);
  }

  add(entry: FlowEntry<unknown>, tomb: TimeWaitTombstone): void {
    if (this.used === this.cap) this.grow();
    const slot = (this.head + this.used) & (this.cap - 1);
    this.used++;
    const I = this.ints;
    const w = this.words;
    const base = slot * this.slotInts;
    I[base] = entry.a0;
    I[base + w] = entry.b0;
    if (w === 4) {
      I[base + 1] = entry.a1;
      I[base + 2] = entry.a2;
      I[base + 3] = entry.a3;
      I[base + 5] = entry.b1;
      I[base + 6] = entry.b2;
      I[base + 7] = entry.b3;
    }
    const o = base + 2 * w;
    I[o + I_PORTS] = portsWord(entry.portA, entry.portB);
    I[o + I_HASH] = entry.hash;
    I[o + I_A_SND] = tomb.aSndNxt;
    I[o + I_A_TS] = tomb.aTsVal;
    I[o + I_B_SND] = tomb.bSndNxt;
    I[o + I_B_TS] = tomb.bTsVal;
    I[o + I_FLAGS] =
      F_LINKED |
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

  take(seg: Segment, hash: number): TimeWaitTombstone | null {
    if (this.linked === 0) return null;
    const I = this.ints;
    const fixed = 2 * this.words;
    let s = this.buckets[hash & (this.buckets.length - 1)]! - 1;
    while (s >= 0) {
      const base = s * this.slotInts;
      if (I[base + fixed + I_HASH] === hash) {
        const m = this.match(base, seg);
        if (m !== 0) {
          this.fromA = m === 1;
          const tomb = this.materialize(s);
          this.unlink(s);
          return tomb;
        }
      }
      s = I[base + fixed + I_NEXT]! - 1;
    }
    return null;
  }

  sweep(now: number): void {
    const I = this.ints;
    const D = this.doubles;
    const mask = this.cap - 1;
    const life = 2 * this.msl;
    const flags = 2 * this.words + I_FLAGS;
    while (this.used > 0) {
      const s = this.head;
      if ((I[s * this.slotInts + flags]! & F_LINKED) !== 0) {
        // Laid in (nearly) expiry order: stop at the first one still in force. One that outlives its
        // place is dropped a little later, which only costs its slot meanwhile (its reuse() checks expiry).
        if (D[s * DOUBLES + D_SINCE]! + life > now) break;
        this.unlink(s);
      }
      this.head = (s + 1) & mask;
      this.used--;
    }
  }

  clear(): void {
    this.buckets.fill(0);
    this.head = 0;
    this.used = 0;
    this.linked = 0;
  }

  // ------------------------------------------------------------------

  private materialize(s: number): TimeWaitTombstone {
    const I = this.ints;
    const w = this.words;
    const base = s * this.slotInts;
    const o = base + 2 * w;
    const f = I[o + I_FLAGS]!;
    const holderIsA = (f & F_HOLDER_A) !== 0;
    const h = holderIsA ? base : base + w;
    const ports = I[o + I_PORTS]!;
    return new TimeWaitTombstone(
      this.doubles[s * DOUBLES + D_ID]!,
      this.msl,
      (f & F_HOLDER_CLIENT) !== 0 ? 'client' : 'server',
      this.doubles[s * DOUBLES + D_SINCE]!,
      holderIsA,
      w === 4 ? 6 : 4,
      I[h]!,
      w === 4 ? I[h + 1]! : 0,
      w === 4 ? I[h + 2]! : 0,
      w === 4 ? I[h + 3]! : 0,
      holderIsA ? ports >>> 16 : ports & 0xffff,
      { sndKnown: (f & F_A_SND) !== 0, sndNxt: I[o + I_A_SND]! >>> 0, tsKnown: (f & F_A_TS) !== 0, lastTsVal: I[o + I_A_TS]! >>> 0 },
      { sndKnown: (f & F_B_SND) !== 0, sndNxt: I[o + I_B_SND]! >>> 0, tsKnown: (f & F_B_TS) !== 0, lastTsVal: I[o + I_B_TS]! >>> 0 },
    );
  }

  /** 1 when seg goes A→B of the slot at `base`, 2 when B→A, 0 when it is another 4-tuple. */
  private match(base: number, seg: Segment): 0 | 1 | 2 {
    const I = this.ints;
    const w = this.words;
    const b = seg.bytes;
    const src = seg.srcOffset;
    const dst = seg.dstOffset;
    const ports = I[base + 2 * w + I_PORTS];
    let forward = portsWord(seg.srcPort, seg.dstPort) === ports;
    for (let k = 0; forward && k < w; k++) {
      forward = word32(b, src + 4 * k) === I[base + k] && word32(b, dst + 4 * k) === I[base + w + k];
    }
    if (forward) return 1;
    let backward = portsWord(seg.dstPort, seg.srcPort) === ports;
    for (let k = 0; backward && k < w; k++) {
      backward = word32(b, src + 4 * k) === I[base + w + k] && word32(b, dst + 4 * k) === I[base + k];
    }
    return backward ? 2 : 0;
  }

  private link(s: number): void {
    const o = s * this.slotInts + 2 * this.words;
    const bi = this.ints[o + I_HASH]! & (this.buckets.length - 1);
    this.ints[o + I_NEXT] = this.buckets[bi]!;
    this.buckets[bi] = s + 1;
    this.linked++;
  }

  private unlink(s: number): void {
    const I = this.ints;
    const fixed = 2 * this.words;
    const o = s * this.slotInts + fixed;
    I[o + I_FLAGS] = I[o + I_FLAGS]! & ~F_LINKED;
    this.linked--;
    const bi = I[o + I_HASH]! & (this.buckets.length - 1);
    let p = this.buckets[bi]! - 1;
    if (p === s) {
      this.buckets[bi] = I[o + I_NEXT]!;
      return;
    }
    while (p >= 0) {
      const next = I[p * this.slotInts + fixed + I_NEXT]! - 1;
      if (next === s) {
        I[p * this.slotInts + fixed + I_NEXT] = I[o + I_NEXT]!;
        return;
      }
      p = next;
    }
  }

  /** Double the ring (slots keep their lay order, from 0) and rebuild the index. */
  private grow(): void {
    const n = this.slotInts;
    const cap = this.cap * 2;
    const ints = new Int32Array(cap * n);
    const doubles = new Float64Array(cap * DOUBLES);
    const mask = this.cap - 1;
    for (let k = 0; k < this.used; k++) {
      const s = (this.head + k) & mask;
      ints.set(this.ints.subarray(s * n, (s + 1) * n), k * n);
      doubles.set(this.doubles.subarray(s * DOUBLES, (s + 1) * DOUBLES), k * DOUBLES);
    }
    this.ints = ints;
    this.doubles = doubles;
    this.cap = cap;
    this.head = 0;
    this.buckets = new Int32Array(cap);
    this.linked = 0;
    const flags = 2 * this.words + I_FLAGS;
    for (let k = 0; k < this.used; k++) if ((ints[k * n + flags]! & F_LINKED) !== 0) this.link(k);
  }
}
