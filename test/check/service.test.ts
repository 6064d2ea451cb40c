/**
 * Service rules: a service's connections described by what a new capture keeps (the server's address
 * and port, how its connections open and end, how many, in which order) and never by the client's
 * ephemeral port. Loading, evaluating, the failure text, and `--update` writing them.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, failureLines } from '../../src/check/evaluate.js';
import { writeBaseline } from '../../src/check/baseline.js';
import type { ConnectionReport, Report } from '../../src/model/report.js';
import { closeByClient, closeWait, finalAckLost, loadedExpectations, refused, rejectedExpectations, report } from './fixtures.js';


const rules = (...r: string[]): string => `{"rules":[\n${r.join(',\n')}\n]}`;

function failing(r: Report, text: string): string[] {
  return evaluate(r, loadedExpectations(text)).flatMap((res) => (res.outcome === 'fail' ? res.failures.flatMap(failureLines) : []));
}

/** The same connection moved to another client port and start, as a new capture would show it. */
const moved = (c: ConnectionReport, port: number, start: number): ConnectionReport => ({
  ...c,
  client: { ...c.client, port },
  start,
  displayFilter: c.displayFilter.replace(/tcp\.port==4\d{4}/, `tcp.port==${port}`),
});

/** n connections to 10.99.0.2:8080 closed as closeByClient closes them, all open at once. */
const concurrent = (n: number, make: (i: number) => ConnectionReport = closeByClient): ConnectionReport[] =>
  Array.from({ length: n }, (_, i) => ({ ...make(i), start: 1_700_000_000 + i * 0.0001 }));

describe('loading service rules', () => {
  it('reads the service, an optional client, counts with tolerances, every, outcomes and sequence', () => {
    const x = loadedExpectations(
      rules(`{ "service": ":8080", "client": "10.99.0.1", "connections": "12 ± 10%",
        "every": { "handshake.kind": "three_way" },
        "outcomes": [ { "connections": "10..14", "close.kind": "three_way" }, { "connections": ">= 0", "close.kind": "reset" } ] }`),
    );
    const rule = x.rules[0];
    if (rule?.type !== 'service') throw new Error('not a service rule');
    expect(rule.selector.service).toEqual({ ip: null, port: 8080, text: ':8080' });
    expect(rule.selector.client).toEqual({ ip: '10.99.0.1', port: null, text: '10.99.0.1' });
    expect(rule.connections?.comparison).toEqual({ op: 'range', min: 10.8, max: 13.2, text: '12 ± 10%' });
    expect(rule.outcomes?.[0]?.count.comparison).toEqual({ op: 'range', min: 10, max: 14, text: '10..14' });
    expect(rule.outcomes?.[1]?.where.map((w) => w.path)).toEqual(['close.kind']);
    // A sequence entry without "connections" stands for one connection.
    const s = loadedExpectations(rules(`{ "service": "10.99.0.2:8080", "sequence": [ { "close.kind": "three_way" } ] }`)).rules[0];
    expect(s?.type === 'service' && s.sequence?.[0]?.count.comparison).toEqual({ op: '==', value: 1 });
  });

  it('tolerances and ranges hold from their lower to their upper end, both included', () => {
    const r = report(concurrent(12));
    for (const [count, holds] of [
      ['"12 ± 10%"', true],
      ['"11..13"', true],
      ['"10..12"', true],
      ['"13..20"', false],
      ['"14 ± 2"', true],
      ['"15 +- 2"', false],
      ['"10 ± 10%"', false],
    ] as const) {
      expect(failing(r, rules(`{ "service": ":8080", "connections": ${count} }`)).length === 0, count).toBe(holds);
    }
  });

  it('rejects what cannot be meant, with the line', () => {
    expect(rejectedExpectations(rules(`{ "service": "10.0.0.300:80", "connections": 1 }`))[0]?.message).toContain('bad IPv4 address');
    expect(rejectedExpectations(rules(`{ "service": ":80" }`))[0]?.message).toContain('says nothing about the service');
    expect(rejectedExpectations(rules(`{ "service": ":80", "outcomes": [ { "close.kind": "reset" } ] }`))[0]?.message).toContain('needs "connections"');
    expect(rejectedExpectations(rules(`{ "service": ":80", "outcomes": [] }`))[0]?.message).toContain('non-empty array');
    expect(rejectedExpectations(rules(`{ "service": ":80", "every": { "close.kind": "10..12" } }`))[0]?.message).toContain('is a range of numbers, but close.kind is one of');
    expect(rejectedExpectations(rules(`{ "service": ":80", "connections": "14..10" }`))[0]?.message).toContain('write the smaller number first');
    expect(rejectedExpectations(rules(`{ "service": ":80", "connections": "12 ± x" }`))[0]?.message).toContain('bad comparison "12 ± x"');
    expect(rejectedExpectations(rules(`{ "service": ":80", "every": { "close.knd": "reset" } }`))[0]?.message).toContain('did you mean "close.kind"');
    const p = rejectedExpectations(rules(`{ "service": ":80", "evry": { "close.kind": "reset" } }`))[0];
    expect(p?.message).toContain('unknown key "evry" in rule 1');
    expect(p?.line).toBe(2);
  });
});

