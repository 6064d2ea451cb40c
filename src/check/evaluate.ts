/**
 * evaluate(report, expectations) → one RuleResult per rule. Pure: no I/O, same input same output.
 * Every failure carries what a user needs to look the problem up in Wireshark: the connection, what
 * was expected, what was seen, the frame range, the frames of the relevant events and the
 * connection's display filter.
 */
import { endpointText } from '../model/endpoint.js';
import { matchesEndpoint } from './address.js';
import { countCeiling, formatComparison, formatScalar, holds, type Expectation, type Outcome, type Rule, type Selector, type ServiceSelector, type Expectations } from './expectations.js';
import { CAPTURE_COUNTERS, CONNECTION_FIELDS, POLICIES, relevantEvents, type FieldSpec, type PolicyName, type Scalar } from './vocabulary.js';
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

/** Connections that showed one same thing, with the first few named and their frames. */
export interface ConnectionGroup {
  /** What they showed: `"four_way"`, or `close.kind "four_way", close.initiator "server"`. */
  label: string;
  count: number;
  examples: { connection: ConnectionRef; frames: FrameRef[] }[];
}

/** Which part of a service rule failed. */
export type ServiceCheck = 'connections' | 'every' | 'outcome' | 'unexpected' | 'sequence';

export type Failure =
  | { kind: 'mismatch'; connection: ConnectionRef; path: string; expected: string; seen: string; frames: FrameRef[]; pos: Expectation['pos'] }
  /**
   * A service rule that does not hold: `headline` names the service and the expectation, each group
   * what some of its connections showed instead.
   */
  | { kind: 'service'; check: ServiceCheck; service: string; headline: string; groups: ConnectionGroup[]; pos: Expectation['pos'] | null }
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
/** Connections named per group of a service failure (with frames and a display filter for them). */
export const MAX_EXAMPLES = 3;

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

/** "service 10.99.2.2:8080" or "service :8080 from client 10.99.1.2". */
export function describeService(s: ServiceSelector): string {
  return `service ${s.service.text}${s.client ? ` from client ${s.client.text}` : ''}`;
}

export function ruleTitle(rule: Rule): string {
  const n = `rule ${rule.index + 1}`;
  switch (rule.type) {
    case 'select':
      return `${n}: ${describeSelector(rule.selector)}`;
    case 'service': {
      const parts: string[] = [];
      if (rule.connections) {
        const c = rule.connections.comparison;
        parts.push(`${formatComparison(c)} connection${c.op === '==' && c.value === 1 ? '' : 's'}`);
      }
      if (rule.every.length) parts.push('every connection');
      if (rule.outcomes) parts.push(`${rule.outcomes.length} outcome${rule.outcomes.length === 1 ? '' : 's'}`);
      if (rule.sequence) parts.push(`a sequence of ${rule.sequence.length}`);
      return `${n}: ${describeService(rule.selector)} (${parts.join(', ')})`;
    }
    case 'capture':
      return `${n}: capture ${rule.counts.map((c) => c.path).join(', ') || '(no counts)'}`;
    case 'policy':
      return `${n}: policy ${rule.policy}`;
    default:
      return assertNever(rule, 'rule');
  }
}

