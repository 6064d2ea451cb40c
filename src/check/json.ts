/**
 * A small strict JSON parser (RFC 8259) that remembers where every key and value starts, so that a
 * problem found while validating an expectations file can be reported at its line and column.
 * `JSON.parse` only gives a character offset for syntax errors and nothing for semantic ones.
 *
 * Lines and columns are 1-based; columns count UTF-16 code units, as editors mostly do.
 */

export interface Position {
  line: number;
  column: number;
}

interface NodeBase extends Position {
  offset: number;
}

export interface JsonEntry {
  key: string;
  keyPos: Position;
  value: JsonNode;
}

export type JsonNode =
  | (NodeBase & { type: 'object'; entries: JsonEntry[] })
  | (NodeBase & { type: 'array'; items: JsonNode[] })
  | (NodeBase & { type: 'string'; value: string })
  | (NodeBase & { type: 'number'; value: number })
  | (NodeBase & { type: 'boolean'; value: boolean })
  | (NodeBase & { type: 'null'; value: null });

export interface JsonSyntaxProblem extends Position {
  message: string;
}

export type JsonParseResult = { ok: true; node: JsonNode } | { ok: false; error: JsonSyntaxProblem };

/** The plain JavaScript value of a node (objects keep key order; duplicate keys are rejected at parse time). */
export function toPlain(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) out[e.key] = toPlain(e.value);
      return out;
    }
    case 'array':
      return node.items.map(toPlain);
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
      return node.value;
  }
}

class Fail extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export function parseJsonWithPositions(text: string): JsonParseResult {
  // Precompute line starts once so node positions are O(log n) each.
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) lineStarts.push(i + 1);
  }
  const pos = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] as number) + 1 };
  };

  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const describe = (at: number): string => {
    if (at >= text.length) return 'end of file';
    const ch = text[at] as string;
    return ch === '\n' || ch === '\r' ? 'end of line' : `'${ch}'`;
  };

  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        i++;
        continue;
      }
      if (c === 47 /* / */ && (text[i + 1] === '/' || text[i + 1] === '*')) {
        throw new Fail(i, 'comments are not allowed in JSON (use a "note" field instead)');
      }
      return;
    }
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let chunkStart = i;
    for (;;) {
      if (i >= text.length) throw new Fail(start, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(chunkStart, i);
        i++;
        return out;
      }
      if (c < 0x20) {
        throw new Fail(i, c === 10 || c === 13 ? 'unterminated string (line break inside a string)' : 'control character inside a string');
      }
      if (c === 92) {
        out += text.slice(chunkStart, i);
        const e = text[i + 1];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            i += 2;
            break;
          case 'b':
            out += '\b';
            i += 2;
            break;
          case 'f':
            out += '\f';
            i += 2;
            break;
          case 'n':
            out += '\n';
            i += 2;
            break;
          case 'r':
            out += '\r';
            i += 2;
            break;
          case 't':
            out += '\t';
            i += 2;
            break;
          case 'u': {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Fail(i, 'bad \\u escape: expected four hex digits');
            out += String.fromCharCode(parseInt(hex, 16));
            i += 6;
            break;
          }
          default:
            throw new Fail(i, `bad escape '\\${e ?? ''}' in string`);
        }
        chunkStart = i;
        continue;
      }
      i++;
    }
  };

  const parseValue = (depth: number): JsonNode => {
    if (depth > 200) throw new Fail(i, 'nesting too deep');
    skipWs();
    const start = i;
    const p = pos(start);
    const base = { offset: start, line: p.line, column: p.column };
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: JsonEntry[] = [];
      const seen = new Map<string, Position>();
      skipWs();
      if (text[i] === '}') {
        i++;
        return { ...base, type: 'object', entries };
      }
      for (;;) {
        skipWs();
        if (text[i] !== '"') {
          if (text[i] === '}' && entries.length > 0) throw new Fail(i, "trailing comma before '}'");
          throw new Fail(i, `expected a key in double quotes, found ${describe(i)}`);
        }
        const keyOffset = i;
        const keyPos = pos(keyOffset);
        const key = parseString();
        const prev = seen.get(key);
        if (prev) throw new Fail(keyOffset, `duplicate key "${key}" (first at line ${prev.line})`);
        seen.set(key, keyPos);
        skipWs();
        if (text[i] !== ':') throw new Fail(i, `expected ':' after key "${key}", found ${describe(i)}`);
        i++;
        const value = parseValue(depth + 1);
        entries.push({ key, keyPos, value });
        skipWs();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { ...base, type: 'object', entries };
        }
        throw new Fail(i, `expected ',' or '}' after the value of "${key}", found ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      skipWs();
      if (text[i] === ']') {
        i++;
        return { ...base, type: 'array', items };
      }
      for (;;) {
        skipWs();
        if (text[i] === ']' && items.length > 0) throw new Fail(i, "trailing comma before ']'");
        items.push(parseValue(depth + 1));
        skipWs();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { ...base, type: 'array', items };
        }
        throw new Fail(i, `expected ',' or ']' in array, found ${describe(i)}`);
      }
    }
    if (c === '"') return { ...base, type: 'string', value: parseString() };
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
      if (!m) throw new Fail(i, 'bad number');
      i += m[0].length;
      const after = text[i];
      if (after !== undefined && /[0-9A-Za-z_.]/.test(after)) throw new Fail(start, `bad number '${m[0]}${after}'`);
      return { ...base, type: 'number', value: Number(m[0]) };
    }
    for (const [word, type, value] of [
      ['true', 'boolean', true],
      ['false', 'boolean', false],
      ['null', 'null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return type === 'null' ? { ...base, type, value: null } : { ...base, type, value: value as boolean };
      }
    }
    if (c === "'") throw new Fail(i, 'strings must use double quotes');
    if (c === undefined) throw new Fail(i, 'unexpected end of file, expected a value');
    throw new Fail(i, `unexpected ${describe(i)}, expected a value`);
  };

  try {
    const node = parseValue(0);
    skipWs();
    if (i < text.length) throw new Fail(i, `unexpected ${describe(i)} after the end of the document`);
    return { ok: true, node };
  } catch (err) {
    if (err instanceof Fail) return { ok: false, error: { ...pos(err.offset), message: err.message } };
    throw err;
  }
}
