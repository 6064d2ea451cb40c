/**
 * The library entry point: capture files in, Report out. No console, no process, no environment:
 * warnings and progress go to the callbacks the caller passes.
 */
import type { Readable } from 'node:stream';
import type { CaptureWarning } from './capture/frame.js';
import type { ConnectionEvent, ConnectionReport, Endpoint, Report } from './report/model.js';

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
