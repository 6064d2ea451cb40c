/**
 * The flow table: 4-tuple → value, the same entry for both directions. A Map keyed by the symmetric
 * numeric hash, with a collision chain per bucket; lookups compare address bytes and ports, never
 * strings, and allocate nothing. Addresses are copied into the entry once, when it is created.
 */
import type { Segment } from '../decode/segment.js';
import { bytesEqual, combineSymmetric, endpointHash } from './key.js';

export class FlowEntry<T> {
  readonly hash: number;
  /** Endpoint A: the sender of the first segment of the current connection on this 4-tuple. */
  addrA: Uint8Array;
  portA: number;
  addrB: Uint8Array;
  portB: number;
  readonly addrLength: number;
  readonly ipVersion: 4 | 6;
  value: T;
  /** Next entry in the same hash bucket. */
  next: FlowEntry<T> | null = null;

  constructor(hash: number, seg: Segment, value: T) {
    this.hash = hash;
    this.addrLength = seg.addrLength;
    this.ipVersion = seg.ipVersion;
    this.addrA = seg.bytes.slice(seg.srcOffset, seg.srcOffset + seg.addrLength);
    this.addrB = seg.bytes.slice(seg.dstOffset, seg.dstOffset + seg.addrLength);
    this.portA = seg.srcPort;
    this.portB = seg.dstPort;
    this.value = value;
  }

  /** Make the other endpoint A (a new connection on the tuple whose first sender is B). */
  swap(): void {
    const a = this.addrA;
    this.addrA = this.addrB;
    this.addrB = a;
    const p = this.portA;
    this.portA = this.portB;
    this.portB = p;
  }

  /** 1 when seg goes A→B, 2 when B→A, 0 when it is another 4-tuple. */
  match(seg: Segment): 0 | 1 | 2 {
    const n = this.addrLength;
    if (seg.addrLength !== n) return 0;
    if (
      seg.srcPort === this.portA &&
      seg.dstPort === this.portB &&
      bytesEqual(seg.bytes, seg.srcOffset, this.addrA, n) &&
      bytesEqual(seg.bytes, seg.dstOffset, this.addrB, n)
    )
      return 1;
    if (
      seg.srcPort === this.portB &&
      seg.dstPort === this.portA &&
      bytesEqual(seg.bytes, seg.srcOffset, this.addrB, n) &&
      bytesEqual(seg.bytes, seg.dstOffset, this.addrA, n)
    )
      return 2;
    return 0;
  }
}

export function segmentFlowHash(seg: Segment): number {
  return combineSymmetric(
    endpointHash(seg.bytes, seg.srcOffset, seg.addrLength, seg.srcPort),
    endpointHash(seg.bytes, seg.dstOffset, seg.addrLength, seg.dstPort),
  );
}

export class FlowTable<T> {
  private readonly buckets = new Map<number, FlowEntry<T>>();
  private count = 0;
  /** Direction of the last successful lookup: true when the segment went A→B. */
  fromA = true;

  get size(): number {
    return this.count;
  }

  lookup(seg: Segment): FlowEntry<T> | null {
    const h = segmentFlowHash(seg);
    let e: FlowEntry<T> | null = this.buckets.get(h) ?? null;
    while (e !== null) {
      const m = e.match(seg);
      if (m !== 0) {
        this.fromA = m === 1;
        return e;
      }
      e = e.next;
    }
    return null;
  }

  /** Insert a new entry for seg's 4-tuple (A = seg's sender). Call after a lookup that missed. */
  insert(seg: Segment, value: T): FlowEntry<T> {
    const h = segmentFlowHash(seg);
    const entry = new FlowEntry<T>(h, seg, value);
    const head = this.buckets.get(h);
    if (head !== undefined) entry.next = head;
    this.buckets.set(h, entry);
    this.count++;
    this.fromA = true;
    return entry;
  }

  remove(entry: FlowEntry<T>): void {
    const head = this.buckets.get(entry.hash);
    if (head === undefined) return;
    if (head === entry) {
      if (entry.next === null) this.buckets.delete(entry.hash);
      else this.buckets.set(entry.hash, entry.next);
      entry.next = null;
      this.count--;
      return;
    }
    let prev = head;
    while (prev.next !== null) {
      if (prev.next === entry) {
        prev.next = entry.next;
        entry.next = null;
        this.count--;
        return;
      }
      prev = prev.next;
    }
  }

  *entries(): IterableIterator<FlowEntry<T>> {
    for (const head of this.buckets.values()) {
      let e: FlowEntry<T> | null = head;
      while (e !== null) {
        yield e;
        e = e.next;
      }
    }
  }
}
