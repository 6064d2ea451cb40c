/**
 * Test-only driver for the agreement tests: reads a capture, decodes every frame, groups the segments
 * into connections the way each peer tool does, and feeds the observers.
 *
 * - Zeek: one connection per 4-tuple until Zeek's own reuse rule (ZeekObserver.isReuse: a SYN after
 *   the connection closed, or a SYN with a new initial sequence number) starts a new one. Zeek's
 *   timers (attempt, partial-close, inactivity) are deliberately not imitated.
 * - tshark 4.0: one tcp.stream per 4-tuple until a bare SYN arrives whose sequence number differs
 *   from the base sequence number tshark holds for that side (measured against tshark 4.0.17).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type AnalyzeOptions } from '../../src/pipeline/analyze.js';
import { openCapture } from '../../src/capture/index.js';
import { decodeFrame, formatAddress } from '../../src/decode/index.js';
import { newSegment, TcpFlag, type Segment } from '../../src/decode/segment.js';
import { zeekRow, ZEEK_FIELDS } from '../../src/report/zeek.js';
import { CompletenessObserver } from '../../src/tracker/completeness.js';
import { ZeekObserver, type ZeekObserverOptions } from '../../src/tracker/zeek.js';

export const CORPUS = join(process.cwd(), '..', 'shared', 'corpus');

export interface TsvTable {
  header: string[];
  rows: Record<string, string>[];
}

export function readTsv(path: string): TsvTable {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0]!.split('\t');
  const rows = lines.slice(1).map((l) => {
    const cells = l.split('\t');
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = cells[i] ?? ''));
    return row;
  });
  return { header, rows };
}

export interface ManifestEntry {
  source: string;
  name: string;
  file: string;
  zeek_cmd?: string;
  /** The Zeek btest file that made the baseline. */
  test_file?: string;
  variants?: { name?: string; file?: string; zeek_cmd?: string; cmd?: string }[];
}

export function readManifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as ManifestEntry[];
}

/** "ip:port" of a segment's source and destination (test-only: strings are fine here). */
function endpoints(seg: Segment): [string, string] {
  const src = `${formatAddress(seg.bytes, seg.srcOffset, seg.addrLength)}:${seg.srcPort}`;
  const dst = `${formatAddress(seg.bytes, seg.dstOffset, seg.addrLength)}:${seg.dstPort}`;
  return [src, dst];
}

