/**
 * Per-segment ladder rows for one connection, capped: the first half and the last half are kept
 * (a ring buffer for the tail), the middle is only counted.
 */
import type { SegmentRecord, StateChange } from '../model/report.js';

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
  /** The same segment captured twice: the copy is not used (see ConnectionTracker.isDuplicate). */
  duplicate: 256,
  /** A duplicate ACK (RFC 5681 §2; see tracker/transfer.ts). */
  dup_ack: 512,
  /** Its sender's window shut (a zero window after a non-zero one). */
  zero_window: 1024,
  /** A probe of the peer's zero window (RFC 9293 §3.8.6.1): not a keep-alive. */
  zero_window_probe: 2048,
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

/**
 * Label each recorded segment with the states its endpoints entered on it, taken from the final
 * state histories rather than from what was known while the segment was processed: a change that a
 * later segment withdrew (an inferred CLOSE_WAIT that was really FIN_WAIT_1 of a simultaneous close,
 * a CLOSED undone by a retransmitted FIN) must not appear in the ladder.
 */
export function labelStates(records: SegmentRecord[], client: readonly StateChange[], server: readonly StateChange[]): void {
  for (const r of records) {
    delete r.clientState;
    delete r.serverState;
  }
  assign(records, client, 'clientState');
  assign(records, server, 'serverState');
}

function assign(records: SegmentRecord[], changes: readonly StateChange[], field: 'clientState' | 'serverState'): void {
  // Both lists are in capture order; a change belongs to the segment with its frame and time.
  let i = 0;
  for (const change of changes) {
    while (i < records.length && records[i]!.time < change.time) i++;
    for (let j = i; j < records.length && records[j]!.time === change.time; j++) {
      if (records[j]!.frame === change.frame) {
        records[j]![field] = change.state;
        break;
      }
    }
  }
}