describe('evaluating service rules', () => {
  const baseline = rules(`{ "service": "10.99.0.2:8080", "connections": 3,
      "every": { "handshake.kind": "three_way", "close.kind": "three_way", "close.initiator": "client" } }`);

  it('hold for the same behaviour whatever the client ports and times', () => {
    const first = report(concurrent(3));
    const again = report(first.connections.map((c, i) => moved(c, 51000 + i * 7, 1_800_000_000 + i)));
    expect(failing(first, baseline)).toEqual([]);
    expect(failing(again, baseline)).toEqual([]);
  });

  it('a changed close says which service, what was expected, what was seen, on how many, with frames and a filter', () => {
    const conns = concurrent(3).map((c, i) => (i === 0 ? c : { ...finalAckLost(i), start: c.start }));
    const lines = failing(report(conns), baseline);
    expect(lines).toEqual([
      'service 10.99.0.2:8080: close.kind expected "three_way" on every connection   (expectations line 3)',
      'seen "four_way" on 2 of 3 connections:',
      '  #2 10.99.0.1:40002 → 10.99.0.2:8080, frames 11–20; fin @16, fin @18, fin_retransmit @19, final_ack_lost @19, close_complete @20',
      '  #3 10.99.0.1:40003 → 10.99.0.2:8080, frames 21–30; fin @26, fin @28, fin_retransmit @29, final_ack_lost @29, close_complete @30',
      '  filter: (ip.addr==10.99.0.1 && tcp.port==40002 && ip.addr==10.99.0.2 && tcp.port==8080) || (ip.addr==10.99.0.1 && tcp.port==40003 && ip.addr==10.99.0.2 && tcp.port==8080)',
    ]);
  });

  it('a service with no connection, or too few, fails on its count', () => {
    expect(failing(report([]), baseline)).toEqual(['service 10.99.0.2:8080: expected 3 connections, seen 0   (expectations line 2)']);
    expect(failing(report([closeByClient(0)]), rules(`{ "service": ":9021", "every": { "handshake.kind": "refused" } }`))).toEqual([
      'service :9021: no connection to it in the capture',
    ]);
  });

  it('outcomes count connections by behaviour; a connection fitting none is named with what it showed', () => {
    const text = rules(`{ "service": ":8080", "connections": 4, "outcomes": [
        { "connections": 3, "handshake.kind": "three_way", "close.kind": "three_way" },
        { "connections": 1, "handshake.kind": "refused" } ] }`);
    const ok = report([...concurrent(3), { ...refused(3), start: 1_700_000_000 }]);
    expect(failing(ok, text)).toEqual([]);
    const changed = report([...concurrent(2), { ...closeWait(2), start: 1_700_000_000 }, { ...refused(3), start: 1_700_000_000 }]);
    expect(failing(changed, text)).toEqual([
      'service :8080: expected 3 connections with handshake.kind "three_way", close.kind "three_way", seen 2   (expectations line 3)',
      'the 2 connections seen:',
      '  #1 10.99.0.1:40001 → 10.99.0.2:8080, frames 1–8; syn @1, syn_ack @2, handshake_complete @3, fin @6, fin @7, close_complete @8',
      '  #2 10.99.0.1:40002 → 10.99.0.2:8080, frames 11–18; syn @11, syn_ack @12, handshake_complete @13, fin @16, fin @17, close_complete @18',
      '  filter: (ip.addr==10.99.0.1 && tcp.port==40001 && ip.addr==10.99.0.2 && tcp.port==8080) || (ip.addr==10.99.0.1 && tcp.port==40002 && ip.addr==10.99.0.2 && tcp.port==8080)',
      'service :8080: 1 connection of 4 fit none of its outcomes   (expectations line 3)',
      'handshake.kind "three_way", close.kind "half_closed" on 1 connection:',
      '  #3 10.99.0.1:40003 → 10.99.0.2:8080, frames 21–27; syn @21, syn_ack @22, handshake_complete @23, fin @26, half_close @26, open_at_end @27',
      '  filter: ip.addr==10.99.0.1 && tcp.port==40003 && ip.addr==10.99.0.2 && tcp.port==8080',
    ]);
  });

  it('a sequence checks the order of a service connections, and says where it broke', () => {
    const text = rules(`{ "service": ":8080", "sequence": [
        { "connections": "1..3", "handshake.kind": "refused" },
        { "connections": 2, "close.kind": "three_way" } ] }`);
    const inOrder = report([refused(0), refused(1), closeByClient(2), closeByClient(3)]);
    expect(failing(inOrder, text)).toEqual([]);
    const swapped = report([refused(0), closeByClient(1), refused(2), closeByClient(3)]);
    expect(failing(swapped, text)).toEqual([
      'service :8080: sequence entry 2 expected 2 connections in a row from connection 2 on with close.kind "three_way", seen 1   (expectations line 4)',
      'connection 3 of 4 shows close.kind "not_established":',
      '  #3 10.99.0.1:40003 → 10.99.0.2:8080, frames 21–22; rst @22',
      '  filter: ip.addr==10.99.0.1 && tcp.port==40003 && ip.addr==10.99.0.2 && tcp.port==8080',
    ]);
    const longer = report([refused(0), closeByClient(1), closeByClient(2), closeByClient(3)]);
    expect(failing(longer, text)[0]).toBe('service :8080: 1 connection more than the sequence describes, from connection 4 on   (expectations line 4)');
  });

  it('selects by client address when given, and by IPv6 service in any spelling', () => {
    const v6 = closeByClient(0, { client: { ip: 'fd99::1', port: 40001 }, server: { ip: 'fd99::2', port: 8080 } });
    expect(failing(report([v6]), rules(`{ "service": "[fd99:0::2]:8080", "client": "fd99::1", "connections": 1 }`))).toEqual([]);
    expect(failing(report([v6]), rules(`{ "service": "[fd99::2]:8080", "client": "fd99::9", "connections": 1 }`))).toEqual([
      'service [fd99::2]:8080 from client fd99::9: expected 1 connection, seen 0   (expectations line 2)',
    ]);
  });
});

