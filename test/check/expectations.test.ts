import { describe, expect, it } from 'vitest';
import { loadedExpectations, rejectedExpectations } from './fixtures.js';
import { parseJsonWithPositions, toPlain } from '../../src/check/json.js';

const SPEC_EXAMPLE = `{
  "description": "What this capture shows",
  "captures": ["close-by-client.pcap"],
  "rules": [
    {
      "select": { "client": "10.99.0.1:40001", "server": "10.99.0.2:8080" },
      "note": "free text: which frames show it",
      "expect": {
        "handshake.kind": "three_way",
        "close.kind": "three_way",
        "close.initiator": "client",
        "close.rstBy": null,
        "close.finalAckLost": false,
        "finalState.client": "TIME_WAIT",
        "finalState.server": "CLOSED",
        "events.syn_retransmit": "<= 1",
        "events.fin": 2
      }
    },
    { "capture": { "connections": 1, "close.three_way": 1 } },
    { "policy": "no_reset_by_server" },
    { "policy": "no_close_wait_at_end" }
  ]
}
`;


/** The file with one line replaced (the line given by its current text). */
function edit(from: string, to: string): string {
  if (!SPEC_EXAMPLE.includes(from)) throw new Error(`fixture lacks ${from}`);
  return SPEC_EXAMPLE.replace(from, to);
}

