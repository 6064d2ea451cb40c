/**
 * evaluate(report, expectations) → one RuleResult per rule. Pure: no I/O, same input same output.
 * Every failure carries what a user needs to look the problem up in Wireshark: the connection, what
 * was expected, what was seen, the frame range, the frames of the relevant events and the
 * connection's display filter.
 */
import { formatEndpoint, matchesEndpoint } from './address.js';
import { formatComparison, formatScalar, holds, type Expectation, type Rule, type Selector, type Expectations } from './expectations.js';
import { CAPTURE_COUNTERS, CONNECTION_FIELDS, POLICIES, relevantEvents, type PolicyName } from './vocabulary.js';
import type { ConnectionEvent } from '../model/events.js';
import type { ConnectionReport, Report } from '../model/report.js';
import type { Endpoint } from '../model/endpoint.js';
import { assertNever } from '../util/assert.js';

/** Enough of a connection to name it and find it in Wireshark. */
export interface ConnectionRef {
  id: number;
  client: Endpoint;
  server: Endpoint;
  firstFrame: number;
  lastFrame: number;
  firstFile?: number;
  lastFile?: number;
  displayFilter: string;
}

export interface FrameRef {
  frame: number;
  file?: number;
  /** What happened there: an event kind, or a state name for state changes. */
  label: string;
}

export type Failure =
  | { kind: 'mismatch'; connection: ConnectionRef; path: string; expected: string; seen: string; frames: FrameRef[]; pos: Expectation['pos'] }
  | { kind: 'no_match'; selector: string }
  | { kind: 'count_mismatch'; key: string; expected: string; seen: number; connections: ConnectionRef[]; moreConnections: number; pos: Expectation['pos'] }
  | { kind: 'policy_violation'; policy: PolicyName; connection: ConnectionRef; reason: string; frames: FrameRef[] };

interface ResultBase {
  /** 0-based index of the rule in the file. */
  index: number;
  rule: Rule;
  /** One-line name: "rule 3: select client 10.99.0.1:40001 → server 10.99.0.2:8080". */
  title: string;
  /** Connections the rule looked at (selected ones, or all for capture rules and policies). */
  connections: number;
  /** Individual comparisons made. */
  checks: number;
}

export type RuleResult = (ResultBase & { outcome: 'pass' }) | (ResultBase & { outcome: 'fail'; failures: Failure[] });

/** At most this many connections are listed for a failed count or policy (the count says how many more). */
export const MAX_LISTED = 20;
const MAX_FRAMES = 16;

export function connectionRef(c: ConnectionReport): ConnectionRef {
  const r: ConnectionRef = {
    id: c.id,
    client: c.client,
    server: c.server,
    firstFrame: c.firstFrame,
    lastFrame: c.lastFrame,
    displayFilter: c.displayFilter,
  };
  if (c.firstFile !== undefined) r.firstFile = c.firstFile;
  if (c.lastFile !== undefined) r.lastFile = c.lastFile;
  return r;
}

export function describeSelector(s: Selector): string {
  switch (s.by) {
    case 'all':
      return 'all connections';
    case 'id':
      return `connection id ${s.id}`;
    case 'endpoints': {
      const parts: string[] = [];
      if (s.client) parts.push(`client ${s.client.text}`);
      if (s.server) parts.push(`server ${s.server.text}`);
      const text = parts.join(' → ');
      return s.nth !== null ? `${text} (#${s.nth} of that pair)` : text;
    }
    default:
      return assertNever(s, 'selector');
  }
}

export function ruleTitle(rule: Rule): string {
  const n = `rule ${rule.index + 1}`;
  switch (rule.type) {
    case 'select':
      return `${n}: ${describeSelector(rule.selector)}`;
    case 'capture':
      return `${n}: capture ${rule.counts.map((c) => c.path).join(', ') || '(no counts)'}`;
    case 'policy':
      return `${n}: policy ${rule.policy}`;
    default:
      return assertNever(rule, 'rule');
  }
}

/** The connections a selector picks, in report order. */
export function selectConnections(report: Report, s: Selector): ConnectionReport[] {
  switch (s.by) {
    case 'all':
      return report.connections;
    case 'id':
      return report.connections.filter((c) => c.id === s.id);
    case 'endpoints': {
      const hits = report.connections.filter(
        (c) => (s.client === null || matchesEndpoint(s.client, c.client)) && (s.server === null || matchesEndpoint(s.server, c.server)),
      );
      if (s.nth === null) return hits;
      const sorted = [...hits].sort((a, b) => a.id - b.id);
      const one = sorted[s.nth - 1];
      return one ? [one] : [];
    }
    default:
      return assertNever(s, 'selector');
  }
}

