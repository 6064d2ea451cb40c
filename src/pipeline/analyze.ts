/**
 * The library entry point: capture files in, Report out. No console, no process, no environment:
 * warnings and progress go to the callbacks the caller passes. How the stages it wires fit
 * together: docs/architecture.md.
 */
import type { Readable } from 'node:stream';
import { captureTimeline, openCapture, linkTypeName, type OpenedCapture } from '../capture/index.js';
import { readOnWorker } from '../capture/threaded.js';
import { CaptureError, timeOf, type CaptureWarning } from '../capture/frame.js';
import { decapConfig, decodeFrame, decodeNoteMessage, DecodeNotes, decodePacked, Reassembly, type DecapOptions } from '../decode/index.js';
import { newSegment, type DecodeResult, type SkipReason } from '../decode/segment.js';
import { tunnelDisplayFilter } from '../flow/encapsulation.js';
import { ConnectionManager } from '../flow/manager.js';
import type { ConnectionEvent } from '../model/events.js';
import { SCHEMA_VERSION, type CaptureReport, type ConnectionReport, type Report, type Summary } from '../model/report.js';
import type { Endpoint } from '../model/endpoint.js';
import { displayFilter } from '../tracker/connection.js';
import { settleTimeWait } from '../tracker/time-wait.js';
import { ChecksumOffloadCount } from '../tracker/offload.js';
import type { ZeekObserverOptions } from '../tracker/zeek.js';
import { ShardPlaces, shardOfSegment, type ShardSpec } from './shard.js';

/** The reading thread's module (see read-thread.ts): beside this one once built. */
const READ_THREAD_SCRIPT = new URL('./read-thread.js', import.meta.url);

/** A path (`-` is not special here: the CLI maps `-` to standard input) or a named stream. */
export type CaptureInput = string | { name: string; stream: Readable };

export interface AnalyzeProgress {
  bytes: number;
  frames: number;
  connections: number;
}

export interface AnalyzeOptions {
  /** Maximum segment lifetime in seconds of capture time; TIME_WAIT lasts 2×MSL. Default 30. */
  msl?: number;
  /** Expire connections idle for this many seconds of capture time (reported as such). Default: never. */
  idleTimeout?: number;
  /** Capture-file problems that did not stop reading (truncated last record, ...). */
  onWarning?: (warning: CaptureWarning) => void;
  /**
   * Each connection as soon as its verdict can no longer change, by capture time: closed and then
   * quiet for a short grace (3 s, for a retransmitted FIN) or reset and quiet for 2 s — its report
   * then shows an active closer still in TIME_WAIT, and the 4-tuple keeps a small tombstone for the
   * rest of TIME_WAIT so a reuse is still reported; unanswered SYNs once their retries have stopped;
   * connections idle past `idleTimeout`; the rest at the end of input, in id order (see
   * flow/manager.ts).
   */
  onConnection?: (connection: ConnectionReport) => void;
  /** Each event as it happens. */
  onEvent?: (event: ConnectionEvent, connection: { id: number; client: Endpoint; server: Endpoint }) => void;
  /** Progress, called every so often (per chunk read). */
  onProgress?: (progress: AnalyzeProgress) => void;
  /**
   * Called after each chunk of input (after onProgress); when it returns a promise, reading waits
   * for it. A caller streaming connections or events to a slower consumer (a pipe) returns one while
   * its output is backed up, so the run is held back instead of its output piling up in memory.
   */
  backpressure?: () => Promise<void> | undefined;
  /**
   * Read the capture files on a second thread (a worker; see capture/threaded.ts), beside the
   * analysis: faster on a machine with two cores or more. Only when every input is a path; the
   * report is the same either way. Default false (the library starts no thread unless asked).
   */
  readOnWorker?: boolean;
  /**
   * False: every segment goes through the tracker's full path, none through its fast path for
   * in-order data (the reports are the same, only slower: this is how the tests check it). Default true.
   */
  fastPath?: boolean;
  /** Keep finished connections in `report.connections` (default true; false keeps memory flat). */
  keepConnections?: boolean;
  /** Record per-segment ladder rows for the connections this returns true for (by id), or all when true. */
  recordSegments?: boolean | ((id: number) => boolean);
  /** Cap on recorded segments per connection (first and last halves kept, the middle counted). Default 2000. */
  maxRecordedSegments?: number;
  /**
   * How the `zeek` field (conn_state, history) is derived, to line tcpshake up with a particular Zeek
   * run. Defaults: checksums ignored (as `zeek -C`: captures taken on the sending host carry offloaded
   * checksums), and Zeek's default likely-server-port list (as Zeek with its default scripts).
   */
  zeek?: AnalyzeZeekOptions;
  /**
   * Tunnels: on by default (VXLAN, GENEVE, GRE, ERSPAN, GRE-in-UDP, IP-in-IP, GTP-U, Teredo, AYIYA,
   * PBB; see docs/formats.md); `{ enabled: false }` leaves them closed; `ports` opens UDP tunnels on
   * more ports (e.g. `{ vxlan: [4790] }`).
   */
  decapsulation?: DecapOptions;
  /**
   * `'ignore'` (default, as `zeek -C`): a segment whose IPv4 header or TCP checksum is wrong is
   * analysed like any other (captures taken on the sending host carry checksums the NIC fills in
   * later). `'verify'` (as Zeek without -C): such segments are left out of the analysis and counted in
   * the capture's `skipped.bad_checksum`; a wrong TCP checksum still shows in the connection's `zeek`
   * history (`C`/`c`), as in Zeek's, and with `zeek.compat` it starts a connection as in Zeek.
   */
  checksums?: 'ignore' | 'verify';
  /**
   * Analyse only the connections whose flow hash falls in this shard (see pipeline/shard.ts): every
   * frame is still read, and the clock moves on at every TCP segment, so each connection reported is
   * exactly as in a run over everything, save its `id` (the shard's own numbering); each report
   * carries `shard`, its place in the whole run's order, for `tcpshake merge`. `summary` counts the
   * shard's connections; `captures` describe the whole captures (the same in every shard).
   */
  shard?: ShardSpec;
}

