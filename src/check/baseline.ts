/**
 * `tcpshake check --update`: write the expectations the capture shows now, as a new baseline whose
 * diff reads well in review.
 *
 * - Existing rules keep their selectors, notes and order. Each value is kept as written when it
 *   still holds (so "<= 1" stays "<= 1") and otherwise replaced by what the capture shows.
 * - A rule whose selector now matches nothing, or a policy that no longer holds, is dropped
 *   (and said so in `changes`), so that the new file passes against the capture it came from.
 * - Connections no existing rule covers are described per service (server address and port; a
 *   port alone when many servers share it), never by the client's port, which the next capture
 *   picks anew: how many connections, what every one of them shows, and how they split when they
 *   differ ("outcomes"; a "sequence" when the client made them one after another, so their order
 *   is its behaviour and not a race). A capture of hundreds of connections becomes a few rules.
 * - Keys are written in one fixed order; selectors on one line, one expectation per line, one
 *   outcome per line.
 */
import { endpointText } from '../model/endpoint.js';
import { parseEndpointPattern, type EndpointPattern } from './address.js';
import { holds, type Expectation, type Expectations, type Outcome, type Rule, type Selector, type ServiceSelector } from './expectations.js';
import { counterValue, matchSequence, selectConnections, selectService } from './evaluate.js';
import { CONNECTION_FIELDS, counterRank, expectPathRank, POLICIES, VERDICT_FIELDS, type Scalar } from './vocabulary.js';
import { EVENT_KINDS } from '../model/events.js';
import type { ConnectionReport, Report } from '../model/report.js';
import { CLOSE_KINDS, HANDSHAKE_KINDS } from '../model/vocabulary.js';
import { assertNever } from '../util/assert.js';

export interface BaselineOptions {
  /** Captures to record in a new file (paths relative to the expectations file). Existing files keep theirs. */
  captures?: string[];
  /** Description for a new file. */
  description?: string;
  /** Write one rule per uncovered connection, selected by its endpoints, instead of rules per service. */
  perConnection?: boolean;
  /** Above this many uncovered connections no per-connection rules are appended (counts still are). Default 200. */
  maxNewRules?: number;
}

export interface BaselineResult {
  text: string;
  /** What changed, one line each, for the user to read before committing. */
  changes: string[];
}

/** The fields a new connection rule records: the verdict, and Zeek's name for it. */
const NEW_RULE_FIELDS = [...VERDICT_FIELDS, 'zeek.connState'];

type Entry = [key: string, value: Scalar];

interface OutOutcome {
  count: Scalar;
  entries: Entry[];
}

interface OutService {
  selector: ServiceSelector;
  connections: Scalar | null;
  every: Entry[];
  outcomes: OutOutcome[] | null;
  sequence: OutOutcome[] | null;
}

interface OutRule {
  head: 'select' | 'capture' | 'policy' | 'service';
  select?: Selector;
  service?: OutService;
  policy?: string;
  note?: string;
  entries?: Entry[];
}

function observed(conns: readonly ConnectionReport[], path: string): Scalar | undefined {
  const spec = CONNECTION_FIELDS.get(path);
  if (!spec) return undefined;
  const values: Scalar[] = [];
  for (const c of conns) {
    const v = spec.get(c);
    if (!values.includes(v)) values.push(v);
  }
  if (values.length === 1) return values[0] as Scalar;
  // Several connections under one selector disagree: record the set ("in a|b").
  const tokens: string[] = [];
  for (const v of values) {
    if (typeof v === 'string') {
      if (v.includes('|')) return undefined;
      tokens.push(v === 'null' || v === 'true' || v === 'false' || /^[-\d.]/.test(v) || v.trim() !== v ? JSON.stringify(v) : v);
    } else tokens.push(String(v));
  }
  return `in ${tokens.join('|')}`;
}

