/**
 * The report contract and the events catalogue: the bottom of tcpshake's one-way pipeline, named by
 * every stage and importing only `util/` (docs/architecture.md).
 */
export * from './capture.js';
export * from './endpoint.js';
export * from './event-detail.js';
export * from './events.js';
export * from './report.js';
export * from './vocabulary.js';