export function tupleKey(x: string, y: string): string {
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

export interface DrivenZeekConnection {
  a: string;
  b: string;
  firstTs: number;
  lastTs: number;
  /** Zeek's originator as "ip:port". */
  orig: string;
  resp: string;
  connState: string;
  history: string;
}

export interface DrivenStream {
  a: string;
  b: string;
  firstTs: number;
  packets: number;
  completeness: number;
}

async function forEachSegment(path: string, fn: (seg: Segment, src: string, dst: string, ts: number) => void): Promise<void> {
  const cap = openCapture(path, 0);
  const seg = newSegment();
  for await (const batch of cap.batches()) {
    for (const frame of batch) {
      if (decodeFrame(frame, seg) !== null) continue;
      const [src, dst] = endpoints(seg);
      fn(seg, src, dst, frame.tsSec + frame.tsNsec / 1e9);
    }
  }
}

interface ZeekSlot {
  a: string;
  b: string;
  firstTs: number;
  lastTs: number;
  obs: ZeekObserver;
}

export async function driveZeek(path: string, options: ZeekObserverOptions): Promise<DrivenZeekConnection[]> {
  const open = new Map<string, ZeekSlot>();
  const done: ZeekSlot[] = [];
  const dropsIp = options.ignoreChecksums === false;
  await forEachSegment(path, (seg, src, dst, ts) => {
    // Zeek never creates a connection from a packet whose IPv4 header checksum is bad.
    if (dropsIp && seg.ipVersion === 4 && seg.ipChecksumOk === false) return;
    const key = tupleKey(src, dst);
    let slot = open.get(key);
    if (slot !== undefined && slot.obs.isReuse(seg, src === slot.a)) {
      done.push(slot);
      slot = undefined;
    }
    if (slot === undefined) {
      slot = { a: src, b: dst, firstTs: ts, lastTs: ts, obs: new ZeekObserver(options) };
      open.set(key, slot);
    }
    slot.lastTs = ts;
    slot.obs.onSegment(seg, src === slot.a);
  });
  done.push(...open.values());
  return done.map((s) => {
    const r = s.obs.result();
    const origIsA = s.obs.endpointStates().origIsA;
    return {
      a: s.a,
      b: s.b,
      firstTs: s.firstTs,
      lastTs: s.lastTs,
      orig: origIsA ? s.a : s.b,
      resp: origIsA ? s.b : s.a,
      connState: r.connState,
      history: r.history,
    };
  });
}

interface StreamSlot {
  a: string;
  b: string;
  firstTs: number;
  packets: number;
  /** tshark's base sequence number per side (null until known). */
  baseA: number | null;
  baseB: number | null;
  obs: CompletenessObserver;
}

export async function driveTshark(path: string): Promise<DrivenStream[]> {
  const open = new Map<string, StreamSlot>();
  const all: StreamSlot[] = [];
  await forEachSegment(path, (seg, src, dst, ts) => {
    const key = tupleKey(src, dst);
    const f = seg.flags;
    const bareSyn = (f & TcpFlag.SYN) !== 0 && (f & TcpFlag.ACK) === 0;
    let slot = open.get(key);
    if (slot !== undefined && bareSyn) {
      const base = src === slot.a ? slot.baseA : slot.baseB;
      if (base !== null && base !== seg.seq >>> 0) slot = undefined;
    }
    if (slot === undefined) {
      slot = { a: src, b: dst, firstTs: ts, packets: 0, baseA: null, baseB: null, obs: new CompletenessObserver() };
      open.set(key, slot);
      all.push(slot);
    }
    const fromA = src === slot.a;
    const syn = (f & TcpFlag.SYN) !== 0;
    const own = syn ? seg.seq >>> 0 : (seg.seq - 1) >>> 0;
    if (fromA) slot.baseA ??= own;
    else slot.baseB ??= own;
    // A SYN-ACK tells the base of the side it acknowledges.
    if (syn && (f & TcpFlag.ACK) !== 0) {
      const peerBase = (seg.ack - 1) >>> 0;
      if (fromA) slot.baseB ??= peerBase;
      else slot.baseA ??= peerBase;
    }
    slot.packets++;
    slot.obs.onSegment(seg, fromA);
  });
  return all.map((s) => ({ a: s.a, b: s.b, firstTs: s.firstTs, packets: s.packets, completeness: s.obs.value() }));
}

/** One connection of tcpshake's own report (analyze()), the product the agreement tests measure. */
export interface ProductConnection {
  x: string;
  y: string;
  firstTs: number;
  lastTs: number;
  connState: string;
  history: string;
  completeness: number;
  /** The connection's row in tcpshake's `--format zeek` output, by Zeek's field names. */
  zeekRow: Record<string, string>;
}

export async function analyzeProduct(path: string, options: AnalyzeOptions = {}): Promise<ProductConnection[]> {
  const report = await analyze([path], options);
  return report.connections.map((c) => ({
    x: `${c.client.ip}:${c.client.port}`,
    y: `${c.server.ip}:${c.server.port}`,
    firstTs: c.start,
    lastTs: c.start + c.duration,
    connState: c.zeek.connState,
    history: c.zeek.history,
    completeness: c.completeness,
    zeekRow: Object.fromEntries(zeekRow(c).trimEnd().split('\t').map((v, i) => [ZEEK_FIELDS[i]![0], v])),
  }));
}