function frameRefs(events: readonly ConnectionEvent[]): FrameRef[] {
  const out: FrameRef[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    const key = `${e.file ?? 0}:${e.frame}:${e.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const r: FrameRef = { frame: e.frame, label: e.kind };
    if (e.file !== undefined) r.file = e.file;
    out.push(r);
  }
  out.sort((a, b) => (a.file ?? 0) - (b.file ?? 0) || a.frame - b.frame);
  return out.slice(0, MAX_FRAMES);
}

function framesForPath(c: ConnectionReport, path: string): FrameRef[] {
  const side = path === 'finalState.client' || path === 'states.client' ? 'client' : path === 'finalState.server' || path === 'states.server' ? 'server' : null;
  if (side) {
    // The state changes of that side say where it went where it did.
    const changes = c.states[side];
    const picked = path.startsWith('finalState.') ? changes.slice(-1) : changes;
    const fromStates: FrameRef[] = picked.map((s) => ({ frame: s.frame, label: `${side} → ${s.state}` }));
    return [...fromStates, ...frameRefs(relevantEvents(c, path))].slice(0, MAX_FRAMES);
  }
  return frameRefs(relevantEvents(c, path));
}

function checkConnection(c: ConnectionReport, expect: readonly Expectation[], failures: Failure[]): number {
  let checks = 0;
  for (const x of expect) {
    const spec = CONNECTION_FIELDS.get(x.path);
    if (!spec) continue; // loadExpectations only lets known paths through
    checks++;
    const seen = spec.get(c);
    if (holds(x.comparison, seen)) continue;
    failures.push({
      kind: 'mismatch',
      connection: connectionRef(c),
      path: x.path,
      expected: formatComparison(x.comparison),
      seen: formatScalar(seen),
      frames: framesForPath(c, x.path),
      pos: x.pos,
    });
  }
  return checks;
}

/** The value of a capture counter over a report. */
export function counterValue(report: Report, key: string): { value: number; contributing: ConnectionReport[] } {
  const counter = CAPTURE_COUNTERS.get(key);
  if (!counter) return { value: 0, contributing: [] };
  if (key === 'connections') return { value: report.connections.length, contributing: [] };
  const contributing = report.connections.filter(counter.matches);
  if (counter.eventKind !== undefined) {
    const k = counter.eventKind;
    let n = 0;
    for (const c of contributing) for (const e of c.events) if (e.kind === k) n++;
    return { value: n, contributing };
  }
  return { value: contributing.length, contributing };
}

export function evaluateRule(report: Report, rule: Rule): RuleResult {
  const title = ruleTitle(rule);
  const failures: Failure[] = [];
  let connections = 0;
  let checks = 0;
  switch (rule.type) {
    case 'select': {
      const selected = selectConnections(report, rule.selector);
      connections = selected.length;
      if (selected.length === 0) {
        failures.push({ kind: 'no_match', selector: describeSelector(rule.selector) });
        checks = 1;
      }
      for (const c of selected) checks += checkConnection(c, rule.expect, failures);
      break;
    }
    case 'capture': {
      connections = report.connections.length;
      for (const x of rule.counts) {
        checks++;
        const { value, contributing } = counterValue(report, x.path);
        if (holds(x.comparison, value)) continue;
        failures.push({
          kind: 'count_mismatch',
          key: x.path,
          expected: formatComparison(x.comparison),
          seen: value,
          connections: contributing.slice(0, MAX_LISTED).map(connectionRef),
          moreConnections: Math.max(0, contributing.length - MAX_LISTED),
          pos: x.pos,
        });
      }
      break;
    }
    case 'policy': {
      const spec = POLICIES[rule.policy];
      connections = report.connections.length;
      for (const c of report.connections) {
        checks++;
        const v = spec.check(c);
        if (v) failures.push({ kind: 'policy_violation', policy: rule.policy, connection: connectionRef(c), reason: v.reason, frames: frameRefs(v.events) });
      }
      break;
    }
    default:
      assertNever(rule, 'rule');
  }
  const base = { index: rule.index, rule, title, connections, checks };
  return failures.length ? { ...base, outcome: 'fail', failures } : { ...base, outcome: 'pass' };
}

export function evaluate(report: Report, expectations: Expectations): RuleResult[] {
  return expectations.rules.map((r) => evaluateRule(report, r));
}

// ---------------------------------------------------------------- shared text for renderers

export function connectionLabel(c: ConnectionRef): string {
  return `#${c.id} ${formatEndpoint(c.client)} → ${formatEndpoint(c.server)}`;
}

/** "frames 1–10" (with file indexes when the connection spans several inputs). */
export function frameRange(c: ConnectionRef): string {
  const multi = (c.firstFile ?? 0) !== 0 || (c.lastFile ?? 0) !== 0;
  if (!multi) return c.firstFrame === c.lastFrame ? `frame ${c.firstFrame}` : `frames ${c.firstFrame}–${c.lastFrame}`;
  return `frames file ${c.firstFile ?? 0}:${c.firstFrame} – file ${c.lastFile ?? 0}:${c.lastFrame}`;
}

export function formatFrames(frames: readonly FrameRef[]): string {
  return frames.map((f) => `${f.label} @${f.file ? `file ${f.file}:` : ''}${f.frame}`).join(', ');
}

/** Lines describing one failure (no indentation, no colour). */
export function failureLines(f: Failure): string[] {
  switch (f.kind) {
    case 'mismatch': {
      const lines = [
        `connection ${connectionLabel(f.connection)}`,
        `${f.path}: expected ${f.expected}, seen ${f.seen}   (expectations line ${f.pos.line})`,
        `look at ${frameRange(f.connection)}${f.frames.length ? `; ${formatFrames(f.frames)}` : ''}`,
      ];
      if (f.connection.displayFilter) lines.push(`filter: ${f.connection.displayFilter}`);
      return lines;
    }
    case 'no_match':
      return [`selector matched nothing: no connection with ${f.selector}`];
    case 'count_mismatch': {
      const lines = [`${f.key}: expected ${f.expected}, seen ${f.seen}   (expectations line ${f.pos.line})`];
      if (f.connections.length) {
        lines.push(
          `counted: ${f.connections.map((c) => `${connectionLabel(c)} (${frameRange(c)})`).join('; ')}${f.moreConnections ? `; and ${f.moreConnections} more` : ''}`,
        );
      }
      return lines;
    }
    case 'policy_violation': {
      const lines = [
        `connection ${connectionLabel(f.connection)}: ${f.reason}`,
        `look at ${frameRange(f.connection)}${f.frames.length ? `; ${formatFrames(f.frames)}` : ''}`,
      ];
      if (f.connection.displayFilter) lines.push(`filter: ${f.connection.displayFilter}`);
      return lines;
    }
    default:
      return assertNever(f, 'failure');
  }
}
