/**
 * `tcpshake merge`: the ndjson of the N shards of a run (`--shard 1/N` … `--shard N/N`, see
 * pipeline/shard.ts) back into the connections, in the order, with the ids, one run over everything
 * reports them. The caller hands each connection to the same output stage a run uses
 * (report/outputs.ts), so every format, the summary and the findings that span connections (RST
 * bursts, pile-ups, per-host counts) are computed from the merged connections exactly as in one run.
 *
 * Two passes over the shard files:
 * 1. each shard's summary line (its captures, which shard of how many) and, from each connection
 *    line's `shard` member, the frame that created it, by the shard's own id. A shard gives ids in
 *    creation order, so these are increasing; a connection's id in the whole run is its rank among all
 *    shards' creation frames: its shard id plus, for every other shard, how many of its connections
 *    were created before (a binary search). Memory: 8 bytes a connection.
 * 2. the shards' connection lines merged, each file read in its own order, by the moment the whole run
 *    reports them (the frame, then the clock's reports before the segment's own, then id), the ids
 *    renumbered and the one event that names another connection (`time_wait_reuse`: its `oldConnection` and
 *    "the old connection N's …" in its detail, always on the same 4-tuple, so in the same shard) renumbered with them.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CaptureReport, ConnectionReport, Report, ShardPlace, Summary } from '../model/report.js';
import { SCHEMA_VERSION } from '../model/report.js';

/** A shard file that cannot be merged: names the file and, where it helps, the line. */
export class ShardMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardMergeError';
  }
}

/** One shard file after the first pass. */
interface ShardFile {
  path: string;
  index: number;
  /** Creation frame of each connection, by shard id − 1 (increasing). */
  created: Float64Array;
}

/** The shards of one run, checked to fit together (see openShards). */
export interface ShardSet {
  count: number;
  captures: CaptureReport[];
  /** Ordered by shard index. */
  shards: ShardFile[];
}

interface SummaryLine {
  type: 'summary';
  schemaVersion: number;
  captures: CaptureReport[];
  shard?: { index: number; count: number };
}

/** The text lines of a file (without their line ends), with 1-based numbers. */
async function* linesOf(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
  }
}

const CONNECTION_PREFIX = '{"type":"connection","id":';
const SHARD_MEMBER = ',"shard":{';

/** The shard id and place of a connection line, read without parsing the whole line. */
function placeOfLine(line: string, where: () => string): { id: number; place: ShardPlace } {
  const idEnd = line.indexOf(',', CONNECTION_PREFIX.length);
  const id = Number(line.slice(CONNECTION_PREFIX.length, idEnd));
  const at = line.lastIndexOf(SHARD_MEMBER);
  if (!Number.isInteger(id) || id < 1 || at < 0) {
    throw new ShardMergeError(`${where()}: a connection line without its shard place: was this file written with --shard I/N?`);
  }
  const place = JSON.parse(line.slice(at + SHARD_MEMBER.length - 1, line.length - 1)) as ShardPlace;
  return { id, place };
}

