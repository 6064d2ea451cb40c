/**
 * tcpshake as a library: `analyze()` turns capture files into a Report (see DESIGN.md for the
 * contract). No global side effects: no console, no process, no environment reads.
 */
export { analyze } from './analyze.js';
export type { AnalyzeOptions, AnalyzeProgress, CaptureInput } from './analyze.js';

export {
  CLOSE_KINDS,
  ENDPOINT_STATES,
  EVENT_KINDS,
  FINDING_KINDS,
  HANDSHAKE_KINDS,
  SCHEMA_VERSION,
} from './report/model.js';
export type {
  CaptureReport,
  CloseKind,
  CloseReport,
  ConnectionEvent,
  ConnectionReport,
  DirectionStats,
  Endpoint,
  EndpointState,
  EventKind,
  Finding,
  FindingKind,
  HandshakeKind,
  HandshakeReport,
  NegotiatedOptions,
  Report,
  SegmentRecord,
  Side,
  StateChange,
  Summary,
  UnseenSegment,
  Who,
} from './report/model.js';

export { EVENT_CATALOGUE, type EventInfo } from './tracker/events.js';
export {
  capturePoint,
  closeInitiator,
  closeKind,
  finalState,
  handshakeKind,
  type CloseFacts,
  type HandshakeFacts,
} from './tracker/verdicts.js';
export { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './tracker/seq.js';
export { displayFilter } from './tracker/connection.js';
export { ConnectionManager, type ConnectionManagerOptions } from './flow/manager.js';

export { CaptureError } from './capture/frame.js';
export type { CaptureFormat, CaptureWarning } from './capture/frame.js';
export { formatAddress } from './decode/address.js';
export { flagsToString } from './decode/tcp.js';
export { newSegment, TcpFlag, type Segment, type SkipReason } from './decode/segment.js';
export { computeFindings } from './report/findings.js';
export { renderHtml, type HtmlOptions } from './report/html/index.js';
