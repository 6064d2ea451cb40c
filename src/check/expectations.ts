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
  | { op: 'in'; values: Scalar[] };

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

interface RuleBase {
  /** 0-based position in `rules`. */
  index: number;
  pos: Position;
  note?: string;
}

export type Rule =
  | (RuleBase & { type: 'select'; selector: Selector; expect: Expectation[] })
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

/** Whether a string value is written as a comparison rather than a literal. */
export function looksLikeComparison(s: string): boolean {
  return OP_RE.test(s) || IN_RE.test(s);
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
    if (/^\s*(=|!|<>|=<|=>|≤|≥|in\b)/.test(raw)) {
      return `bad comparison "${raw}" for ${path}: use "== x", "!= x", "< n", "<= n", "> n", ">= n" or "in a|b|c"`;
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
    problem(node, `${label} must be an object with "select", "capture" or "policy", found ${kindOf(node)}`);
    return null;
  }
  const get = (k: string): JsonEntry | undefined => node.entries.find((e) => e.key === k);
  const heads = node.entries.filter((e) => e.key === 'select' || e.key === 'capture' || e.key === 'policy');
  if (heads.length === 0) {
    problem(node, `${label} needs one of "select" (with "expect"), "capture" or "policy"`);
    return null;
  }
  if (heads.length > 1) {
    problem((heads[1] as JsonEntry).keyPos, `${label} has both "${heads[0]?.key}" and "${heads[1]?.key}"; write them as separate rules`);
    return null;
  }
  const head = heads[0] as JsonEntry;
  const allowed = head.key === 'select' ? ['select', 'expect', 'note'] : [head.key, 'note'];
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

function loadExpectBlock(n: JsonNode, label: string, what: 'expect' | 'capture', problem: Problem): Expectation[] | null {
  if (n.type !== 'object') {
    problem(n, `"${what}" in ${label} must be an object of path: value, found ${kindOf(n)}`);
    return null;
  }
  const out: Expectation[] = [];
  let ok = true;
  for (const e of n.entries) {
    let field: FieldType;
    if (what === 'expect') {
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