/** First pass: reads and checks every shard file (see the module header). */
export async function openShards(paths: readonly string[]): Promise<ShardSet> {
  const files: ShardFile[] = [];
  let head: SummaryLine | null = null;
  let capturesText = '';
  for (const path of paths) {
    let created = new Float64Array(1024);
    let count = 0;
    let summary: SummaryLine | null = null;
    let n = 0;
    for await (const line of linesOf(path)) {
      n++;
      const where = (): string => `${path}: line ${n}`;
      if (line.length === 0) continue;
      if (summary !== null) throw new ShardMergeError(`${where()}: more after the summary line (two runs in one file?)`);
      if (line.startsWith(CONNECTION_PREFIX)) {
        const { id, place } = placeOfLine(line, where);
        if (id > created.length) {
          let size = created.length;
          while (size < id) size *= 2;
          const grown = new Float64Array(size);
          grown.set(created);
          created = grown;
        }
        if (created[id - 1] !== 0) throw new ShardMergeError(`${where()}: connection ${id} appears twice`);
        created[id - 1] = place.created;
        count = Math.max(count, id);
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new ShardMergeError(`${where()}: not a line of tcpshake's ndjson`);
      }
      const type = (parsed as { type?: unknown }).type;
      if (type === 'summary') summary = parsed as SummaryLine;
      else if (type === 'event') throw new ShardMergeError(`${where()}: event lines (--events) cannot be merged; write the shards without --events`);
      else throw new ShardMergeError(`${where()}: not a line of tcpshake's ndjson`);
    }
    if (summary === null) throw new ShardMergeError(`${path}: no summary line: the run that wrote it did not finish`);
    if (summary.shard === undefined) throw new ShardMergeError(`${path}: not a shard (written without --shard I/N)`);
    if (summary.schemaVersion !== SCHEMA_VERSION) throw new ShardMergeError(`${path}: schema version ${summary.schemaVersion}, this tcpshake writes ${SCHEMA_VERSION}`);
    for (let i = 0; i < count; i++) {
      if (created[i] === 0) throw new ShardMergeError(`${path}: connection ${i + 1} is missing (the file is incomplete)`);
      if (i > 0 && created[i]! <= created[i - 1]!) throw new ShardMergeError(`${path}: connection ${i + 1} is out of creation order`);
    }
    const text = JSON.stringify(summary.captures);
    if (head === null) {
      head = summary;
      capturesText = text;
    } else {
      if (summary.shard.count !== head.shard!.count) {
        throw new ShardMergeError(`${path}: shard ${summary.shard.index}/${summary.shard.count}, but ${files[0]!.path} is of ${head.shard!.count} shards`);
      }
      if (text !== capturesText) throw new ShardMergeError(`${path}: made from other captures than ${files[0]!.path}`);
    }
    files.push({ path, index: summary.shard.index, created: created.subarray(0, count) });
  }
  if (head === null) throw new ShardMergeError('no shard files given');
  const total = head.shard!.count;
  files.sort((x, y) => x.index - y.index);
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && files[i]!.index === files[i - 1]!.index) {
      throw new ShardMergeError(`${files[i - 1]!.path} and ${files[i]!.path} are both shard ${files[i]!.index}/${total}`);
    }
  }
  const missing: number[] = [];
  for (let i = 1, j = 0; i <= total; i++) {
    if (j < files.length && files[j]!.index === i) j++;
    else missing.push(i);
  }
  if (missing.length > 0) throw new ShardMergeError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((m) => `${m}/${total}`).join(', ')} missing`);
  return { count: total, captures: head.captures, shards: files };
}

/** How many entries of increasing `a` are below `x`. */
function countBelow(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The id, in the whole run, of shard `s`'s connection `id`. */
function globalId(set: ShardSet, s: number, id: number): number {
  const created = set.shards[s]!.created[id - 1]!;
  let n = id;
  for (let t = 0; t < set.shards.length; t++) if (t !== s) n += countBelow(set.shards[t]!.created, created);
  return n;
}

const OLD_CONNECTION = /\(the old connection (\d+)'s /;

/** A shard's connection lines, parsed one at a time. */
interface Cursor {
  s: number;
  lines: AsyncGenerator<string>;
  line: number;
  next: (ConnectionReport & { shard: ShardPlace }) | null;
  /** The place of the connection before `next` (each file must be in the order of reports). */
  last: ShardPlace | null;
}

async function advance(set: ShardSet, cur: Cursor): Promise<void> {
  for (;;) {
    const r = await cur.lines.next();
    if (r.done === true) {
      cur.next = null;
      return;
    }
    cur.line++;
    if (!r.value.startsWith(CONNECTION_PREFIX)) continue;
    const { type: _type, ...c } = JSON.parse(r.value) as ConnectionReport & { type: string; shard: ShardPlace };
    if (cur.last !== null && compareReported(cur.last, c.shard) > 0) {
      throw new ShardMergeError(`${set.shards[cur.s]!.path}: line ${cur.line}: connections out of the order they were reported in`);
    }
    cur.next = c;
    cur.last = c.shard;
    return;
  }
}

/** The whole run's order of reports (see the module header). */
function compareReported(a: ShardPlace, b: ShardPlace): number {
  return a.reported - b.reported || a.phase - b.phase || a.created - b.created;
}

/**
 * Second pass: every connection of the shards, in the order and with the ids of one run over
 * everything, each handed to `onConnection` (which may return a promise to hold the merge back, for
 * a backed-up output). Resolves to the whole run's report head (no connections), as analyze()'s.
 */
export async function mergeShards(set: ShardSet, onConnection: (c: ConnectionReport) => Promise<void> | undefined): Promise<Report> {
  const summary: Summary = { connections: 0, handshake: {}, close: {}, events: {} };
  const cursors: Cursor[] = set.shards.map((f, s) => ({ s, lines: linesOf(f.path), line: 0, next: null, last: null }));
  try {
    for (const cur of cursors) await advance(set, cur);
    for (;;) {
      let best: Cursor | null = null;
      for (const cur of cursors) if (cur.next !== null && (best === null || compareReported(cur.next.shard, best.next!.shard) < 0)) best = cur;
      if (best === null) break;
      const c: ConnectionReport = best.next!;
      const s = best.s;
      c.id = globalId(set, s, c.id);
      delete c.shard;
      for (const e of c.events) {
        if (e.kind !== 'time_wait_reuse') continue;
        const payload = e as { oldConnection?: number };
        if (typeof payload.oldConnection === 'number') payload.oldConnection = globalId(set, s, payload.oldConnection);
        if (e.detail !== undefined) e.detail = e.detail.replace(OLD_CONNECTION, (_m, old: string) => `(the old connection ${globalId(set, s, Number(old))}'s `);
      }
      // As analyze() counts them, in the order they are reported.
      summary.connections++;
      summary.handshake[c.handshake.kind] = (summary.handshake[c.handshake.kind] ?? 0) + 1;
      summary.close[c.close.kind] = (summary.close[c.close.kind] ?? 0) + 1;
      for (const e of c.events) summary.events[e.kind] = (summary.events[e.kind] ?? 0) + 1;
      const wait = onConnection(c);
      if (wait !== undefined) await wait;
      await advance(set, best);
    }
  } finally {
    for (const cur of cursors) await cur.lines.return(undefined);
  }
  return { schemaVersion: SCHEMA_VERSION, captures: set.captures, summary, connections: [] };
}
