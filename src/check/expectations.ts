/**
 * The expectations file of `tcpshake check`: what a user asserts about the connections of a capture.
 * `loadExpectations` validates the whole file against the vocabulary and reports every problem with
 * the line and column of the offending key or value, so a CI log points straight at it.
 */
import { parseEndpointPattern, type EndpointPattern } from './address.js';
import { parseJsonWithPositions, type JsonEntry, type JsonNode, type Position } from './json.js';
import { CAPTURE_COUNTERS, CONNECTION_FIELDS, POLICIES, POLICY_NAMES, closest, type FieldType, type PolicyName, type Scalar } from './vocabulary.js';
import { ENDPOINT_STATES } from '../model/vocabulary.js';
import { assertNever } from '../util/assert.js';

export type Comparison =
  | { op: '==' | '!='; value: Scalar }
  | { op: '<' | '<=' | '>' | '>='; value: number }
  | { op: 'in'; values: Scalar[] }
  /** `"10..14"`, `"12 ± 2"` or `"12 ± 10%"`: a number from min to max, both included. */
  | { op: 'range'; min: number; max: number; text: string };

export interface Expectation {
  /** A connection path (`close.kind`) or, in a capture rule, a counter key (`close.three_way`). */
  path: string;
  comparison: Comparison;
  /** The value exactly as written (a literal or the comparison string), kept by `--update` when it still holds. */
  raw: Scalar;
  pos: Position;
}

export type Selector =
  | { by: 'all' }
  | { by: 'id'; id: number }
  | { by: 'endpoints'; client: EndpointPattern | null; server: EndpointPattern | null; nth: number | null };

/**
 * A group of a service's connections that behave alike: how many (`count`, a comparison over the
 * number of connections) and what holds for each of them (`where`).
 */
export interface Outcome {
  count: Expectation;
  where: Expectation[];
  pos: Position;
}

/**
 * What a service rule selects: the connections whose server is `service` (ip:port, :port or ip), and
 * whose client matches `client` when given. Ports a capture picks anew (the client's) are never
 * part of it unless the user writes one.
 */
export interface ServiceSelector {
  service: EndpointPattern;
  client: EndpointPattern | null;
}

interface RuleBase {
  /** 0-based position in `rules`. */
  index: number;
  pos: Position;
  note?: string;
}

export type Rule =
  | (RuleBase & { type: 'select'; selector: Selector; expect: Expectation[] })
  | (RuleBase & {
      type: 'service';
      selector: ServiceSelector;
      /** How many connections the service has (a comparison over the number). */
      connections: Expectation | null;
      /** What holds for every one of its connections. */
      every: Expectation[];
      /** How its connections split by behaviour, in any order; every connection must fit one. */
      outcomes: Outcome[] | null;
      /** Its connections in the order they started, as consecutive runs. */
      sequence: Outcome[] | null;
    })
  | (RuleBase & { type: 'capture'; counts: Expectation[] })
  | (RuleBase & { type: 'policy'; policy: PolicyName });

export interface Expectations {
  fileName: string;
  description?: string;
  /** Capture paths as written (relative to the expectations file). */
  captures?: string[];
  rules: Rule[];
}

export interface ExpectationsProblem extends Position {
  file: string;
  message: string;
}

export type LoadResult = { ok: true; expectations: Expectations } | { ok: false; errors: ExpectationsProblem[] };

