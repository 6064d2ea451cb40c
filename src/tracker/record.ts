/**
 * Per-segment ladder rows for one connection, capped: the first half and the last half are kept
 * (a ring buffer for the tail), the middle is only counted.
 */
import type { SegmentRecord } from '../report/model.js';

/** Mark bits set while a segment is processed; turned into names only when recorded. */
export const Mark = {
  retransmission: 1,
  keepalive: 2,
  out_of_window: 4,
  reordered: 8,
  out_of_order: 16,
  bad_checksum: 32,
  after_rst: 64,
  syn_ack_before_syn: 128,
} as const;
export type MarkName = keyof typeof Mark;
const MARK_NAMES = Object.keys(Mark) as MarkName[];

export function markNames(bits: number): string[] {
  const out: string[] = [];
  if (bits === 0) return out;
  for (const name of MARK_NAMES) if ((bits & Mark[name]) !== 0) out.push(name);
  return out;
}

export class SegmentRecorder {
  private readonly head: SegmentRecord[] = [];
  private readonly tail: SegmentRecord[] = [];
  private tailStart = 0;
  private total = 0;
  private readonly headCap: number;
  private readonly tailCap: number;

  constructor(max: number) {
    const cap = Math.max(0, Math.floor(max));
    this.headCap = Math.ceil(cap / 2);
    this.tailCap = cap - this.headCap;
  }

  push(r: SegmentRecord): void {
    this.total++;
    if (this.head.length < this.headCap) {
      this.head.push(r);
      return;
    }
    if (this.tailCap === 0) return;
    if (this.tail.length < this.tailCap) {
      this.tail.push(r);
      return;
    }
    this.tail[this.tailStart] = r;
    this.tailStart = (this.tailStart + 1) % this.tailCap;
  }

  /** Segments not kept (the elided middle). */
  elided(): number {
    return this.total - this.head.length - this.tail.length;
  }

  records(): SegmentRecord[] {
    const out = this.head.slice();
    for (let i = 0; i < this.tail.length; i++) out.push(this.tail[(this.tailStart + i) % this.tail.length]!);
    return out;
  }
}