describe('--update writes rules per service', () => {
  it('200 connections to one service become one short rule; their client ports appear nowhere', () => {
    const conns = concurrent(200, (i) => (i % 10 === 9 ? finalAckLost(i) : closeByClient(i)));
    const r = report(conns);
    const { text, changes } = writeBaseline(r, null);
    expect(text).toBe(`{
  "rules": [
    {
      "capture": {
        "connections": 200
      }
    },
    {
      "service": "10.99.0.2:8080",
      "connections": 200,
      "every": {
        "handshake.kind": "three_way",
        "close.initiator": "client",
        "close.rstBy": null,
        "finalState.client": "TIME_WAIT",
        "finalState.server": "CLOSED"
      },
      "outcomes": [
        { "connections": 180, "close.kind": "three_way", "close.finalAckLost": false },
        { "connections": 20, "close.kind": "four_way", "close.finalAckLost": true }
      ]
    }
  ]
}
`);
    expect(changes).toEqual(['added a rule for 10.99.0.2:8080: 200 connections']);
    expect(failing(r, text)).toEqual([]);
    // The same behaviour captured again, every client port and time different: still holds.
    const again = report(conns.map((c, i) => moved(c, 33000 + ((i * 37) % 20000), 1_900_000_000 + i * 0.0001)));
    expect(failing(again, text)).toEqual([]);
  });

  it('connections one after another keep their order as a sequence', () => {
    const r = report([refused(0), closeByClient(1), closeByClient(2)]);
    const { text } = writeBaseline(r, null);
    expect(text).toContain(`"sequence": [
        { "connections": 1, "handshake.kind": "refused", "close.kind": "not_established", "close.initiator": "server", "close.rstBy": "server", "finalState.client": "CLOSED" },
        { "connections": 2, "handshake.kind": "three_way", "close.kind": "three_way", "close.initiator": "client", "close.rstBy": null, "finalState.client": "TIME_WAIT" }
      ]`);
    expect(failing(r, text)).toEqual([]);
    expect(failing(report([closeByClient(0), refused(1), closeByClient(2)]), text)).not.toEqual([]);
  });

  it('one rule per server address and port; a port served by many addresses is one service by its port', () => {
    const pool = Array.from({ length: 5 }, (_, i) => ({ ...closeByClient(i), server: { ip: `10.99.0.${10 + i}`, port: 443 }, start: 1_700_000_000 }));
    const r = report([...pool, { ...refused(5), server: { ip: '10.99.0.2', port: 9021 } }, closeByClient(6)]);
    const { text } = writeBaseline(r, null);
    expect([...text.matchAll(/"service": "([^"]+)"/g)].map((m) => m[1])).toEqual([':443', '10.99.0.2:9021', '10.99.0.2:8080']);
    expect(failing(r, text)).toEqual([]);
  });

  it('a service that appears in the capture gets a rule appended; a service gone is removed, and both are said', () => {
    const existing = loadedExpectations(rules(`{ "service": "10.99.0.2:8080", "connections": 1, "every": { "close.kind": "three_way" } }`, `{ "service": ":7000", "connections": 2 }`));
    const r = report([closeByClient(0), { ...refused(1), server: { ip: '10.99.0.2', port: 9021 } }]);
    const { text, changes } = writeBaseline(r, existing);
    expect(changes).toEqual(['rule 2: removed, no connection to :7000 now', 'added a rule for 10.99.0.2:9021: 1 connection']);
    expect([...text.matchAll(/"service": "([^"]+)"/g)].map((m) => m[1])).toEqual(['10.99.0.2:8080', '10.99.0.2:9021']);
    expect(failing(r, text)).toEqual([]);
  });

  it('a rule that pinned a client port, in a capture where that port changed, becomes a service rule keeping its note and paths', () => {
    const old = loadedExpectations(`{
  "rules": [
    {
      "select": { "client": "10.99.0.1:40001", "server": "10.99.0.2:8080" },
      "note": "frames 6-8: FIN, FIN+ACK, ACK",
      "expect": { "close.kind": "three_way", "client.port": 40001, "events.fin": 2 }
    }
  ]
}`);
    const r = report([moved(closeByClient(0), 51515, 1_800_000_000)]);
    expect(failing(r, `{"rules": [ { "select": { "client": "10.99.0.1:40001", "server": "10.99.0.2:8080" }, "expect": { "events.fin": 2 } } ]}`)).not.toEqual([]);
    const { text, changes } = writeBaseline(r, old);
    expect(text).toBe(`{
  "rules": [
    {
      "service": "10.99.0.2:8080",
      "client": "10.99.0.1",
      "note": "frames 6-8: FIN, FIN+ACK, ACK",
      "connections": 1,
      "every": {
        "close.kind": "three_way",
        "events.fin": 2
      }
    }
  ]
}
`);
    expect(changes).toEqual(['rule 1: selected client port 40001, which a new capture changes: now 10.99.0.2:8080 from client 10.99.0.1, its expectations kept']);
    expect(failing(r, text)).toEqual([]);
  });

  it('a server taking connections on several ports it picked (FTP passive data) is one service over the range', () => {
    const data = (i: number, port: number) => ({ ...closeByClient(i), server: { ip: '10.99.0.2', port }, start: 1_700_000_000 + i });
    const r = report([closeByClient(0, { server: { ip: '10.99.0.2', port: 21 } }), data(1, 50123), data(2, 50124), data(3, 48879 + 0)]);
    const { text } = writeBaseline(r, null);
    expect([...text.matchAll(/"service": "([^"]+)"/g)].map((m) => m[1])).toEqual(['10.99.0.2:21', '10.99.0.2:32768-65535']);
    expect(failing(r, text)).toEqual([]);
    // The next capture's data connections use other ports: still the same service.
    expect(failing(report([closeByClient(0, { server: { ip: '10.99.0.2', port: 21 } }), data(1, 41000), data(2, 60999), data(3, 33333)]), text)).toEqual([]);
    // A single high port stays itself (a service that listens there).
    expect(writeBaseline(report([data(1, 48879)]), null).text).toContain('"service": "10.99.0.2:48879"');
    expect(rejectedExpectations(rules(`{ "service": "10.0.0.2:60000-50000", "connections": 1 }`))[0]?.message).toContain('bad port');
  });

  it('an existing service rule keeps its paths and the values that hold; a path that now differs moves to outcomes', () => {
    const existing = loadedExpectations(`{
  "rules": [
    {
      "service": ":8080",
      "note": "kept",
      "connections": "3 ± 1",
      "every": {
        "handshake.kind": "three_way",
        "close.kind": "three_way",
        "events.fin": ">= 1"
      }
    }
  ]
}`);
    const r = report([...concurrent(2), { ...finalAckLost(2), start: 1_700_000_000 }]);
    const { text, changes } = writeBaseline(r, existing);
    expect(text).toBe(`{
  "rules": [
    {
      "service": ":8080",
      "note": "kept",
      "connections": "3 ± 1",
      "every": {
        "handshake.kind": "three_way",
        "events.fin": ">= 1"
      },
      "outcomes": [
        { "connections": 2, "close.kind": "three_way" },
        { "connections": 1, "close.kind": "four_way" }
      ]
    }
  ]
}
`);
    expect(changes).toEqual(['rule 1: close.kind differs between the connections now: moved from "every" to "outcomes"', 'rule 1: outcomes rewritten from the capture (2)']);
    expect(failing(r, text)).toEqual([]);
    // Written again from its own output: nothing changes.
    expect(writeBaseline(r, loadedExpectations(text)).text).toBe(text);
    expect(writeBaseline(r, loadedExpectations(text)).changes).toEqual([]);
  });
});