export function formatProblem(p: ExpectationsProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

// ---------------------------------------------------------------- comparisons

const OP_RE = /^\s*(==|!=|<=|>=|<|>)\s*(.*?)\s*$/s;
const IN_RE = /^\s*in\s+(.*?)\s*$/s;
const NUMBER = '(-?\\d+(?:\\.\\d+)?)';
/** `10..14`: from 10 to 14, both included. */
const RANGE_RE = new RegExp(`^\\s*${NUMBER}\\s*\\.\\.\\s*${NUMBER}\\s*$`);
/** `12 ± 2`, `12 +- 2`, `12 ± 10%`: a tolerance around a value, absolute or in percent of it. */
const TOLERANCE_RE = new RegExp(`^\\s*${NUMBER}\\s*(?:±|\\+-|\\+/-)\\s*(\\d+(?:\\.\\d+)?)\\s*(%?)\\s*$`);

/** Whether a string value is written as a comparison rather than a literal. */
export function looksLikeComparison(s: string): boolean {
  return OP_RE.test(s) || IN_RE.test(s) || RANGE_RE.test(s) || TOLERANCE_RE.test(s);
}

/** A range or tolerance written for a number: the range, an error message, or null when it is neither. */
function parseRange(raw: string, f: FieldType, path: string): Comparison | string | null {
  const r = RANGE_RE.exec(raw);
  const t = r ? null : TOLERANCE_RE.exec(raw);
  if (!r && !t) return null;
  if (f.type !== 'number') return `"${raw.trim()}" is a range of numbers, but ${path} is ${typeName(f)}`;
  if (r) {
    const min = Number(r[1]);
    const max = Number(r[2]);
    if (min > max) return `bad range "${raw.trim()}" for ${path}: write the smaller number first`;
    return { op: 'range', min, max, text: raw.trim() };
  }
  const m = t as RegExpExecArray;
  const centre = Number(m[1]);
  const amount = Number(m[2]);
  const spread = m[3] === '%' ? (Math.abs(centre) * amount) / 100 : amount;
  return { op: 'range', min: centre - spread, max: centre + spread, text: raw.trim() };
}

function typeName(f: FieldType): string {
  switch (f.type) {
    case 'number':
    case 'boolean':
    case 'string':
      return f.type + (f.nullable ? ' or null' : '');
    case 'enum':
      return `one of ${f.values.join(', ')}${f.nullable ? ' or null' : ''}`;
    case 'states':
      return 'state names joined by " > "';
    default:
      return assertNever(f, 'field type');
  }
}

/** Checks a literal against the field's type; returns an error message or null. */
function checkLiteral(v: Scalar, f: FieldType, path: string): string | null {
  if (v === null) return f.nullable ? null : `${path} is never null (expected ${typeName(f)})`;
  switch (f.type) {
    case 'number':
      return typeof v === 'number' ? null : `${path} is a number: expected a number or a comparison such as "<= 2", got ${JSON.stringify(v)}`;
    case 'boolean':
      return typeof v === 'boolean' ? null : `${path} is true or false, got ${JSON.stringify(v)}`;
    case 'string':
      return typeof v === 'string' ? null : `${path} is a string, got ${JSON.stringify(v)}`;
    case 'enum': {
      if (typeof v !== 'string') return `${path} is ${typeName(f)}, got ${JSON.stringify(v)}`;
      if (f.values.includes(v)) return null;
      const hint = closest(v, f.values);
      return `unknown value "${v}" for ${path}${hint ? ` (did you mean "${hint}"?)` : ''}; expected ${typeName(f)}`;
    }
    case 'states': {
      if (typeof v !== 'string') return `${path} is a string of ${typeName(f)}, got ${JSON.stringify(v)}`;
      if (v.trim() === '') return null;
      for (const part of v.split('>').map((s) => s.trim())) {
        if (!(ENDPOINT_STATES as readonly string[]).includes(part)) {
          const hint = closest(part, ENDPOINT_STATES);
          return `unknown state "${part}" in ${path}${hint ? ` (did you mean "${hint}"?)` : ''}`;
        }
      }
      return null;
    }
    default:
      return assertNever(f, 'field type');
  }
}

/** An operand token of a comparison string, read according to the field's type. */
function operand(token: string, f: FieldType): Scalar {
  const t = token.trim();
  const unq = t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : null;
  if (unq !== null) return unq;
  if (t === 'null') return null;
  switch (f.type) {
    case 'number':
      return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
    case 'boolean':
      return t === 'true' ? true : t === 'false' ? false : t;
    case 'string':
    case 'enum':
    case 'states':
      return t;
    default:
      return assertNever(f, 'field type');
  }
}

/** Reads a value of an `expect` (or capture) entry: a literal, or a comparison string. */
export function parseComparison(raw: Scalar, f: FieldType, path: string): Comparison | string {
  if (typeof raw === 'string') {
    const range = parseRange(raw, f, path);
    if (range !== null) return range;
    const m = OP_RE.exec(raw);
    if (m) {
      const op = m[1] as '==' | '!=' | '<' | '<=' | '>' | '>=';
      const text = m[2] as string;
      if (text === '') return `comparison "${raw}" for ${path} has no value after "${op}"`;
      const v = operand(text, f);
      if (op === '==' || op === '!=') {
        const err = checkLiteral(v, f, path);
        return err ?? { op, value: v };
      }
      if (f.type !== 'number') return `"${op}" compares numbers, but ${path} is ${typeName(f)}`;
      if (typeof v !== 'number') return `bad comparison "${raw}" for ${path}: "${text}" is not a number`;
      return { op, value: v };
    }
    const inm = IN_RE.exec(raw);
    if (inm) {
      const items = (inm[1] as string).split('|').map((s) => s.trim());
      if (items.some((s) => s === '')) return `bad comparison "${raw}" for ${path}: write "in a|b|c"`;
      const values: Scalar[] = [];
      for (const item of items) {
        const v = operand(item, f);
        const err = checkLiteral(v, f, path);
        if (err) return `in "${raw}": ${err}`;
        values.push(v);
      }
      return { op: 'in', values };
    }
    if (/^\s*(=|!|<>|=<|=>|≤|≥|in\b)/.test(raw) || (f.type === 'number' && /\.\.|±|\+-/.test(raw))) {
      return `bad comparison "${raw}" for ${path}: use "== x", "!= x", "< n", "<= n", "> n", ">= n", "in a|b|c", "10..14", "12 ± 2" or "12 ± 10%"`;
    }
  }
  const err = checkLiteral(raw, f, path);
  return err ?? { op: '==', value: raw };
}

export function holds(c: Comparison, seen: Scalar): boolean {
  switch (c.op) {
    case '==':
      return seen === c.value;
    case '!=':
      return seen !== c.value;
    case '<':
      return typeof seen === 'number' && seen < c.value;
    case '<=':
      return typeof seen === 'number' && seen <= c.value;
    case '>':
      return typeof seen === 'number' && seen > c.value;
    case '>=':
      return typeof seen === 'number' && seen >= c.value;
    case 'in':
      return c.values.includes(seen);
    case 'range':
      return typeof seen === 'number' && seen >= c.min && seen <= c.max;
    default:
      return assertNever(c, 'comparison');
  }
}

/** The largest whole number a comparison over a count lets through (Infinity when unbounded). */
export function countCeiling(c: Comparison): number {
  switch (c.op) {
    case '==':
      return typeof c.value === 'number' ? c.value : 0;
    case '<=':
      return Math.floor(c.value);
    case '<':
      return Math.ceil(c.value) - 1;
    case 'range':
      return Math.floor(c.max);
    case 'in':
      return Math.max(0, ...c.values.map((v) => (typeof v === 'number' ? v : 0)));
    case '!=':
    case '>':
    case '>=':
      return Infinity;
    default:
      return assertNever(c, 'comparison');
  }
}

export function formatScalar(v: Scalar): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** How a comparison reads in messages: `"three_way"`, `<= 1`, `in "a" | "b"`. */
export function formatComparison(c: Comparison): string {
  switch (c.op) {
    case '==':
      return formatScalar(c.value);
    case '!=':
      return `!= ${formatScalar(c.value)}`;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return `${c.op} ${c.value}`;
    case 'in':
      return `one of ${c.values.map(formatScalar).join(', ')}`;
    case 'range': {
      const exact = `${c.min}..${c.max}`;
      return c.text === exact ? exact : `${c.text} (${+c.min.toFixed(3)}..${+c.max.toFixed(3)})`;
    }
    default:
      return assertNever(c, 'comparison');
  }
}

// ---------------------------------------------------------------- loading

const COUNTER_FIELD: FieldType = { type: 'number', nullable: false };

function kindOf(n: JsonNode): string {
  switch (n.type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'string':
      return `a string (${JSON.stringify(n.value)})`;
    case 'number':
      return `a number (${n.value})`;
    case 'boolean':
      return `${n.value}`;
    case 'null':
      return 'null';
    default:
      return assertNever(n, 'JSON node');
  }
}

export function loadExpectations(text: string, fileName: string): LoadResult {
  const errors: ExpectationsProblem[] = [];
  const problem = (at: Position, message: string): void => {
    errors.push({ file: fileName, line: at.line, column: at.column, message });
  };
  const parsed = parseJsonWithPositions(text);
  if (!parsed.ok) {
    return { ok: false, errors: [{ file: fileName, ...parsed.error, message: `invalid JSON: ${parsed.error.message}` }] };
  }
  const root = parsed.node;
  if (root.type !== 'object') {
    problem(root, `the expectations file must be a JSON object with "rules", found ${kindOf(root)}`);
    return { ok: false, errors };
  }

  const out: Expectations = { fileName, rules: [] };
  let rulesSeen = false;
  for (const e of root.entries) {
    switch (e.key) {
      case '$schema':
        break;
      case 'description':
        if (e.value.type === 'string') out.description = e.value.value;
        else problem(e.value, `"description" must be a string, found ${kindOf(e.value)}`);
        break;
      case 'captures':
        if (e.value.type !== 'array') {
          problem(e.value, `"captures" must be an array of file paths, found ${kindOf(e.value)}`);
          break;
        }
        out.captures = [];
        for (const item of e.value.items) {
          if (item.type === 'string' && item.value !== '') out.captures.push(item.value);
          else problem(item, `each entry of "captures" must be a file path, found ${kindOf(item)}`);
        }
        break;
      case 'rules':
        rulesSeen = true;
        if (e.value.type !== 'array') {
          problem(e.value, `"rules" must be an array, found ${kindOf(e.value)}`);
          break;
        }
        e.value.items.forEach((item, index) => {
          const rule = loadRule(item, index, problem);
          if (rule) out.rules.push(rule);
        });
        break;
      default: {
        const hint = closest(e.key, ['description', 'captures', 'rules']);
        problem(e.keyPos, `unknown key "${e.key}"${hint ? ` (did you mean "${hint}"?)` : ''}; the file has "description", "captures" and "rules"`);
      }
    }
  }
  if (!rulesSeen) problem(root, 'missing "rules" (an array of rules)');
  return errors.length ? { ok: false, errors } : { ok: true, expectations: out };
}

type Problem = (at: Position, message: string) => void;

function loadRule(node: JsonNode, index: number, problem: Problem): Rule | null {
  const label = `rule ${index + 1}`;
  if (node.type !== 'object') {
    problem(node, `${label} must be an object with "service", "select", "capture" or "policy", found ${kindOf(node)}`);
    return null;
  }
  const get = (k: string): JsonEntry | undefined => node.entries.find((e) => e.key === k);
  const heads = node.entries.filter((e) => e.key === 'service' || e.key === 'select' || e.key === 'capture' || e.key === 'policy');
  if (heads.length === 0) {
    problem(node, `${label} needs one of "service", "select" (with "expect"), "capture" or "policy"`);
    return null;
  }
  if (heads.length > 1) {
    problem((heads[1] as JsonEntry).keyPos, `${label} has both "${heads[0]?.key}" and "${heads[1]?.key}"; write them as separate rules`);
    return null;
  }
  const head = heads[0] as JsonEntry;
  const allowed =
    head.key === 'select' ? ['select', 'expect', 'note'] : head.key === 'service' ? [...SERVICE_RULE_KEYS] : [head.key, 'note'];
  let ok = true;
  for (const e of node.entries) {
    if (!allowed.includes(e.key)) {
      const hint = closest(e.key, allowed);
      problem(e.keyPos, `unknown key "${e.key}" in ${label} (a "${head.key}" rule has ${allowed.map((k) => `"${k}"`).join(', ')})${hint && hint !== e.key ? `; did you mean "${hint}"?` : ''}`);
      ok = false;
    }
  }
  let note: string | undefined;
  const noteEntry = get('note');
  if (noteEntry) {
    if (noteEntry.value.type === 'string') note = noteEntry.value.value;
    else {
      problem(noteEntry.value, `"note" must be a string, found ${kindOf(noteEntry.value)}`);
      ok = false;
    }
  }
  const base: RuleBase = { index, pos: { line: node.line, column: node.column }, ...(note !== undefined ? { note } : {}) };

  switch (head.key) {
    case 'select': {
      const selector = loadSelector(head.value, label, problem);
      const expectEntry = get('expect');
      if (!expectEntry) {
        problem(head.keyPos, `${label} has "select" but no "expect"`);
        return null;
      }
      const expect = loadExpectBlock(expectEntry.value, label, 'expect', problem);
      if (!selector || !expect || !ok) return null;
      return { ...base, type: 'select', selector, expect };
    }
    case 'service': {
      const rule = loadServiceRule(node, head, label, problem);
      if (!rule || !ok) return null;
      return { ...base, ...rule };
    }
    case 'capture': {
      const counts = loadExpectBlock(head.value, label, 'capture', problem);
      if (!counts || !ok) return null;
      return { ...base, type: 'capture', counts };
    }
    case 'policy': {
      const v = head.value;
      if (v.type !== 'string') {
        problem(v, `"policy" must be a policy name, found ${kindOf(v)}`);
        return null;
      }
      if (!(POLICY_NAMES as string[]).includes(v.value)) {
        const hint = closest(v.value, POLICY_NAMES);
        problem(v, `unknown policy "${v.value}"${hint ? ` (did you mean "${hint}"?)` : ''}; known: ${POLICY_NAMES.join(', ')}`);
        return null;
      }
      if (!ok) return null;
      return { ...base, type: 'policy', policy: v.value as keyof typeof POLICIES };
    }
    default:
      return null;
  }
}

/** The keys of a service rule, in the order `--update` writes them. */
export const SERVICE_RULE_KEYS = ['service', 'client', 'note', 'connections', 'every', 'outcomes', 'sequence'] as const;

type ServiceRule = Extract<Rule, { type: 'service' }>;

function loadEndpoint(v: JsonNode, key: string, example: string, problem: Problem): EndpointPattern | null {
  if (v.type !== 'string') {
    problem(v, `"${key}" is an endpoint string such as "${example}", found ${kindOf(v)}`);
    return null;
  }
  const p = parseEndpointPattern(v.value);
  if (typeof p === 'string') {
    problem(v, p);
    return null;
  }
  return p;
}

/** A count of connections: a number or a comparison over one ("10..14", "12 ± 10%", ">= 3"). */
function loadCount(e: JsonEntry, label: string, problem: Problem): Expectation | null {
  const v = e.value;
  if (v.type === 'object' || v.type === 'array' || v.type === 'null' || v.type === 'boolean') {
    problem(v, `"${e.key}" in ${label} is a number of connections or a comparison such as "10..14", "12 ± 10%" or ">= 3", found ${kindOf(v)}`);
    return null;
  }
  const c = parseComparison(v.value, COUNTER_FIELD, e.key);
  if (typeof c === 'string') {
    problem(v, c);
    return null;
  }
  return { path: 'connections', comparison: c, raw: v.value, pos: { line: v.line, column: v.column } };
}

/** An entry of "outcomes" or "sequence": `{ "connections": 12, "close.kind": "three_way", ... }`. */
function loadOutcome(n: JsonNode, label: string, inSequence: boolean, problem: Problem): Outcome | null {
  if (n.type !== 'object') {
    problem(n, `each entry of ${label} is an object such as { "connections": 12, "close.kind": "three_way" }, found ${kindOf(n)}`);
    return null;
  }
  const countEntry = n.entries.find((e) => e.key === 'connections');
  let count: Expectation | null;
  if (countEntry) count = loadCount(countEntry, label, problem);
  else if (inSequence) count = { path: 'connections', comparison: { op: '==', value: 1 }, raw: 1, pos: { line: n.line, column: n.column } };
  else {
    problem(n, `an entry of ${label} needs "connections": how many connections behave this way`);
    return null;
  }
  const where = loadExpectBlock({ ...n, entries: n.entries.filter((e) => e.key !== 'connections') }, label, 'expect', problem);
  if (!count || !where) return null;
  return { count, where, pos: { line: n.line, column: n.column } };
}

function loadServiceRule(node: Extract<JsonNode, { type: 'object' }>, head: JsonEntry, label: string, problem: Problem): Omit<ServiceRule, keyof RuleBase> | null {
  const get = (k: string): JsonEntry | undefined => node.entries.find((e) => e.key === k);
  let ok = true;
  const service = loadEndpoint(head.value, 'service', '10.0.0.2:8080', problem);
  const clientEntry = get('client');
  const client = clientEntry ? loadEndpoint(clientEntry.value, 'client', '10.0.0.1', problem) : null;
  if (clientEntry && !client) ok = false;
  const countEntry = get('connections');
  const connections = countEntry ? loadCount(countEntry, label, problem) : null;
  if (countEntry && !connections) ok = false;
  const everyEntry = get('every');
  const every = everyEntry ? loadExpectBlock(everyEntry.value, label, 'every', problem) : [];
  if (!every) ok = false;
  const lists: Record<'outcomes' | 'sequence', Outcome[] | null> = { outcomes: null, sequence: null };
  for (const key of ['outcomes', 'sequence'] as const) {
    const entry = get(key);
    if (!entry) continue;
    if (entry.value.type !== 'array' || entry.value.items.length === 0) {
      problem(entry.value, `"${key}" in ${label} is a non-empty array of { "connections": n, path: value, ... }, found ${kindOf(entry.value)}`);
      ok = false;
      continue;
    }
    const items = entry.value.items.map((item) => loadOutcome(item, `"${key}" of ${label}`, key === 'sequence', problem));
    if (items.some((x) => x === null)) ok = false;
    else lists[key] = items as Outcome[];
  }
  if (!countEntry && !everyEntry && !get('outcomes') && !get('sequence')) {
    problem(head.keyPos, `${label} says nothing about the service: give "connections", "every", "outcomes" or "sequence"`);
    return null;
  }
  if (!ok || !service || !every) return null;
  return { type: 'service', selector: { service, client }, connections, every, outcomes: lists.outcomes, sequence: lists.sequence };
}

function loadSelector(n: JsonNode, label: string, problem: Problem): Selector | null {
  if (n.type === 'string') {
    if (n.value === 'all') return { by: 'all' };
    problem(n, `"select" is "all" or an object such as { "client": "ip:port", "server": ":port" } or { "id": 3 }, found ${kindOf(n)}`);
    return null;
  }
  if (n.type !== 'object') {
    problem(n, `"select" is "all" or an object such as { "client": "ip:port", "server": ":port" } or { "id": 3 }, found ${kindOf(n)}`);
    return null;
  }
  if (n.entries.length === 0) {
    problem(n, `empty selector in ${label}: write "all" to select every connection`);
    return null;
  }
  let id: number | null = null;
  let client: EndpointPattern | null = null;
  let server: EndpointPattern | null = null;
  let nth: number | null = null;
  let ok = true;
  for (const e of n.entries) {
    const v = e.value;
    switch (e.key) {
      case 'id':
        if (v.type === 'number' && Number.isInteger(v.value) && v.value >= 1) id = v.value;
        else {
          problem(v, `"id" is a connection id (a whole number from 1), found ${kindOf(v)}`);
          ok = false;
        }
        break;
      case 'client':
      case 'server': {
        if (v.type !== 'string') {
          problem(v, `"${e.key}" is an endpoint string such as "10.0.0.1:40000", found ${kindOf(v)}`);
          ok = false;
          break;
        }
        const p = parseEndpointPattern(v.value);
        if (typeof p === 'string') {
          problem(v, p);
          ok = false;
        } else if (e.key === 'client') client = p;
        else server = p;
        break;
      }
      case 'nth':
        if (v.type === 'number' && Number.isInteger(v.value) && v.value >= 1) nth = v.value;
        else {
          problem(v, `"nth" picks the n-th matching connection (a whole number from 1), found ${kindOf(v)}`);
          ok = false;
        }
        break;
      default: {
        const hint = closest(e.key, ['id', 'client', 'server', 'nth']);
        problem(e.keyPos, `unknown selector key "${e.key}"${hint ? ` (did you mean "${hint}"?)` : ''}; a selector has "id", or "client"/"server" (and optionally "nth")`);
        ok = false;
      }
    }
  }
  if (!ok) return null;
  if (id !== null) {
    if (client || server || nth !== null) {
      problem(n, `a selector has either "id" or "client"/"server", not both`);
      return null;
    }
    return { by: 'id', id };
  }
  if (!client && !server) {
    problem(n, `selector needs "client" or "server" (with "nth" only alongside them)`);
    return null;
  }
  return { by: 'endpoints', client, server, nth };
}

function loadExpectBlock(n: JsonNode, label: string, what: 'expect' | 'every' | 'capture', problem: Problem): Expectation[] | null {
  if (n.type !== 'object') {
    problem(n, `"${what}" in ${label} must be an object of path: value, found ${kindOf(n)}`);
    return null;
  }
  const out: Expectation[] = [];
  let ok = true;
  for (const e of n.entries) {
    let field: FieldType;
    if (what !== 'capture') {
      const spec = CONNECTION_FIELDS.get(e.key);
      if (!spec) {
        problem(e.keyPos, unknownPath(e.key, 'expect'));
        ok = false;
        continue;
      }
      field = spec.field;
    } else {
      if (!CAPTURE_COUNTERS.has(e.key)) {
        problem(e.keyPos, unknownPath(e.key, 'capture'));
        ok = false;
        continue;
      }
      field = COUNTER_FIELD;
    }
    const v = e.value;
    if (v.type === 'object' || v.type === 'array') {
      problem(v, `the value of "${e.key}" must be a literal or a comparison string, found ${kindOf(v)}`);
      ok = false;
      continue;
    }
    const c = parseComparison(v.value, field, e.key);
    if (typeof c === 'string') {
      problem(v, c);
      ok = false;
      continue;
    }
    out.push({ path: e.key, comparison: c, raw: v.value, pos: { line: v.line, column: v.column } });
  }
  return ok ? out : null;
}

function unknownPath(key: string, what: 'expect' | 'capture'): string {
  const known = what === 'expect' ? [...CONNECTION_FIELDS.keys()] : [...CAPTURE_COUNTERS.keys()];
  const dot = key.indexOf('.');
  const prefix = dot >= 0 ? key.slice(0, dot) : key;
  const family = known.filter((k) => k.startsWith(prefix + '.'));
  if (family.length > 0 && dot >= 0) {
    // A known family with an unknown member: an unknown kind or state name.
    const hint = closest(key, family);
    return `unknown ${what === 'expect' ? 'path' : 'counter'} "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}: ${prefix}.* has ${family
      .map((k) => k.slice(prefix.length + 1))
      .slice(0, 40)
      .join(', ')}`;
  }
  const hint = closest(key, known);
  return what === 'expect'
    ? `unknown path "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; paths are fields of a connection report such as handshake.kind, close.initiator, finalState.server, zeek.connState, stats.client.packets, or events.<kind>`
    : `unknown counter "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; capture counters are connections, handshake.<kind>, close.<kind>, events.<kind>, finalState.client.<STATE>, finalState.server.<STATE>, zeek.connState.<state>`;
}
