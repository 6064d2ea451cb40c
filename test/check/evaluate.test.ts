import { describe, expect, it } from 'vitest';
import { loadExpectations, type Expectations } from '../../src/check/expectations.js';
import { evaluate, failureLines, type Failure, type RuleResult } from '../../src/check/evaluate.js';
import { exitCode, type SuiteResult } from '../../src/check/suite.js';
import { renderText } from '../../src/check/text.js';
import { renderMarkdown } from '../../src/check/markdown.js';
import { closeByClient, closeWait, ev, finalAckLost, refused, report } from './fixtures.js';

function load(text: string): Expectations {
  const r = loadExpectations(text, 'x.expect.json');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return r.expectations;
}

const rules = (...r: string[]): Expectations => load(`{"rules":[\n${r.join(',\n')}\n]}`);
const failures = (r: RuleResult | undefined): Failure[] => (r?.outcome === 'fail' ? r.failures : []);

const SPEC_RULES = rules(
  `{ "select": { "client": "10.99.0.1:40001", "server": "10.99.0.2:8080" }, "note": "frames 6-8 close", "expect": {
     "handshake.kind": "three_way", "close.kind": "three_way", "close.initiator": "client", "close.rstBy": null,
     "close.finalAckLost": false, "finalState.client": "TIME_WAIT", "finalState.server": "CLOSED",
     "events.syn_retransmit": "<= 1", "events.fin": 2 } }`,
  `{ "capture": { "connections": 1, "close.three_way": 1 } }`,
  `{ "policy": "no_reset_by_server" }`,
  `{ "policy": "no_close_wait_at_end" }`,
);

