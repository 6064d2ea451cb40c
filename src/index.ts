/**
 * tcpshake as a library: `analyze()` turns capture files into a Report (the contract is in
 * src/model/, described in README.md; the layers in docs/architecture.md). No global side effects:
 * no console, no process, no environment reads.
 */
export { analyze } from './pipeline/analyze.js';
export type { AnalyzeOptions, AnalyzeProgress, CaptureInput } from './pipeline/analyze.js';
export { analyzeConnections, AnalysisStopped, type ConnectionStream } from './pipeline/connections.js';
export { OutputWriter, streamAnalysis, type ConnectionStage, type OutputSink } from './pipeline/stream.js';
export { OUTPUT_FORMATS, reportOutput, type OutputFormat, type OutputOptions, type ReportOutput } from './report/outputs.js';
export { compileFilter, type ConnectionFilter } from './report/filter.js';

export { EVENT_KINDS } from './model/events.js';
export { FINDING_KINDS, SCHEMA_VERSION } from './model/report.js';
export { CLOSE_KINDS, ENDPOINT_STATES, HANDSHAKE_KINDS } from './model/vocabulary.js';
export type { BothStates, ConnectionEvent, EventBase, EventKind, EventOf, EventPayloads, FrameRef, RstCheck } from './model/events.js';
export { eventDetail } from './model/event-detail.js';
export type { CaptureReport, CloseReport, ConnectionReport, DirectionStats, Finding, FindingKind, HandshakeReport, NegotiatedOptions, Report, SegmentRecord, StateChange, Summary, UnseenSegment } from './model/report.js';
export type { CloseKind, EndpointState, HandshakeKind, Side, Who } from './model/vocabulary.js';
export { endpointText, type Endpoint } from './model/endpoint.js';

export { EVENT_CATALOGUE, type EventInfo } from './model/events.js';
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
