/**
 * The library entry point: capture files in, Report out. No console, no process, no environment:
 * warnings and progress go to the callbacks the caller passes.
 */
import type { Readable } from 'node:stream';
import { openCapture, mergeCaptures, linkTypeName, type OpenedCapture } from './capture/index.js';
import { timeOf, type CaptureError, type CaptureWarning } from './capture/frame.js';
import { decodeFrame } from './decode/index.js';
import { newSegment, type SkipReason } from './decode/segment.js';
import { ConnectionManager } from './flow/manager.js';
import { SCHEMA_VERSION, type CaptureReport, type ConnectionEvent, type ConnectionReport, type Endpoint, type Report, type Summary } from './report/model.js';
import { displayFilter } from './tracker/connection.js';

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
  /** Each connection as soon as it is over (closed and out of TIME_WAIT, reset, expired) or at the end. */
  onConnection?: (connection: ConnectionReport) => void;
  /** Each event as it happens. */
  onEvent?: (event: ConnectionEvent, connection: { id: number; client: Endpoint; server: Endpoint }) => void;
  /** Progress, called every so often (per chunk read). */
  onProgress?: (progress: AnalyzeProgress) => void;
  /** Keep finished connections in `report.connections` (default true; false keeps memory flat). */
  keepConnections?: boolean;
  /** Record per-segment ladder rows for the connections this returns true for (by id), or all when true. */
  recordSegments?: boolean | ((id: number) => boolean);
  /** Cap on recorded segments per connection (first and last halves kept, the middle counted). Default 2000. */
  maxRecordedSegments?: number;
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
  const captures: OpenedCapture[] = inputs.map((input, i) => openCapture(input, i));
  const multiFile = inputs.length > 1;
  const tcpSegments = new Array<number>(inputs.length).fill(0);
  const skipped: Partial<Record<SkipReason, number>>[] = inputs.map(() => ({}));
  const keep = options.keepConnections !== false;
  const kept: ConnectionReport[] = [];
  const summary: Summary = { connections: 0, handshake: {}, close: {}, events: {} };

  const manager = new ConnectionManager({
    msl: options.msl ?? 30,
    ...(options.idleTimeout !== undefined ? { idleTimeout: options.idleTimeout } : {}),
    ...(options.recordSegments !== undefined ? { recordSegments: options.recordSegments } : {}),
    ...(options.maxRecordedSegments !== undefined ? { maxRecordedSegments: options.maxRecordedSegments } : {}),
    multiFile,
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
    onConnection: (c) => {
      summary.connections++;
      summary.handshake[c.handshake.kind] = (summary.handshake[c.handshake.kind] ?? 0) + 1;
      summary.close[c.close.kind] = (summary.close[c.close.kind] ?? 0) + 1;
      for (const e of c.events) summary.events[e.kind] = (summary.events[e.kind] ?? 0) + 1;
      if (keep) kept.push(c);
      options.onConnection?.(c);
    },
  });

  const seg = newSegment();
  let frames = 0;
  const progress = options.onProgress;
  for await (const batch of mergeCaptures(captures)) {
    for (let i = 0; i < batch.length; i++) {
      const frame = batch[i]!;
      frames++;
      const result = decodeFrame(frame, seg);
      if (result === null) {
        tcpSegments[frame.fileIndex]!++;
        manager.onSegment(seg);
      } else {
        const s = skipped[frame.fileIndex]!;
        s[result] = (s[result] ?? 0) + 1;
      }
    }
    if (progress !== undefined) {
      let bytes = 0;
      for (const c of captures) bytes += c.bytesRead();
      progress({ bytes, frames, connections: manager.connectionCount });
    }
  }
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
    if (info.comments.length > 0) r.comments = info.comments.slice();
    if (info.interfaces.length > 0) r.interfaces = info.interfaces.map((x) => ({ ...x }));
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
  return { schemaVersion: SCHEMA_VERSION, captures: captureReports, summary, connections: kept };
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
    const x = `${c.client.ip}|${c.client.port}`;
    const y = `${c.server.ip}|${c.server.port}`;
    const key = x < y ? `${x}|${y}` : `${y}|${x}`;
    const list = byTuple.get(key);
    if (list === undefined) byTuple.set(key, [c]);
    else list.push(c);
  }
  for (const list of byTuple.values()) {
    if (list.length < 2) continue;
    for (const c of list) {
      if ((c.firstFile ?? 0) !== (c.lastFile ?? 0)) continue;
      c.displayFilter = displayFilter(c.client, c.server, c.client.ip.includes(':') ? 6 : 4, [c.firstFrame, c.lastFrame]);
    }
  }
}