describe('evaluate', () => {
  it('passes the documented example on the connection it describes', () => {
    const results = evaluate(report([closeByClient()]), SPEC_RULES);
    expect(results.map((r) => r.outcome)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(results[0]).toMatchObject({ connections: 1, checks: 9, title: 'rule 1: client 10.99.0.1:40001 → server 10.99.0.2:8080' });
  });

  it('a changed close is a mismatch naming connection, expected, seen, frames and filter', () => {
    const changed = finalAckLost(0);
    const results = evaluate(report([changed]), SPEC_RULES);
    expect(results.map((r) => r.outcome)).toEqual(['fail', 'fail', 'pass', 'pass']);
    const f = failures(results[0]);
    expect(f.map((x) => (x.kind === 'mismatch' ? `${x.path}: ${x.expected} / ${x.seen}` : x.kind))).toEqual([
      'close.kind: "three_way" / "four_way"',
      'close.finalAckLost: false / true',
    ]);
    const m = f[0];
    if (m?.kind !== 'mismatch') throw new Error('mismatch expected');
    expect(m.connection).toMatchObject({ id: 1, firstFrame: 1, lastFrame: 10 });
    expect(m.frames.map((x) => `${x.label}@${x.frame}`)).toEqual(['fin@6', 'fin@8', 'fin_retransmit@9', 'final_ack_lost@9', 'close_complete@10']);
    expect(failureLines(m)).toEqual([
      'connection #1 10.99.0.1:40001 → 10.99.0.2:8080',
      'close.kind: expected "three_way", seen "four_way"   (expectations line 3)',
      'look at frames 1–10; fin @6, fin @8, fin_retransmit @9, final_ack_lost @9, close_complete @10',
      'filter: ip.addr==10.99.0.1 && tcp.port==40001 && ip.addr==10.99.0.2 && tcp.port==8080',
    ]);
    // capture rule: close.three_way 1 → 0, listing nothing (no connection counted).
    expect(failures(results[1])).toMatchObject([{ kind: 'count_mismatch', key: 'close.three_way', expected: '1', seen: 0 }]);
  });

  it('a selector that matches nothing is a failure', () => {
    const x = rules(`{ "select": { "server": ":9999" }, "expect": { "handshake.kind": "three_way" } }`, `{ "select": { "id": 7 }, "expect": {} }`);
    const results = evaluate(report([closeByClient()]), x);
    expect(results.map((r) => failures(r))).toEqual([
      [{ kind: 'no_match', selector: 'server :9999' }],
      [{ kind: 'no_match', selector: 'connection id 7' }],
    ]);
  });

  it('selects by ip only, :port, id, nth and IPv6 in any spelling', () => {
    const v6 = closeByClient(2, { client: { ip: 'fd99::1', port: 40001 }, server: { ip: 'fd99::2', port: 443 } });
    const conns = [closeByClient(0), closeByClient(1), v6];
    const x = rules(
      `{ "select": { "client": "10.99.0.1" }, "expect": { "id": "in 1|2" } }`,
      `{ "select": { "server": ":8080" }, "expect": { "server.port": 8080 } }`,
      `{ "select": { "id": 2 }, "expect": { "client.port": 40002 } }`,
      `{ "select": { "client": "10.99.0.1", "server": "10.99.0.2", "nth": 2 }, "expect": { "id": 2 } }`,
      `{ "select": { "client": "[fd99:0::0:1]:40001", "server": "FD99::2" }, "expect": { "id": 3 } }`,
      `{ "select": "all", "expect": { "handshake.kind": "three_way" } }`,
    );
    const results = evaluate(report(conns), x);
    expect(results.map((r) => [r.outcome, r.connections])).toEqual([
      ['pass', 2],
      ['pass', 2],
      ['pass', 1],
      ['pass', 1],
      ['pass', 1],
      ['pass', 3],
    ]);
  });

  it('counts events per connection and over the capture', () => {
    const c = closeByClient(0, { events: [...closeByClient().events, ev('syn_retransmit', 2, 'client'), ev('syn_retransmit', 3, 'client')] });
    const x = rules(`{ "select": "all", "expect": { "events.syn_retransmit": "<= 1" } }`, `{ "capture": { "events.syn_retransmit": 2, "events.fin": "> 2" } }`);
    const results = evaluate(report([c]), x);
    const f = failures(results[0])[0];
    expect(f).toMatchObject({ kind: 'mismatch', path: 'events.syn_retransmit', expected: '<= 1', seen: '2' });
    expect(f?.kind === 'mismatch' ? f.frames.map((x) => x.frame) : []).toEqual([2, 3]);
    expect(failures(results[1])).toMatchObject([{ key: 'events.fin', expected: '> 2', seen: 2, connections: [{ id: 1 }] }]);
  });

  it('capture counters of every family', () => {
    const r = report([closeByClient(0), refused(1), closeWait(2), finalAckLost(3)]);
    const x = rules(`{ "capture": {
      "connections": 4, "handshake.three_way": 3, "handshake.refused": 1, "close.three_way": 1, "close.four_way": 1,
      "close.half_closed": 1, "close.not_established": 1, "events.rst": 1, "events.fin": 5,
      "finalState.client.CLOSE_WAIT": 1, "finalState.server.CLOSED": 3, "finalState.client.TIME_WAIT": 2,
      "zeek.connState.REJ": 1, "zeek.connState.SF": 2 } }`);
    const [res] = evaluate(r, x);
    expect(failures(res)).toEqual([]);
    expect(res?.checks).toBe(14);
  });

  it('policies flag each offending connection with its reason and frames', () => {
    const r = report([closeByClient(0), refused(1), closeWait(2), finalAckLost(3)]);
    const x = rules(
      `{ "policy": "no_reset_by_server" }`,
      `{ "policy": "no_reset_by_client" }`,
      `{ "policy": "no_close_wait_at_end" }`,
      `{ "policy": "no_final_ack_lost" }`,
      `{ "policy": "no_unanswered_syn" }`,
      `{ "policy": "no_refused" }`,
      `{ "policy": "all_handshakes_complete" }`,
      `{ "policy": "all_closed" }`,
    );
    const results = evaluate(r, x);
    const summary = results.map((res) => failures(res).map((f) => (f.kind === 'policy_violation' ? `${f.connection.id}: ${f.reason} [${f.frames.map((x) => x.frame).join(',')}]` : f.kind)));
    expect(summary).toEqual([
      ['2: server sent RST (RST answering SYN); close.kind not_established [12]'],
      [],
      ['3: client still in CLOSE_WAIT at the end of the capture [26,26,27]'],
      ['4: final ACK lost (the passive closer retransmitted its FIN) [39,39]'],
      [],
      ['2: connection refused (SYN answered by RST) [11,12,12]'],
      ['2: handshake refused [11,12]'],
      ['3: close half_closed [26,26,27]'],
    ]);
  });

  it('a policy on RSTs describes that side\'s RST, not the first one of the connection', () => {
    const base = closeByClient();
    const c = closeByClient(0, {
      close: { kind: 'reset', initiator: 'client', rstBy: 'both', finalAckLost: false, finalAckSeen: false, detail: 'RST by client in ESTABLISHED', rst: { by: 'client', frame: 5, state: { client: 'ESTABLISHED', server: 'ESTABLISHED' }, check: 'exact' } },
      events: [...base.events.slice(0, 3), ev('rst', 5, 'client', 'exact; client ESTABLISHED'), ev('rst', 8, 'server', 'exact; again after the connection was reset')],
    });
    const [byServer, byClient] = evaluate(report([c]), rules(`{ "policy": "no_reset_by_server" }`, `{ "policy": "no_reset_by_client" }`));
    expect(failures(byServer)).toMatchObject([{ reason: 'server sent RST (exact; again after the connection was reset); close.kind reset', frames: [{ frame: 8, label: 'rst' }] }]);
    expect(failures(byClient)).toMatchObject([{ reason: 'client sent RST (exact; client ESTABLISHED); close.kind reset', frames: [{ frame: 5 }] }]);
  });

  it('unanswered SYNs break no_unanswered_syn and all_handshakes_complete', () => {
    const c = closeByClient(0, {
      handshake: { ...closeByClient().handshake, kind: 'unanswered', synRetransmits: 2 },
      close: { kind: 'not_established', initiator: null, rstBy: null, finalAckLost: false, finalAckSeen: false },
      events: [ev('syn', 1, 'client'), ev('syn_retransmit', 2, 'client'), ev('syn_retransmit', 3, 'client'), ev('unanswered', 3, 'client')],
    });
    const results = evaluate(report([c]), rules(`{ "policy": "no_unanswered_syn" }`, `{ "policy": "all_handshakes_complete" }`, `{ "policy": "no_syn_retransmit" }`));
    expect(results.map((r) => r.outcome)).toEqual(['fail', 'fail', 'fail']);
    expect(failures(results[0])[0]).toMatchObject({ reason: 'SYN unanswered (2 retransmissions)' });
  });

  it('missing optional parts read as null, so they can be expected', () => {
    const x = rules(`{ "select": "all", "expect": { "close.rst.by": null, "close.detail": null, "idleExpired": false, "handshake.rtt.synBackoff.length": 0 } }`);
    expect(evaluate(report([closeByClient()]), x)[0]?.outcome).toBe('pass');
    const y = rules(`{ "select": "all", "expect": { "handshake.options.server.mss": "in null|1460", "states.server": "SYN_RECEIVED > ESTABLISHED > LAST_ACK > CLOSED" } }`);
    expect(evaluate(report([closeByClient(), refused(1)]), y).map((r) => r.outcome)).toEqual(['fail']);
    expect(failures(evaluate(report([closeByClient(), refused(1)]), y)[0])).toMatchObject([{ path: 'states.server', connection: { id: 2 }, seen: '""' }]);
  });
});

describe('exit codes and text output', () => {
  const suite = (over: Partial<SuiteResult>): SuiteResult => ({ expectationsFile: 'x.expect.json', captures: ['x.pcap'], problems: [], inputErrors: [], results: [], time: 0, ...over });

  it('exit code: 0 all hold, 1 a failure, 3 unreadable input, 2 bad expectations', () => {
    const pass = evaluate(report([closeByClient()]), SPEC_RULES);
    const fail = evaluate(report([finalAckLost(0)]), SPEC_RULES);
    expect(exitCode([suite({ results: pass })])).toBe(0);
    expect(exitCode([suite({ results: pass }), suite({ results: fail })])).toBe(1);
    expect(exitCode([suite({ results: fail, inputErrors: ['x.pcap: cannot open'] })])).toBe(3);
    expect(exitCode([suite({ results: fail, inputErrors: ['x'] }), suite({ problems: [{ file: 'y', line: 1, column: 1, message: 'm' }] })])).toBe(2);
    expect(exitCode([])).toBe(0);
  });

  it('text: PASS/FAIL per rule, details indented, tally line', () => {
    const results = evaluate(report([finalAckLost(0)]), SPEC_RULES);
    const text = renderText([suite({ results })]);
    expect(text).toBe(
      [
        'x.expect.json (x.pcap)',
        'FAIL rule 1: client 10.99.0.1:40001 → server 10.99.0.2:8080 — frames 6-8 close',
        '  - connection #1 10.99.0.1:40001 → 10.99.0.2:8080',
        '    close.kind: expected "three_way", seen "four_way"   (expectations line 3)',
        '    look at frames 1–10; fin @6, fin @8, fin_retransmit @9, final_ack_lost @9, close_complete @10',
        '    filter: ip.addr==10.99.0.1 && tcp.port==40001 && ip.addr==10.99.0.2 && tcp.port==8080',
        '  - connection #1 10.99.0.1:40001 → 10.99.0.2:8080',
        '    close.finalAckLost: expected false, seen true   (expectations line 4)',
        '    look at frames 1–10; fin @6, fin @8, fin_retransmit @9, final_ack_lost @9, close_complete @10',
        '    filter: ip.addr==10.99.0.1 && tcp.port==40001 && ip.addr==10.99.0.2 && tcp.port==8080',
        'FAIL rule 2: capture connections, close.three_way',
        '  - close.three_way: expected 1, seen 0   (expectations line 6)',
        'PASS rule 3: policy no_reset_by_server',
        'PASS rule 4: policy no_close_wait_at_end',
        '2 passed, 2 failed',
        '',
      ].join('\n'),
    );
  });

  it('text caps long failure lists', () => {
    const conns = Array.from({ length: 30 }, (_, i) => refused(i));
    const results = evaluate(report(conns), rules('{ "policy": "no_refused" }'));
    const text = renderText([suite({ results })], { maxFailures: 5 });
    expect(text.match(/^ {2}- connection/gm)).toHaveLength(5);
    expect(text).toContain('  ... and 25 more');
    expect(text.trimEnd().split('\n').pop()).toBe('0 passed, 1 failed');
  });

  it('markdown: a table row per rule with ✅/❌ and escaped cells', () => {
    const c = finalAckLost(0);
    c.displayFilter = 'tcp.port==40001 || tcp.port==8080 <x>';
    const results = evaluate(report([c]), SPEC_RULES);
    const md = renderMarkdown([suite({ results, description: 'a | b' })]);
    const rows = md.split('\n').filter((l) => l.startsWith('| ✅') || l.startsWith('| ❌'));
    expect(rows.map((r) => r.slice(0, 3))).toEqual(['| ❌', '| ❌', '| ✅', '| ✅']);
    expect(md).toContain('### ❌ tcpshake check: 2 passed, 2 failed');
    expect(md).toContain('a \\| b');
    expect(md).toContain('tcp.port==40001 \\|\\| tcp.port==8080 &lt;x&gt;');
    // Each row stays one table row: as many unescaped pipes as a 3-column row has.
    for (const r of rows) expect(r.replace(/\\\|/g, '').split('|').length).toBe(5);
    expect(renderMarkdown([suite({ results: evaluate(report([closeByClient()]), SPEC_RULES) })])).toContain('### ✅ tcpshake check: 4 passed, 0 failed');
  });
});
