import { describe, expect, it } from 'vitest';
import { loadExpectations, type Expectations } from '../../src/check/expectations.js';
import { evaluate } from '../../src/check/evaluate.js';
import { writeBaseline } from '../../src/check/baseline.js';
import { failureLines } from '../../src/check/evaluate.js';
import type { Report } from '../../src/model/report.js';
import { closeByClient, closeWait, finalAckLost, refused, report } from './fixtures.js';

function load(text: string): Expectations {
  const r = loadExpectations(text, 'x.expect.json');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return r.expectations;
}

function allPass(r: Report, x: Expectations): string[] {
  return evaluate(r, x).flatMap((res) => (res.outcome === 'fail' ? res.failures.flatMap(failureLines) : []));
}

describe('writeBaseline (--update --per-connection)', () => {
  it('creates a file from scratch: capture counts, then one rule per connection, keys in a fixed order', () => {
    const r = report([closeByClient(0), refused(1)]);
    const { text, changes } = writeBaseline(r, null, { captures: ['close.pcap'], description: 'two connections', perConnection: true });
    expect(text).toBe(`{
  "description": "two connections",
  "captures": ["close.pcap"],
  "rules": [
    {
      "capture": {
        "connections": 2,
        "handshake.three_way": 1,
        "handshake.refused": 1,
        "close.three_way": 1,
        "close.not_established": 1
      }
    },
    {
      "select": { "client": "10.99.0.1:40001", "server": "10.99.0.2:8080" },
      "expect": {
        "handshake.kind": "three_way",
        "close.kind": "three_way",
        "close.initiator": "client",
        "close.rstBy": null,
        "close.finalAckLost": false,
        "finalState.client": "TIME_WAIT",
        "finalState.server": "CLOSED",
        "zeek.connState": "SF",
        "events.syn": 1,
        "events.syn_ack": 1,
        "events.handshake_complete": 1,
        "events.fin": 2,
        "events.close_complete": 1
      }
    },
    {
      "select": { "client": "10.99.0.1:40002", "server": "10.99.0.2:8080" },
      "expect": {
        "handshake.kind": "refused",
        "close.kind": "not_established",
        "close.initiator": "server",
        "close.rstBy": "server",
        "close.finalAckLost": false,
        "finalState.client": "CLOSED",
        "finalState.server": "CLOSED",
        "zeek.connState": "REJ",
        "events.syn": 1,
        "events.refused": 1,
        "events.rst": 1
      }
    }
  ]
}
`);
    expect(JSON.parse(text)).toBeTruthy();
    expect(changes).toEqual(['added a rule for connection #1 10.99.0.1:40001 → 10.99.0.2:8080', 'added a rule for connection #2 10.99.0.1:40002 → 10.99.0.2:8080']);
    expect(allPass(r, load(text))).toEqual([]);
  });

  it('round trip: update then check passes; editing a value then check fails with the right message', () => {
    const r = report([closeByClient(0), closeWait(1), finalAckLost(2)]);
    const { text } = writeBaseline(r, null, { captures: ['x.pcap'], perConnection: true });
    expect(allPass(r, load(text))).toEqual([]);
    // Writing again from its own output changes nothing (stable for review).
    expect(writeBaseline(r, load(text), {}).text).toBe(text);
    expect(writeBaseline(r, load(text), {}).changes).toEqual([]);

    const lines = text.split('\n');
    const at = lines.findIndex((l, i) => l.includes('"close.kind": "half_closed"') && i > 0);
    lines[at] = (lines[at] as string).replace('half_closed', 'three_way');
    const edited = lines.join('\n');
    const failing = allPass(r, load(edited));
    expect(failing).toEqual([
      'connection #2 10.99.0.1:40002 → 10.99.0.2:8080',
      `close.kind: expected "three_way", seen "half_closed"   (expectations line ${at + 1})`,
      'look at frames 11–17; fin @16, half_close @16, open_at_end @17',
      'filter: ip.addr==10.99.0.1 && tcp.port==40002 && ip.addr==10.99.0.2 && tcp.port==8080',
    ]);
  });

  it('keeps selectors, notes, order and values that still hold; rewrites only what changed', () => {
    const existing = load(`{
  "description": "kept",
  "captures": ["a.pcap"],
  "rules": [
    { "policy": "no_close_wait_at_end", "note": "policy first" },
    {
      "select": { "server": ":8080" },
      "note": "all to 8080",
      "expect": { "events.fin": ">= 1", "close.kind": "three_way", "handshake.kind": "three_way", "events.syn_retransmit": "<= 1" }
    },
    { "capture": { "close.three_way": 1, "connections": 1 } },
    { "select": { "id": 9 }, "expect": { "close.kind": "open" } }
  ]
}`);
    const r = report([closeByClient(0), finalAckLost(1)]);
    const { text, changes } = writeBaseline(r, existing);
    expect(text).toBe(`{
  "description": "kept",
  "captures": ["a.pcap"],
  "rules": [
    {
      "policy": "no_close_wait_at_end",
      "note": "policy first"
    },
    {
      "select": { "server": ":8080" },
      "note": "all to 8080",
      "expect": {
        "handshake.kind": "three_way",
        "close.kind": "in three_way|four_way",
        "events.syn_retransmit": "<= 1",
        "events.fin": ">= 1"
      }
    },
    {
      "capture": {
        "connections": 2,
        "close.three_way": 1
      }
    }
  ]
}
`);
    expect(changes).toEqual([
      'rule 2: close.kind "three_way" → "in three_way|four_way"',
      'rule 3: connections 1 → 2',
      'rule 4: removed, its selector matches no connection now',
    ]);
    expect(allPass(r, load(text))).toEqual([]);
  });

  it('drops a policy the capture now breaks, and says so', () => {
    const existing = load(`{ "rules": [ { "policy": "no_refused" }, { "policy": "no_reset_by_client" } ] }`);
    const r = report([closeByClient(0), refused(1)]);
    const { text, changes } = writeBaseline(r, existing, { perConnection: true });
    expect(changes[0]).toBe('rule 1: removed policy no_refused, broken by 1 connection (first: #2)');
    expect(text).toContain('{ "policy": "no_reset_by_client" }');
    expect(text).not.toContain('no_refused');
    // The one uncovered... both connections get their own rules appended.
    expect(changes.filter((c) => c.startsWith('added a rule'))).toHaveLength(2);
    expect(allPass(r, load(text))).toEqual([]);
  });

  it('tells apart connections reusing one 4-tuple with nth', () => {
    const a = closeByClient(0);
    const b = closeByClient(1, { client: { ip: '10.99.0.1', port: 40001 }, close: { ...closeByClient().close, kind: 'four_way' } });
    const r = report([a, b]);
    const { text } = writeBaseline(r, null, { perConnection: true });
    expect(text).toContain('"select": { "client": "10.99.0.1:40001", "server": "10.99.0.2:8080", "nth": 1 }');
    expect(text).toContain('"select": { "client": "10.99.0.1:40001", "server": "10.99.0.2:8080", "nth": 2 }');
    expect(allPass(r, load(text))).toEqual([]);
  });

  it('writes IPv6 endpoints in brackets, and they select back', () => {
    const c = closeByClient(0, { client: { ip: 'fd99::1', port: 40001 }, server: { ip: 'fd99::2', port: 8080 } });
    const { text } = writeBaseline(report([c]), null, { perConnection: true });
    expect(text).toContain('"select": { "client": "[fd99::1]:40001", "server": "[fd99::2]:8080" }');
    expect(allPass(report([c]), load(text))).toEqual([]);
  });

  it('does not add a rule per connection past the cap, but still counts them', () => {
    const conns = Array.from({ length: 12 }, (_, i) => closeByClient(i));
    const { text, changes } = writeBaseline(report(conns), null, { maxNewRules: 10, perConnection: true });
    expect(text).not.toContain('"select"');
    expect(text).toContain('"connections": 12');
    expect(changes).toEqual(['12 connections have no rule of their own; more than 10, so none were added (the capture counts cover them)']);
  });
});