export interface AnalyzeZeekOptions {
  /**
   * Connections follow a default Zeek run's boundaries instead of tcpshake's own (see
   * flow/manager.ts): Zeek's reuse rule for a new SYN, and its timers — the 5 s attempt timer, the
   * expire checks after 5 s of quiet, the 5 s close and reset delay, the 5-minute inactivity timeout
   * (`idleTimeout` stands for it) — so each connection is one row of Zeek's conn.log. Default false.
   */
  compat?: boolean;
  /**
   * `true` as `zeek -C`; `false` as Zeek without -C: a segment with a wrong IPv4 header checksum is
   * dropped unseen, one with a wrong TCP checksum is counted as `C`/`c` and dropped. Default: true,
   * unless `checksums` is `'verify'`.
   */
  ignoreChecksums?: boolean;
  /**
   * Zeek's `likely_server_ports`, which decide the originator when a connection does not start with
   * a bare SYN: `'default'` the ports Zeek's base protocol scripts register; `'none'` an empty list
   * (as `zeek -b`, bare mode, which loads none of those scripts); or the list of ports itself.
   */
  likelyServerPorts?: 'default' | 'none' | readonly number[];
}

/** AnalyzeZeekOptions (and the run's checksum mode) → the observer's options. */
export function zeekObserverOptions(z: AnalyzeZeekOptions | undefined, checksums: 'ignore' | 'verify' = 'ignore'): ZeekObserverOptions | undefined {
  if (z === undefined && checksums === 'ignore') return undefined;
  const o: ZeekObserverOptions = {};
  if (checksums === 'verify') o.ignoreChecksums = false;
  if (z === undefined) return o;
  if (z.ignoreChecksums !== undefined) o.ignoreChecksums = z.ignoreChecksums;
  const p = z.likelyServerPorts;
  if (p === 'none') o.likelyServerPorts = new Set<number>();
  else if (p !== undefined && p !== 'default') o.likelyServerPorts = new Set<number>(p);
  return o;
}

/**
 * Reads the captures (merged into one timeline by timestamp), decodes every frame into one reusable
 * Segment, rebuilds the TCP connections and replays each through the endpoint state machines.
 *
 * A capture that cannot be read on (corrupt or truncated record header) does not make this reject:
 * every frame before the problem is analysed and the capture's report carries `error`. Only a bug
 * (not a file problem) rejects.
 */
