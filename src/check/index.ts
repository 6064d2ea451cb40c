/** `tcpshake check`: expectations about a capture's connections, evaluated against a Report. */
export { loadExpectations, formatProblem, holds, parseComparison, formatComparison } from './expectations.js';
export type { Comparison, Expectation, Expectations, ExpectationsProblem, LoadResult, Outcome, Rule, Selector, ServiceSelector } from './expectations.js';
export { evaluate, evaluateRule, selectConnections, selectService, counterValue, ruleTitle, failureLines } from './evaluate.js';
export type { ConnectionGroup, ConnectionRef, Failure, FrameRef, RuleResult, ServiceCheck } from './evaluate.js';
export { writeBaseline } from './baseline.js';
export type { BaselineOptions, BaselineResult } from './baseline.js';
export { exitCode, tally, tallyLine } from './suite.js';
export type { ExitCode, SuiteResult, Tally } from './suite.js';
export { renderText } from './text.js';
export { renderMarkdown } from './markdown.js';
export { renderJunit, xmlEscape } from './junit.js';
export { POLICIES, POLICY_NAMES, CONNECTION_FIELDS, CAPTURE_COUNTERS } from './vocabulary.js';
export type { PolicyName } from './vocabulary.js';
export { parseJsonWithPositions } from './json.js';