const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('positional JSON parser', () => {
  it('agrees with JSON.parse on valid documents', () => {
    const docs = [SPEC_EXAMPLE, '[1, -2.5e3, "a\\u00e9\\n", true, false, null, {}, []]', '"x"', '{"a":{"b":[{"c":0}]}}'];
    for (const d of docs) {
      const r = parseJsonWithPositions(d);
      expect(r.ok).toBe(true);
      if (r.ok) expect(toPlain(r.node)).toEqual(JSON.parse(d));
    }
  });

  it('records the line and column of values', () => {
    const r = parseJsonWithPositions('{\n  "a": [\n    1,\n      "x"\n  ]\n}');
    expect(r.ok).toBe(true);
    if (!r.ok || r.node.type !== 'object') return;
    const arr = r.node.entries[0]?.value;
    expect(arr?.type).toBe('array');
    if (arr?.type !== 'array') return;
    expect([arr.line, arr.column]).toEqual([2, 8]);
    expect([arr.items[1]?.line, arr.items[1]?.column]).toEqual([4, 7]);
  });

  it.each([
    ['{"a": 1,}', 1, 9, 'trailing comma'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}'"],
    ["{'a': 1}", 1, 2, 'expected a key in double quotes'],
    ['{"a": tru}', 1, 7, 'unexpected'],
    ['{"a": "x\ny"}', 1, 9, 'unterminated string'],
    ['{\n // note\n "a": 1}', 2, 2, 'comments are not allowed'],
    ['{"a": 1, "a": 2}', 1, 10, 'duplicate key "a"'],
    ['{"a": 01}', 1, 7, 'bad number'],
    ['{"a": [1, 2}', 1, 12, "expected ',' or ']'"],
    ['{"a": 1} x', 1, 10, 'after the end'],
    ['', 1, 1, 'unexpected end of file'],
  ])('rejects %j at %i:%i', (text, line, column, message) => {
    const r = parseJsonWithPositions(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toContain(message);
    expect([r.error.line, r.error.column]).toEqual([line, column]);
    // JSON.parse must reject it too (our parser is not stricter than JSON, except duplicate keys).
    if (!message.startsWith('duplicate')) expect(() => JSON.parse(text)).toThrow();
  });
});

describe('loadExpectations', () => {
  it('loads the documented example', () => {
    const x = loadedExpectations(SPEC_EXAMPLE);
    expect(x.description).toBe('What this capture shows');
    expect(x.captures).toEqual(['close-by-client.pcap']);
    expect(x.rules.map((r) => r.type)).toEqual(['select', 'capture', 'policy', 'policy']);
    const first = x.rules[0];
    if (first?.type !== 'select') throw new Error('select rule expected');
    expect(first.note).toBe('free text: which frames show it');
    expect(first.selector).toMatchObject({ by: 'endpoints', client: { ip: '10.99.0.1', port: 40001 }, server: { ip: '10.99.0.2', port: 8080 }, nth: null });
    expect(first.expect.find((e) => e.path === 'events.syn_retransmit')?.comparison).toEqual({ op: '<=', value: 1 });
    expect(first.expect.find((e) => e.path === 'close.rstBy')?.comparison).toEqual({ op: '==', value: null });
    expect(first.expect.find((e) => e.path === 'events.fin')?.pos.line).toBe(lineOf(SPEC_EXAMPLE, '"events.fin"'));
  });

  it('reads every comparison form', () => {
    const x = loadedExpectations(`{"rules":[{"select":"all","expect":{
      "handshake.kind": "in three_way|refused",
      "close.kind": "!= reset",
      "stats.client.packets": "> 2",
      "stats.server.packets": ">= 3",
      "handshake.synRetransmits": "< 1",
      "events.fin": "== 2",
      "close.rstBy": "in null|server",
      "close.finalAckLost": "== false",
      "zeek.history": "ShADadFf",
      "states.client": "SYN_SENT > ESTABLISHED > FIN_WAIT_1 > TIME_WAIT",
      "handshake.rtt.synToSynAck": "< 0.5"
    }}]}`);
    const r = x.rules[0];
    if (r?.type !== 'select') throw new Error('select rule expected');
    expect(r.expect.map((e) => e.comparison)).toEqual([
      { op: 'in', values: ['three_way', 'refused'] },
      { op: '!=', value: 'reset' },
      { op: '>', value: 2 },
      { op: '>=', value: 3 },
      { op: '<', value: 1 },
      { op: '==', value: 2 },
      { op: 'in', values: [null, 'server'] },
      { op: '==', value: false },
      { op: '==', value: 'ShADadFf' },
      { op: '==', value: 'SYN_SENT > ESTABLISHED > FIN_WAIT_1 > TIME_WAIT' },
      { op: '<', value: 0.5 },
    ]);
  });

  it('reads selectors: all, id, ip, :port, IPv6 and nth', () => {
    const x = loadedExpectations(`{"rules":[
      {"select":"all","expect":{}},
      {"select":{"id":3},"expect":{}},
      {"select":{"server":":8080"},"expect":{}},
      {"select":{"client":"10.99.0.1"},"expect":{}},
      {"select":{"client":"[fd99::1]:40001","server":"fd99:0:0::2"},"expect":{}},
      {"select":{"client":"10.0.0.1:1","server":"10.0.0.2:2","nth":2},"expect":{}}
    ]}`);
    expect(x.rules.map((r) => (r.type === 'select' ? r.selector : null))).toMatchObject([
      { by: 'all' },
      { by: 'id', id: 3 },
      { by: 'endpoints', client: null, server: { ip: null, port: 8080 } },
      { by: 'endpoints', client: { ip: '10.99.0.1', port: null }, server: null },
      { by: 'endpoints', client: { ip: 'fd99:0:0:0:0:0:0:1', port: 40001 }, server: { ip: 'fd99:0:0:0:0:0:0:2', port: null } },
      { by: 'endpoints', nth: 2 },
    ]);
  });

  it('accepts every policy the docs name', () => {
    for (const p of ['no_reset_by_server', 'no_reset_by_client', 'no_close_wait_at_end', 'no_final_ack_lost', 'no_unanswered_syn', 'no_refused', 'all_handshakes_complete']) {
      expect(loadedExpectations(`{"rules":[{"policy":"${p}"}]}`).rules).toHaveLength(1);
    }
  });

  it('accepts capture counters of every family', () => {
    const x = loadedExpectations(`{"rules":[{"capture":{"connections":">= 1","handshake.refused":0,"close.four_way":"in 0|1","events.rst":"<= 2",
      "finalState.server.CLOSE_WAIT":0,"finalState.client.TIME_WAIT":">= 0","zeek.connState.SF":1}}]}`);
    const r = x.rules[0];
    expect(r?.type === 'capture' ? r.counts.length : 0).toBe(7);
  });

  describe('bad files: exit-2 material, with the line', () => {
    it('invalid JSON gives line:column', () => {
      const text = edit('"events.fin": 2', '"events.fin": 2,');
      const [e] = rejectedExpectations(text);
      expect(e?.message).toMatch(/invalid JSON: trailing comma/);
      expect(e?.line).toBe(lineOf(text, '"events.fin"') + 1);
    });

    it('an unknown path names the line of the key and suggests the right one', () => {
      const text = edit('"close.initiator": "client"', '"close.initator": "client"');
      const errs = rejectedExpectations(text);
      expect(errs).toHaveLength(1);
      expect(errs[0]?.message).toContain('unknown path "close.initator" (did you mean "close.initiator"?)');
      expect(errs[0]?.line).toBe(lineOf(text, 'close.initator'));
      expect(errs[0]?.column).toBe(9);
    });

    it('an unknown event kind is reported as such', () => {
      const text = edit('"events.fin": 2', '"events.fins": 2');
      const [e] = rejectedExpectations(text);
      expect(e?.message).toContain('unknown path "events.fins" (did you mean "events.fin"?)');
      expect(e?.line).toBe(lineOf(text, 'events.fins'));
    });

    it('an unknown handshake kind value is reported on the value', () => {
      const text = edit('"handshake.kind": "three_way"', '"handshake.kind": "threeway"');
      const [e] = rejectedExpectations(text);
      expect(e?.message).toContain('unknown value "threeway" for handshake.kind (did you mean "three_way"?)');
      expect([e?.line, e?.column]).toEqual([lineOf(text, 'threeway'), 27]);
    });

    it('an unknown state name (in a value or a counter) is rejected', () => {
      expect(rejectedExpectations(edit('"finalState.server": "CLOSED"', '"finalState.server": "CLOSE"'))[0]?.message).toContain('unknown value "CLOSE" for finalState.server');
      expect(rejectedExpectations(`{"rules":[{"capture":{"finalState.server.CLOSEWAIT":0}}]}`)[0]?.message).toContain('did you mean "finalState.server.CLOSE_WAIT"');
      expect(rejectedExpectations(`{"rules":[{"select":"all","expect":{"states.client":"SYN_SENT > ESTABLISHD"}}]}`)[0]?.message).toContain('unknown state "ESTABLISHD"');
    });

    it.each([
      ['"<= x"', 'is not a number'],
      ['"=< 1"', 'bad comparison'],
      ['"in "', 'bad comparison'],
      ['"in 1||2"', 'bad comparison'],
      ['"2"', 'expected a number or a comparison'],
      ['true', 'expected a number or a comparison'],
      ['[1]', 'must be a literal or a comparison string'],
      ['null', 'is never null'],
    ])('a bad comparison %s is rejected on its line', (value, message) => {
      const text = edit('"events.syn_retransmit": "<= 1"', `"events.syn_retransmit": ${value}`);
      const [e] = rejectedExpectations(text);
      expect(e?.message).toContain(message);
      expect(e?.line).toBe(lineOf(text, '"events.syn_retransmit"'));
    });

    it('ordering comparisons only apply to numbers', () => {
      expect(rejectedExpectations(edit('"close.kind": "three_way"', '"close.kind": "> 1"'))[0]?.message).toContain('compares numbers, but close.kind is one of');
    });

    it('wrong types and unknown keys in rules and selectors', () => {
      expect(rejectedExpectations(edit('"close.finalAckLost": false', '"close.finalAckLost": "no"'))[0]?.message).toContain('close.finalAckLost is true or false');
      expect(rejectedExpectations(edit('"note": "free text', '"notes": "free text'))[0]?.message).toContain('unknown key "notes" in rule 1');
      expect(rejectedExpectations(edit('"server": "10.99.0.2:8080"', '"server": "10.99.0.2:80800"'))[0]?.message).toContain('bad port');
      expect(rejectedExpectations(edit('"server": "10.99.0.2:8080"', '"server": "10.99.0.256:8080"'))[0]?.message).toContain('bad IPv4 address');
      expect(rejectedExpectations(edit('"server": "10.99.0.2:8080"', '"srv": "10.99.0.2:8080"'))[0]?.message).toContain('unknown selector key "srv"');
      expect(rejectedExpectations(edit('{ "policy": "no_reset_by_server" }', '{ "policy": "no_reset_by_servers" }'))[0]?.message).toContain('did you mean "no_reset_by_server"');
      expect(rejectedExpectations(edit('"close.three_way": 1', '"close.threeway": 1'))[0]?.message).toContain('unknown counter "close.threeway" (did you mean "close.three_way"?)');
      expect(rejectedExpectations('{"rules":[{"select":{"id":1,"client":"10.0.0.1"},"expect":{}}]}')[0]?.message).toContain('either "id" or "client"/"server"');
      expect(rejectedExpectations('{"rules":[{"select":{},"expect":{}}]}')[0]?.message).toContain('empty selector');
      expect(rejectedExpectations('{"rules":[{"select":"all"}]}')[0]?.message).toContain('has "select" but no "expect"');
      expect(rejectedExpectations('{"rules":[{"policy":"no_refused","capture":{}}]}')[0]?.message).toContain('separate rules');
      expect(rejectedExpectations('{"rule":[]}').map((e) => e.message).join('\n')).toMatch(/unknown key "rule" \(did you mean "rules"\?\)[\s\S]*missing "rules"/);
      expect(rejectedExpectations('[]')[0]?.message).toContain('must be a JSON object');
    });

    it('reports every problem in the file, not only the first', () => {
      const text = edit('"close.initiator": "client"', '"close.initator": "client"').replace('"events.fin": 2', '"events.fin": "two"');
      const errs = rejectedExpectations(text);
      expect(errs.map((e) => e.line)).toEqual([lineOf(text, 'close.initator'), lineOf(text, '"events.fin"')]);
    });
  });
});