function sortEntries(entries: Entry[], rank: (k: string) => number): Entry[] {
  return [...entries].sort((a, b) => rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function rewriteSelect(rule: Extract<Rule, { type: 'select' }>, conns: readonly ConnectionReport[], changes: string[]): Entry[] {
  const entries: Entry[] = [];
  for (const x of rule.expect) {
    const spec = CONNECTION_FIELDS.get(x.path);
    if (!spec) continue;
    if (conns.every((c) => holds(x.comparison, spec.get(c)))) {
      entries.push([x.path, x.raw]);
      continue;
    }
    const v = observed(conns, x.path);
    if (v === undefined) {
      changes.push(`rule ${rule.index + 1}: dropped ${x.path} (the selected connections disagree and the values cannot be listed)`);
      continue;
    }
    changes.push(`rule ${rule.index + 1}: ${x.path} ${JSON.stringify(x.raw)} → ${JSON.stringify(v)}`);
    entries.push([x.path, v]);
  }
  return sortEntries(entries, expectPathRank);
}

function rewriteCounts(report: Report, rule: Extract<Rule, { type: 'capture' }>, changes: string[]): Entry[] {
  const entries: Entry[] = rule.counts.map((x: Expectation): Entry => {
    const { value } = counterValue(report, x.path);
    if (holds(x.comparison, value)) return [x.path, x.raw];
    changes.push(`rule ${rule.index + 1}: ${x.path} ${JSON.stringify(x.raw)} → ${value}`);
    return [x.path, value];
  });
  return sortEntries(entries, counterRank);
}

function connectionEntries(c: ConnectionReport): Entry[] {
  const entries: Entry[] = [];
  for (const path of NEW_RULE_FIELDS) entries.push([path, (CONNECTION_FIELDS.get(path) as { get: (c: ConnectionReport) => Scalar }).get(c)]);
  const counts = new Map<string, number>();
  for (const e of c.events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  for (const k of EVENT_KINDS) {
    const n = counts.get(k);
    if (n) entries.push([`events.${k}`, n]);
  }
  return sortEntries(entries, expectPathRank);
}

function captureEntries(report: Report): Entry[] {
  const entries: Entry[] = [['connections', report.connections.length]];
  for (const k of HANDSHAKE_KINDS) {
    const n = counterValue(report, `handshake.${k}`).value;
    if (n) entries.push([`handshake.${k}`, n]);
  }
  for (const k of CLOSE_KINDS) {
    const n = counterValue(report, `close.${k}`).value;
    if (n) entries.push([`close.${k}`, n]);
  }
  return entries;
}

export function writeBaseline(report: Report, existing: Expectations | null, options: BaselineOptions = {}): BaselineResult {
  const changes: string[] = [];
  const rules: OutRule[] = [];
  const covered = new Set<ConnectionReport>();

  for (const rule of existing?.rules ?? []) {
    const n = rule.index + 1;
    switch (rule.type) {
      case 'select': {
        const conns = selectConnections(report, rule.selector);
        if (conns.length === 0) {
          const asService = serviceOfPinned(rule, report, rules);
          if (asService) {
            for (const c of asService.conns) covered.add(c);
            rules.push({ head: 'service', service: rewriteService(asService.rule, asService.conns, changes), ...(rule.note !== undefined ? { note: rule.note } : {}) });
            changes.push(
              `rule ${n}: selected client port ${rule.selector.by === 'endpoints' ? rule.selector.client?.port : ''}, which a new capture changes: now ${asService.rule.selector.service.text}${asService.rule.selector.client ? ` from client ${asService.rule.selector.client.text}` : ''}, its expectations kept`,
            );
            continue;
          }
          changes.push(`rule ${n}: removed, its selector matches no connection now`);
          continue;
        }
        if (rule.selector.by !== 'all') for (const c of conns) covered.add(c);
        rules.push({ head: 'select', select: rule.selector, ...(rule.note !== undefined ? { note: rule.note } : {}), entries: rewriteSelect(rule, conns, changes) });
        break;
      }
      case 'service': {
        const conns = selectService(report, rule.selector);
        if (conns.length === 0) {
          changes.push(`rule ${n}: removed, no connection to ${rule.selector.service.text} now`);
          continue;
        }
        for (const c of conns) covered.add(c);
        rules.push({ head: 'service', service: rewriteService(rule, conns, changes), ...(rule.note !== undefined ? { note: rule.note } : {}) });
        break;
      }
      case 'capture':
        rules.push({ head: 'capture', ...(rule.note !== undefined ? { note: rule.note } : {}), entries: rewriteCounts(report, rule, changes) });
        break;
      case 'policy': {
        const broken = report.connections.filter((c) => POLICIES[rule.policy].check(c) !== null);
        if (broken.length) {
          changes.push(`rule ${n}: removed policy ${rule.policy}, broken by ${broken.length} connection${broken.length === 1 ? '' : 's'} (first: #${broken[0]?.id})`);
          continue;
        }
        rules.push({ head: 'policy', policy: rule.policy, ...(rule.note !== undefined ? { note: rule.note } : {}) });
        break;
      }
      default:
        assertNever(rule, 'rule');
    }
  }

  if (!existing) {
    rules.push({ head: 'capture', entries: options.perConnection ? captureEntries(report) : [['connections', report.connections.length]] });
  }

  const uncovered = report.connections.filter((c) => !covered.has(c));
  const max = options.maxNewRules ?? 200;
  if (!options.perConnection) {
    for (const [selector, conns] of servicesOf(uncovered)) {
      rules.push({ head: 'service', service: newService(selector, conns) });
      changes.push(`added a rule for ${selector.service.text}: ${conns.length} connection${conns.length === 1 ? '' : 's'}`);
    }
  } else if (uncovered.length > max) {
    changes.push(`${uncovered.length} connections have no rule of their own; more than ${max}, so none were added (the capture counts cover them)`);
  } else if (uncovered.length) {
    // Connections sharing client and server endpoints, in id order, for "nth".
    const byPair = new Map<string, ConnectionReport[]>();
    for (const c of [...report.connections].sort((a, b) => a.id - b.id)) {
      const k = `${endpointText(c.client.ip, c.client.port)} ${endpointText(c.server.ip, c.server.port)}`;
      const list = byPair.get(k);
      if (list) list.push(c);
      else byPair.set(k, [c]);
    }
    for (const c of uncovered) {
      const pair = byPair.get(`${endpointText(c.client.ip, c.client.port)} ${endpointText(c.server.ip, c.server.port)}`) ?? [c];
      const client = endpointText(c.client.ip, c.client.port);
      const server = endpointText(c.server.ip, c.server.port);
      const select: Selector = {
        by: 'endpoints',
        client: { ip: null, port: null, text: client },
        server: { ip: null, port: null, text: server },
        nth: pair.length > 1 ? pair.indexOf(c) + 1 : null,
      };
      rules.push({ head: 'select', select, entries: connectionEntries(c) });
      changes.push(`added a rule for connection #${c.id} ${client} → ${server}`);
    }
  }

  const description = existing ? existing.description : options.description;
  const captures = existing ? existing.captures : options.captures;
  return { text: serialize(description, captures, rules), changes };
}

// ---------------------------------------------------------------- services

/** What a service rule written by `--update` records of each connection: how it opened and ended. */
const SERVICE_FIELDS = VERDICT_FIELDS;
/** A port with more server addresses than this is one service by its port alone (a server pool). */
const MAX_SERVERS_PER_PORT = 3;
/**
 * Where systems pick ports for their side of a connection (IANA's dynamic ports start at 49152,
 * Linux' ip_local_port_range at 32768). A server address with several of its own ports in here is
 * taking connections on ports it picked (FTP passive data connections): one service over the
 * range, since the next capture has other ports.
 */
const PICKED_PORTS = { low: 32768, high: 65535 } as const;
/** A sequence of more runs than this is written as outcomes (counts in any order) instead. */
const MAX_SEQUENCE_RUNS = 4;

const endpointPattern = (text: string): EndpointPattern => parseEndpointPattern(text) as EndpointPattern;
const valueOf = (c: ConnectionReport, path: string): Scalar => (CONNECTION_FIELDS.get(path) as { get: (c: ConnectionReport) => Scalar }).get(c);

/**
 * Connections grouped per service, in the order each service was first seen: by server address and
 * port, or by the port alone when more than a few server addresses share it.
 */
function servicesOf(conns: readonly ConnectionReport[]): [ServiceSelector, ConnectionReport[]][] {
  const serversByPort = new Map<number, Set<string>>();
  const pickedByServer = new Map<string, Set<number>>();
  const picked = (port: number): boolean => port >= PICKED_PORTS.low && port <= PICKED_PORTS.high;
  for (const c of conns) {
    const set = serversByPort.get(c.server.port) ?? new Set<string>();
    set.add(c.server.ip);
    serversByPort.set(c.server.port, set);
    if (picked(c.server.port)) {
      const ports = pickedByServer.get(c.server.ip) ?? new Set<number>();
      ports.add(c.server.port);
      pickedByServer.set(c.server.ip, ports);
    }
  }
  const groups = new Map<string, ConnectionReport[]>();
  for (const c of [...conns].sort((a, b) => a.start - b.start || a.id - b.id)) {
    const byPort = (serversByPort.get(c.server.port)?.size ?? 0) > MAX_SERVERS_PER_PORT;
    const pickedRange = picked(c.server.port) && (pickedByServer.get(c.server.ip)?.size ?? 0) > 1;
    const key = pickedRange
      ? `${endpointText(c.server.ip, 0).replace(/:0$/, '')}:${PICKED_PORTS.low}-${PICKED_PORTS.high}`
      : byPort
        ? `:${c.server.port}`
        : endpointText(c.server.ip, c.server.port);
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.entries()].map(([key, list]) => [{ service: endpointPattern(key), client: null }, list]);
}

/** Whether each connection started after the one before it ended: one client's steps, in order. */
function oneAfterAnother(conns: readonly ConnectionReport[]): boolean {
  for (let i = 1; i < conns.length; i++) {
    const prev = conns[i - 1] as ConnectionReport;
    if ((conns[i] as ConnectionReport).start < prev.start + prev.duration) return false;
  }
  return true;
}

const signature = (c: ConnectionReport, paths: readonly string[]): string => JSON.stringify(paths.map((p) => valueOf(c, p)));
const entriesOf = (c: ConnectionReport, paths: readonly string[]): Entry[] => paths.map((p): Entry => [p, valueOf(c, p)]);

/** Consecutive runs of connections alike on these paths. */
function runsOf(conns: readonly ConnectionReport[], paths: readonly string[]): OutOutcome[] {
  const runs: { sig: string; first: ConnectionReport; n: number }[] = [];
  for (const c of conns) {
    const sig = signature(c, paths);
    const last = runs[runs.length - 1];
    if (last && last.sig === sig) last.n++;
    else runs.push({ sig, first: c, n: 1 });
  }
  return runs.map((r) => ({ count: r.n, entries: entriesOf(r.first, paths) }));
}

/** Connections grouped by what they show on these paths, largest group first. */
function outcomesOf(conns: readonly ConnectionReport[], paths: readonly string[]): OutOutcome[] {
  const bySig = new Map<string, { first: ConnectionReport; n: number }>();
  for (const c of conns) {
    const sig = signature(c, paths);
    const g = bySig.get(sig);
    if (g) g.n++;
    else bySig.set(sig, { first: c, n: 1 });
  }
  return [...bySig.values()].sort((a, b) => b.n - a.n).map((g) => ({ count: g.n, entries: entriesOf(g.first, paths) }));
}

function varying(conns: readonly ConnectionReport[], paths: readonly string[]): string[] {
  return paths.filter((p) => new Set(conns.map((c) => JSON.stringify(valueOf(c, p)))).size > 1);
}

/** The body of a new service rule: the count, what all share, and how the rest splits. */
function newService(selector: ServiceSelector, conns: readonly ConnectionReport[]): OutService {
  const differ = varying(conns, SERVICE_FIELDS);
  const every = entriesOf(conns[0] as ConnectionReport, SERVICE_FIELDS.filter((p) => !differ.includes(p)));
  const out: OutService = { selector, connections: conns.length, every, outcomes: null, sequence: null };
  if (differ.length) {
    const runs = runsOf(conns, differ);
    if (oneAfterAnother(conns) && runs.length <= MAX_SEQUENCE_RUNS) out.sequence = runs;
    else out.outcomes = outcomesOf(conns, differ);
  }
  return out;
}

const fits = (c: ConnectionReport, where: readonly Expectation[]): boolean => where.every((x) => holds(x.comparison, valueOf(c, x.path)));

/** Whether outcomes as written still describe these connections: every count holds, every connection fits one. */
function outcomesHold(conns: readonly ConnectionReport[], outcomes: readonly Outcome[]): boolean {
  return (
    outcomes.every((o) => holds(o.count.comparison, conns.filter((c) => fits(c, o.where)).length)) &&
    conns.every((c) => outcomes.some((o) => fits(c, o.where)))
  );
}

const sequenceHolds = (conns: readonly ConnectionReport[], sequence: readonly Outcome[]): boolean => matchSequence(conns, sequence) === null;

const keptOutcomes = (list: readonly Outcome[]): OutOutcome[] => list.map((o) => ({ count: o.count.raw, entries: o.where.map((x): Entry => [x.path, x.raw]) }));

/** Paths that name one capture's connection rather than its behaviour. */
const CAPTURE_SPECIFIC_PATHS = new Set(['id', 'client.port', 'firstFrame', 'lastFrame', 'firstFile', 'lastFile', 'start', 'duration', 'displayFilter']);

/**
 * A rule that selected one connection by its client port (as files written before service rules
 * did) and matches nothing in a new capture: the same expectations as a service rule, selected by
 * the server and the client's address, when that finds the connection. Not for "nth" (a 4-tuple
 * reused) nor when an earlier rule already describes that service.
 */
function serviceOfPinned(
  rule: Extract<Rule, { type: 'select' }>,
  report: Report,
  written: readonly OutRule[],
): { rule: Extract<Rule, { type: 'service' }>; conns: ConnectionReport[] } | null {
  const s = rule.selector;
  if (s.by !== 'endpoints' || s.nth !== null || !s.server || !s.client || s.client.port === null) return null;
  const clientText = s.client.text.startsWith('[') ? s.client.text.slice(1, s.client.text.indexOf(']')) : s.client.text.slice(0, s.client.text.lastIndexOf(':'));
  const selector: ServiceSelector = { service: s.server, client: s.client.ip === null ? null : endpointPattern(clientText) };
  const same = (o: OutRule): boolean => o.head === 'service' && o.service?.selector.service.text === selector.service.text && o.service.selector.client?.text === selector.client?.text;
  if (written.some(same)) return null;
  const conns = selectService(report, selector);
  if (conns.length === 0) return null;
  const count: Expectation = { path: 'connections', comparison: { op: '==', value: conns.length }, raw: conns.length, pos: rule.pos };
  return {
    rule: { type: 'service', index: rule.index, pos: rule.pos, selector, connections: count, every: rule.expect.filter((x) => !CAPTURE_SPECIFIC_PATHS.has(x.path)), outcomes: null, sequence: null },
    conns,
  };
}

/**
 * An existing service rule brought up to date: its paths stay the ones its author chose; values
 * that still hold stay as written; a path of "every" on which the connections now differ moves to
 * the outcomes (or the sequence), which are written anew when they no longer hold.
 */
function rewriteService(rule: Extract<Rule, { type: 'service' }>, conns: readonly ConnectionReport[], changes: string[]): OutService {
  const n = rule.index + 1;
  let connections: Scalar | null = null;
  if (rule.connections) {
    if (holds(rule.connections.comparison, conns.length)) connections = rule.connections.raw;
    else {
      connections = conns.length;
      changes.push(`rule ${n}: connections ${JSON.stringify(rule.connections.raw)} → ${conns.length}`);
    }
  }
  const every: Entry[] = [];
  const moved: string[] = [];
  for (const x of rule.every) {
    if (conns.every((c) => holds(x.comparison, valueOf(c, x.path)))) {
      every.push([x.path, x.raw]);
      continue;
    }
    if (varying(conns, [x.path]).length === 0) {
      const v = valueOf(conns[0] as ConnectionReport, x.path);
      changes.push(`rule ${n}: every ${x.path} ${JSON.stringify(x.raw)} → ${JSON.stringify(v)}`);
      every.push([x.path, v]);
    } else {
      moved.push(x.path);
      changes.push(`rule ${n}: ${x.path} differs between the connections now: moved from "every" to ${rule.sequence ? '"sequence"' : '"outcomes"'}`);
    }
  }
  const out: OutService = { selector: rule.selector, connections, every: sortEntries(every, expectPathRank), outcomes: null, sequence: null };
  const pathsOf = (list: readonly Outcome[] | null): string[] => [...new Set([...(list ?? []).flatMap((o) => o.where.map((x) => x.path)), ...moved])].sort((a, b) => expectPathRank(a) - expectPathRank(b));
  if (rule.sequence || (moved.length && !rule.outcomes && oneAfterAnother(conns))) {
    if (rule.sequence && !moved.length && sequenceHolds(conns, rule.sequence)) out.sequence = keptOutcomes(rule.sequence);
    else {
      out.sequence = runsOf(conns, pathsOf(rule.sequence));
      changes.push(`rule ${n}: sequence rewritten from the capture (${out.sequence.length} entr${out.sequence.length === 1 ? 'y' : 'ies'})`);
    }
  }
  if (rule.outcomes || (moved.length && !out.sequence)) {
    if (rule.outcomes && !moved.length && outcomesHold(conns, rule.outcomes)) out.outcomes = keptOutcomes(rule.outcomes);
    else {
      out.outcomes = outcomesOf(conns, pathsOf(rule.outcomes));
      changes.push(`rule ${n}: outcomes rewritten from the capture (${out.outcomes.length})`);
    }
  }
  return out;
}

// ---------------------------------------------------------------- serialization

const q = (s: string): string => JSON.stringify(s);
const scalar = (v: Scalar): string => (typeof v === 'string' ? q(v) : String(v));

function selectorJson(s: Selector): string {
  switch (s.by) {
    case 'all':
      return q('all');
    case 'id':
      return `{ "id": ${s.id} }`;
    case 'endpoints': {
      const parts: string[] = [];
      if (s.client) parts.push(`"client": ${q(s.client.text)}`);
      if (s.server) parts.push(`"server": ${q(s.server.text)}`);
      if (s.nth !== null) parts.push(`"nth": ${s.nth}`);
      return `{ ${parts.join(', ')} }`;
    }
    default:
      return assertNever(s, 'selector');
  }
}

function inline(entries: readonly Entry[]): string {
  return entries.map(([k, v]) => `${q(k)}: ${scalar(v)}`).join(', ');
}

function serviceLines(s: OutService, note: string | undefined, ind: string): string[] {
  const lines = [`${ind}"service": ${q(s.selector.service.text)}`];
  if (s.selector.client) lines.push(`${ind}"client": ${q(s.selector.client.text)}`);
  if (note !== undefined) lines.push(`${ind}"note": ${q(note)}`);
  if (s.connections !== null) lines.push(`${ind}"connections": ${scalar(s.connections)}`);
  if (s.every.length) lines.push(`${ind}"every": ${block(s.every, ind)}`);
  for (const [key, list] of [
    ['outcomes', s.outcomes],
    ['sequence', s.sequence],
  ] as const) {
    if (!list) continue;
    const items = list.map((o) => `${ind}  { "connections": ${scalar(o.count)}${o.entries.length ? `, ${inline(o.entries)}` : ''} }`);
    lines.push(`${ind}${q(key)}: [\n${items.join(',\n')}\n${ind}]`);
  }
  return lines;
}

function block(entries: readonly Entry[], indent: string): string {
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${indent}  ${q(k)}: ${scalar(v)}`).join(',\n')}\n${indent}}`;
}

function serialize(description: string | undefined, captures: string[] | undefined, rules: readonly OutRule[]): string {
  const top: string[] = [];
  if (description !== undefined) top.push(`  "description": ${q(description)}`);
  if (captures !== undefined) top.push(`  "captures": [${captures.map(q).join(', ')}]`);
  const ruleTexts = rules.map((r) => {
    const ind = '      ';
    if (r.head === 'policy' && r.note === undefined) return `    { "policy": ${q(r.policy ?? '')} }`;
    if (r.head === 'service') return `    {\n${serviceLines(r.service as OutService, r.note, ind).join(',\n')}\n    }`;
    const lines: string[] = [];
    switch (r.head) {
      case 'select':
        lines.push(`${ind}"select": ${selectorJson(r.select as Selector)}`);
        break;
      case 'capture':
        lines.push(`${ind}"capture": ${block(r.entries ?? [], ind)}`);
        break;
      case 'policy':
        lines.push(`${ind}"policy": ${q(r.policy ?? '')}`);
        break;
      default:
        assertNever(r.head, 'rule head');
    }
    if (r.note !== undefined) lines.push(`${ind}"note": ${q(r.note)}`);
    if (r.head === 'select') lines.push(`${ind}"expect": ${block(r.entries ?? [], ind)}`);
    return `    {\n${lines.join(',\n')}\n    }`;
  });
  top.push(rules.length ? `  "rules": [\n${ruleTexts.join(',\n')}\n  ]` : `  "rules": []`);
  return `{\n${top.join(',\n')}\n}\n`;
}
