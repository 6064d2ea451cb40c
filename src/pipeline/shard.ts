/**
 * Sharding a run by connection (`--shard I/N`): a capture's connections are independent once their
 * identity is known, so N runs over the same captures can each analyse the connections whose flow
 * hash falls in their shard, and `tcpshake merge` (pipeline/shard-merge.ts) puts their reports back
 * together into the report one run over everything prints.
 *
 * What makes the merged report identical rather than merely similar:
 * - The shard is chosen from the flow table's own hash (flow/table.ts `segmentFlowHash`), which is
 *   the same in both directions and covers whatever the connection's identity holds (the 4-tuple, and
 *   the tunnel once that is part of the key). Successive connections on one 4-tuple (a reuse, a SYN
 *   within TIME_WAIT meeting the tuple's tombstone) therefore stay in one shard, so the tombstones and
 *   `time_wait_reuse` come out as in one run.
 * - Every shard reads every frame and moves its clock on at every TCP segment, its own or not
 *   (ConnectionManager.advanceClock): sweeps and Zeek's timers run at the same capture times as in one
 *   run, so a connection is reported at the same moment with the same content (the states "at that
 *   moment", an idle expiry's time).
 * - Each connection line carries where it stands in the single run's order (ShardPlace): the frame
 *   that created it (ids are given in creation order, so the merged ids are the ranks of these) and
 *   the frame at which it was reported, and whether that was by the clock (a sweep or timers, which
 *   report in id order) or by the frame's own segment (a reuse of the tuple, an idle expiry seen by a
 *   late segment), which a single run reports after the clock's.
 */
import type { Segment } from '../decode/segment.js';
import { segmentFlowHash } from '../flow/table.js';
import type { ShardPlace } from '../model/report.js';

export type { ShardPlace };

/** Shard `index` (1-based) of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** `I/N` → ShardSpec; throws an Error naming what is wrong. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) throw new Error(`--shard takes I/N (shard I of N, 1 ≤ I ≤ N), not ${JSON.stringify(text)}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new Error(`--shard ${text}: I must be from 1 to N (N ≥ 1)`);
  return { index, count };
}

/** The flow hash's range: segmentFlowHash keeps 30 bits. */
const HASH_RANGE = 0x40000000;

/**
 * The shard (0-based) of a flow hash among `count`. By the hash's high bits (a range split), not its
 * low bits: the flow table indexes its buckets by the low bits, so a shard keeps all its buckets in use.
 */
export function shardOfHash(hash: number, count: number): number {
  return Math.floor((hash / HASH_RANGE) * count);
}

/** The shard (0-based) of a decoded TCP segment's connection among `count`. */
export function shardOfSegment(seg: Segment, count: number): number {
  return shardOfHash(segmentFlowHash(seg), count);
}

/**
 * Where each connection of a shard stands in the single run's order (see the module header); used
 * by analyze() when it runs as a shard.
 */
export class ShardPlaces {
  /** Creation frame (timeline ordinal) of each live connection by its local id; removed when reported. */
  private readonly created = new Map<number, number>();
  /** The frame being processed (1-based ordinal in the merged timeline). */
  frame = 0;
  /** 0 while the clock moves (sweeps, timers), 1 while the frame's own segment is analysed. */
  phase: 0 | 1 = 0;

  /** A connection with local id `id` was created by the current frame. */
  noteCreated(id: number): void {
    this.created.set(id, this.frame);
  }

  /** The place of connection `id`, reported now; forgets it. */
  placeOf(id: number): ShardPlace {
    const created = this.created.get(id);
    this.created.delete(id);
    return { created: created ?? 0, reported: this.frame, phase: this.phase };
  }

  /** After the last frame: what finish() reports comes after every frame, in id order. */
  atEnd(frames: number): void {
    this.frame = frames + 1;
    this.phase = 0;
  }
}