export async function analyze(inputs: CaptureInput[], options: AnalyzeOptions = {}): Promise<Report> {
  const threaded = options.readOnWorker === true && inputs.every((input) => typeof input === 'string')
    ? readOnWorker(inputs as string[], READ_THREAD_SCRIPT)
    : null;
  const captures: OpenedCapture[] = threaded?.captures ?? inputs.map((input, i) => openCapture(input, i));
  const multiFile = inputs.length > 1;
  const tcpSegments = new Array<number>(inputs.length).fill(0);
  const skipped: Partial<Record<SkipReason, number>>[] = inputs.map(() => ({}));
  const keep = options.keepConnections !== false;
  const kept: ConnectionReport[] = [];
  const summary: Summary = { connections: 0, handshake: {}, close: {}, events: {} };
  const places = options.shard !== undefined ? new ShardPlaces() : null;
  const shardIndex = (options.shard?.index ?? 1) - 1;
  const shardCount = options.shard?.count ?? 1;

  const manager = new ConnectionManager({
    msl: options.msl ?? 30,
    ...(options.idleTimeout !== undefined ? { idleTimeout: options.idleTimeout } : {}),
    ...(options.recordSegments !== undefined ? { recordSegments: options.recordSegments } : {}),
    ...(options.maxRecordedSegments !== undefined ? { maxRecordedSegments: options.maxRecordedSegments } : {}),
    multiFile,
    ...(options.zeek !== undefined || options.checksums === 'verify' ? { zeek: zeekObserverOptions(options.zeek, options.checksums)! } : {}),
    ...(options.zeek?.compat === true ? { zeekCompat: true } : {}),
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
    ...(options.fastPath === false ? { fastPath: false } : {}),
    onConnection: (c) => {
      summary.connections++;
      summary.handshake[c.handshake.kind] = (summary.handshake[c.handshake.kind] ?? 0) + 1;
      summary.close[c.close.kind] = (summary.close[c.close.kind] ?? 0) + 1;
      for (const e of c.events) summary.events[e.kind] = (summary.events[e.kind] ?? 0) + 1;
      // Added last, so `shard` is the report's last member (tcpshake merge takes it off again).
      if (places !== null) c.shard = places.placeOf(c.id);
      if (keep) kept.push(c);
      options.onConnection?.(c);
    },
  });

  const seg = newSegment();
  seg.decap = decapConfig(options.decapsulation);
  seg.notes = new DecodeNotes();
  seg.reassembly = new Reassembly();
  let frames = 0;
  const progress = options.onProgress;
  const verify = options.checksums === 'verify';
  const offload = inputs.map(() => new ChecksumOffloadCount());
  /**
   * A sharded run's TCP segment (`analysed`: false when it is left out for its checksum): the clock
   * moves on whoever's segment it is; only the shard's own reach the connections.
   */
  const shardSegment = (s: typeof seg, analysed: boolean): void => {
    const p = places!;
    p.frame = frames;
    p.phase = 0;
    // As onSegment() (which sweeps) and onUnverifiedSegment() (which does not) would move it.
    manager.advanceClock(s, analysed);
    if (shardOfSegment(s, shardCount) !== shardIndex) return;
    p.phase = 1;
    const before = manager.connectionCount;
    if (analysed) manager.onSegment(s);
    else manager.onUnverifiedSegment(s);
    // A segment creates at most one connection (after reporting the one it replaces, if any).
    if (manager.connectionCount !== before) p.noteCreated(manager.connectionCount);
  };
  /** One frame decoded into `seg` (`result` null: a TCP segment). */
  const take = (result: DecodeResult): void => {
    frames++;
    if (result === null && verify && (seg.checksumOk === false || seg.ipChecksumOk === false)) {
      // Left out of the analysis, as Zeek without -C does; a wrong TCP checksum still reaches the
      // connection's Zeek view (Zeek drops a wrong IPv4 header checksum before any connection).
      if (seg.ipChecksumOk !== false) {
        if (places === null) manager.onUnverifiedSegment(seg);
        else shardSegment(seg, false);
      }
      result = 'bad_checksum';
    }
    if (result === null) {
      if (seg.checksumPartial) offload[seg.fileIndex]!.add(seg);
      tcpSegments[seg.fileIndex]!++;
      if (places === null) manager.onSegment(seg);
      else shardSegment(seg, true);
    } else {
      const s = skipped[seg.fileIndex]!;
      s[result] = (s[result] ?? 0) + 1;
    }
  };
  /** After each batch (a chunk of the input): progress, and the caller's backpressure. */
  const batchDone = (): Promise<void> | undefined => {
    if (progress !== undefined) {
      let bytes = 0;
      for (const c of captures) bytes += c.bytesRead();
      progress({ bytes, frames, connections: manager.connectionCount });
    }
    return options.backpressure?.();
  };
  // The inner loops are synchronous: one await per batch, none per frame.
  if (threaded !== null) {
    // Frames packed by the reading thread are decoded where they lie: no object per frame.
    for await (const batch of threaded.frames) {
      for (let i = 0, at = batch.start; i < batch.count; i++, at = batch.next(at)) take(decodePacked(batch, at, seg));
      const wait = batchDone();
      if (wait !== undefined) await wait;
    }
  } else {
    for await (const batch of captureTimeline(captures)) {
      for (let i = 0; i < batch.length; i++) take(decodeFrame(batch[i]!, seg));
      const wait = batchDone();
      if (wait !== undefined) await wait;
    }
  }
  seg.reassembly.finish(seg);
  places?.atEnd(frames);
  manager.finish();

  const captureReports: CaptureReport[] = captures.map((c, i) => {
    const info = c.info;
    const r: CaptureReport = {
      file: info.file,
      format: info.gzip ? `${info.format}+gzip` : info.format,
      linkTypes: info.linkTypes.map((lt) => linkTypeName(lt)),
      frames: info.frames,
      tcpSegments: tcpSegments[i]!,
      skipped: skipped[i]!,
      firstTime: info.firstTsSec === null ? null : timeOf(info.firstTsSec, info.firstTsNsec),
      lastTime: info.lastTsSec === null ? null : timeOf(info.lastTsSec, info.lastTsNsec),
      warnings: info.warnings.slice(),
    };
    for (const n of seg.notes!.of(i)) r.warnings.push({ file: info.file, frame: n.firstFrame, offset: n.offset, message: decodeNoteMessage(n.key, n.frames) });
    if (info.comments.length > 0) r.comments = info.comments.slice();
    if (info.interfaces.length > 0) r.interfaces = info.interfaces.map((x) => ({ ...x }));
    const offloaded = offload[i]!.result();
    if (offloaded.length > 0) r.checksumOffload = offloaded;
    const err = c.error();
    if (err !== null) r.error = { file: err.file, frame: err.frame, offset: err.offset, message: stripLocation(err) };
    if (options.onWarning !== undefined) {
      for (const w of r.warnings) options.onWarning(w);
      if (r.error !== undefined) options.onWarning(r.error);
    }
    return r;
  });

  kept.sort((x, y) => x.id - y.id);
  boundReusedTuples(kept);
  // Connections reported while an end held TIME_WAIT: ended by the timer if the capture went on 2×MSL.
  const end = manager.lastTime;
  if (end !== null) for (const c of kept) settleTimeWait(c, end, options.msl ?? 30);
  const report: Report = { schemaVersion: SCHEMA_VERSION, captures: captureReports, summary, connections: kept };
  if (options.shard !== undefined) report.shard = { index: options.shard.index, count: options.shard.count };
  return report;
}

