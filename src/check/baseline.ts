/**
 * `tcpshake check --update`: write the expectations the capture shows now, as a new baseline whose
 * diff reads well in review.
 *
 * - Existing rules keep their selectors, notes and order. Each value is kept as written when it
 *   still holds (so "<= 1" stays "<= 1") and otherwise replaced by what the capture shows.
 * - A select rule whose selector now matches nothing, or a policy that no longer holds, is dropped
 *   (and said so in `changes`), so that the new file passes against the capture it came from.
 * - Connections no existing client/server/id rule covers get a rule appended, selected by their
 *   client and server endpoints ("nth" tells apart connections reusing one 4-tuple).
 * - Keys are written in one fixed order; selectors on one line, one expectation per line.
 */
import { formatEndpoint } from './address.js';
import { holds, type Expectation, type Expectations, type Rule, type Selector } from './expectations.js';
import { counterValue, selectConnections } from './evaluate.js';
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

interface OutRule {
  head: 'select' | 'capture' | 'policy';
  select?: Selector;
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
          changes.push(`rule ${n}: removed, its selector matches no connection now`);
          continue;
        }
        if (rule.selector.by !== 'all') for (const c of conns) covered.add(c);
        rules.push({ head: 'select', select: rule.selector, ...(rule.note !== undefined ? { note: rule.note } : {}), entries: rewriteSelect(rule, conns, changes) });
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
    rules.push({ head: 'capture', entries: captureEntries(report) });
  }

  const uncovered = report.connections.filter((c) => !covered.has(c));
  const max = options.maxNewRules ?? 200;
  if (uncovered.length > max) {
    changes.push(`${uncovered.length} connections have no rule of their own; more than ${max}, so none were added (the capture counts cover them)`);
  } else if (uncovered.length) {
    // Connections sharing client and server endpoints, in id order, for "nth".
    const byPair = new Map<string, ConnectionReport[]>();
    for (const c of [...report.connections].sort((a, b) => a.id - b.id)) {
      const k = `${formatEndpoint(c.client)} ${formatEndpoint(c.server)}`;
      const list = byPair.get(k);
      if (list) list.push(c);
      else byPair.set(k, [c]);
    }
    for (const c of uncovered) {
      const pair = byPair.get(`${formatEndpoint(c.client)} ${formatEndpoint(c.server)}`) ?? [c];
      const client = formatEndpoint(c.client);
      const server = formatEndpoint(c.server);
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