/** The connections of a service, in the order they started (file, then time, then id). */
export function selectService(report: Report, s: ServiceSelector): ConnectionReport[] {
  const hits = report.connections.filter((c) => matchesEndpoint(s.service, c.server) && (s.client === null || matchesEndpoint(s.client, c.client)));
  return hits.sort((a, b) => a.start - b.start || a.id - b.id);
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
    case 'service': {
      const r = checkService(report, rule);
      connections = r.connections;
      checks = r.checks;
      failures.push(...r.failures);
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

// ---------------------------------------------------------------- service rules

const valueOf = (c: ConnectionReport, path: string): Scalar => (CONNECTION_FIELDS.get(path) as FieldSpec).get(c);

/** `close.kind "three_way", close.initiator "server"`: what a set of expectations says. */
export function describeWhere(where: readonly Expectation[]): string {
  return where.length ? where.map((x) => `${x.path} ${formatComparison(x.comparison)}`).join(', ') : 'any behaviour';
}

function framesForPaths(c: ConnectionReport, paths: readonly string[]): FrameRef[] {
  const all: FrameRef[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    for (const f of framesForPath(c, p)) {
      const key = `${f.file ?? 0}:${f.frame}:${f.label}`;
      if (seen.has(key)) continue;
      seen.add(key);
      all.push(f);
    }
  }
  return all.sort((a, b) => (a.file ?? 0) - (b.file ?? 0) || a.frame - b.frame).slice(0, MAX_FRAMES);
}

function group(label: string, conns: readonly ConnectionReport[], paths: readonly string[]): ConnectionGroup {
  return { label, count: conns.length, examples: conns.slice(0, MAX_EXAMPLES).map((c) => ({ connection: connectionRef(c), frames: framesForPaths(c, paths) })) };
}

/** Connections grouped by what they show on these paths, largest group first. */
function groupBy(conns: readonly ConnectionReport[], paths: readonly string[], describe: (values: Scalar[]) => string): ConnectionGroup[] {
  const byLabel = new Map<string, ConnectionReport[]>();
  for (const c of conns) {
    const label = describe(paths.map((p) => valueOf(c, p)));
    const list = byLabel.get(label);
    if (list) list.push(c);
    else byLabel.set(label, [c]);
  }
  return [...byLabel.entries()].sort((a, b) => b[1].length - a[1].length).map(([label, list]) => group(label, list, paths));
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
/** "1 connection", "12 connections", "10..14 connections": a count as written in a rule. */
const countOf = (c: Expectation): string => `${formatComparison(c.comparison)} connection${c.comparison.op === '==' && c.comparison.value === 1 ? '' : 's'}`;
const fits = (c: ConnectionReport, where: readonly Expectation[]): boolean => where.every((x) => holds(x.comparison, valueOf(c, x.path)));
const valuesLabel = (paths: readonly string[]) => (values: Scalar[]): string => paths.map((p, i) => `${p} ${formatScalar(values[i] as Scalar)}`).join(', ');

function checkService(report: Report, rule: Extract<Rule, { type: 'service' }>): { connections: number; checks: number; failures: Failure[] } {
  const service = describeService(rule.selector);
  const conns = selectService(report, rule.selector);
  const failures: Failure[] = [];
  let checks = 0;
  const fail = (check: ServiceCheck, headline: string, pos: Expectation['pos'] | null, groups: ConnectionGroup[] = []): void => {
    failures.push({ kind: 'service', check, service, headline, groups, pos });
  };

  if (rule.connections) {
    checks++;
    if (!holds(rule.connections.comparison, conns.length)) {
      fail('connections', `${service}: expected ${countOf(rule.connections)}, seen ${conns.length}`, rule.connections.pos);
    }
  } else if (conns.length === 0) {
    checks++;
    fail('connections', `${service}: no connection to it in the capture`, null);
  }

  for (const x of rule.every) {
    checks += conns.length;
    const off = conns.filter((c) => !holds(x.comparison, valueOf(c, x.path)));
    if (off.length === 0) continue;
    const groups = groupBy(off, [x.path], (v) => `seen ${formatScalar(v[0] as Scalar)}`);
    // "on N of M": how much of the service changed.
    for (const g of groups) g.label = `${g.label} on ${g.count} of ${conns.length} connections`;
    fail('every', `${service}: ${x.path} expected ${formatComparison(x.comparison)} on every connection`, x.pos, groups);
  }

  if (rule.outcomes) {
    const paths = [...new Set(rule.outcomes.flatMap((o) => o.where.map((x) => x.path)))];
    for (const o of rule.outcomes) {
      checks++;
      const matched = conns.filter((c) => fits(c, o.where));
      if (holds(o.count.comparison, matched.length)) continue;
      fail(
        'outcome',
        `${service}: expected ${countOf(o.count)} with ${describeWhere(o.where)}, seen ${matched.length}`,
        o.count.pos,
        matched.length ? [group(`the ${plural(matched.length, 'connection')} seen`, matched, o.where.map((x) => x.path))] : [],
      );
    }
    const unexplained = conns.filter((c) => !rule.outcomes!.some((o) => fits(c, o.where)));
    checks += conns.length;
    if (unexplained.length) {
      const first = rule.outcomes[0] as Outcome;
      const groups = groupBy(unexplained, paths, valuesLabel(paths));
      for (const g of groups) g.label = `${g.label} on ${plural(g.count, 'connection')}`;
      fail('unexpected', `${service}: ${plural(unexplained.length, 'connection')} of ${conns.length} fit none of its outcomes`, first.pos, groups);
    }
  }

  if (rule.sequence) checkSequence(service, conns, rule.sequence, failures, () => checks++);
  return { connections: conns.length, checks, failures };
}

/**
 * A service's connections in start order against consecutive runs: each entry takes as many of the
 * next connections as fit it (up to the most its count allows), and that number must satisfy its
 * count; connections left after the last entry fail the rule too. The first place where the order
 * breaks is reported (later ones would only repeat it shifted).
 */
export function matchSequence(conns: readonly ConnectionReport[], sequence: readonly Outcome[]): { entry: number; at: number; taken: number } | null {
  let at = 0;
  for (let i = 0; i < sequence.length; i++) {
    const entry = sequence[i] as Outcome;
    const ceiling = countCeiling(entry.count.comparison);
    let taken = 0;
    while (at + taken < conns.length && taken < ceiling && fits(conns[at + taken] as ConnectionReport, entry.where)) taken++;
    if (!holds(entry.count.comparison, taken)) return { entry: i, at, taken };
    at += taken;
  }
  return at < conns.length ? { entry: sequence.length, at, taken: 0 } : null;
}

function checkSequence(service: string, conns: readonly ConnectionReport[], sequence: readonly Outcome[], failures: Failure[], count: () => void): void {
  for (let i = 0; i < sequence.length; i++) count();
  const broken = matchSequence(conns, sequence);
  if (broken === null) return;
  const { at, taken } = broken;
  const i = broken.entry;
  const entry = sequence[i];
  if (entry) {
    const next = conns[at + taken];
    const paths = entry.where.map((x) => x.path);
    const groups: ConnectionGroup[] = [];
    if (next) {
      // What the next connection shows instead, on the paths where it differs from the entry.
      const off = entry.where.filter((x) => !holds(x.comparison, valueOf(next, x.path))).map((x) => x.path);
      const shown = off.length ? off : paths;
      const label = shown.length ? valuesLabel(shown)(shown.map((p) => valueOf(next, p))) : 'a connection';
      groups.push(group(`connection ${at + taken + 1} of ${conns.length} shows ${label}`, [next], paths));
    } else {
      groups.push({ label: `the capture has ${plural(conns.length, 'connection')} to it`, count: 0, examples: [] });
    }
    failures.push({
      kind: 'service',
      check: 'sequence',
      service,
      headline: `${service}: sequence entry ${i + 1} expected ${countOf(entry.count)} in a row from connection ${at + 1} on with ${describeWhere(entry.where)}, seen ${taken}`,
      groups,
      pos: entry.count.pos,
    });
    return;
  }
  const rest = conns.slice(at);
  failures.push({
    kind: 'service',
    check: 'sequence',
    service,
    headline: `${service}: ${plural(rest.length, 'connection')} more than the sequence describes, from connection ${at + 1} on`,
    groups: [group(`${plural(rest.length, 'connection')} after the last entry`, rest, [])],
    pos: (sequence[sequence.length - 1] as Outcome).count.pos,
  });
}

export function evaluate(report: Report, expectations: Expectations): RuleResult[] {
  return expectations.rules.map((r) => evaluateRule(report, r));
}

// ---------------------------------------------------------------- shared text for renderers

export function connectionLabel(c: ConnectionRef): string {
  return `#${c.id} ${endpointText(c.client.ip, c.client.port)} → ${endpointText(c.server.ip, c.server.port)}`;
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
    case 'service': {
      const lines = [`${f.headline}${f.pos ? `   (expectations line ${f.pos.line})` : ''}`];
      for (const g of f.groups) {
        lines.push(g.examples.length ? `${g.label}:` : g.label);
        for (const e of g.examples) {
          lines.push(`  ${connectionLabel(e.connection)}, ${frameRange(e.connection)}${e.frames.length ? `; ${formatFrames(e.frames)}` : ''}`);
        }
        if (g.count > g.examples.length) lines.push(`  and ${g.count - g.examples.length} more`);
        const filters = g.examples.map((e) => e.connection.displayFilter).filter((x) => x !== '');
        if (filters.length) lines.push(`  filter: ${filters.length === 1 ? filters[0] : filters.map((x) => `(${x})`).join(' || ')}`);
      }
      return lines;
    }
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