/** CaptureError's message names file, frame and offset already held in their own fields. */
function stripLocation(e: CaptureError): string {
  const prefix = `${e.file}: frame ${e.frame} at byte offset ${e.offset}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/**
 * Connections sharing a 4-tuple get frame bounds in their display filter, so each filter selects one
 * connection. (The tracker adds them itself when it saw the reuse; this catches a first connection
 * that was already reported when its tuple came back.)
 */
function boundReusedTuples(connections: ConnectionReport[]): void {
  const byTuple = new Map<string, ConnectionReport[]>();
  for (const c of connections) {
    const key = tupleKey(c);
    const list = byTuple.get(key);
    if (list === undefined) byTuple.set(key, [c]);
    else list.push(c);
  }
  for (const list of byTuple.values()) {
    if (list.length < 2) continue;
    for (const c of list) boundDisplayFilter(c);
  }
}

/** The connection's 4-tuple as text, the same whichever end is the client. */
export function tupleKey(c: Pick<ConnectionReport, 'client' | 'server'>): string {
  const x = `${c.client.ip}|${c.client.port}`;
  const y = `${c.server.ip}|${c.server.port}`;
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

/**
 * Gives a connection whose 4-tuple carried others in the same run frame bounds in its display filter
 * (when it lies within one file, where frame numbers mean something).
 */
export function boundDisplayFilter(c: ConnectionReport): void {
  if ((c.firstFile ?? 0) !== (c.lastFile ?? 0)) return;
  c.displayFilter = displayFilter(c.client, c.server, c.client.ip.includes(':') ? 6 : 4, [c.firstFrame, c.lastFrame]);
  const tunnel = tunnelDisplayFilter(c.encapsulation);
  if (tunnel !== '') c.displayFilter += ` && ${tunnel}`;
}
