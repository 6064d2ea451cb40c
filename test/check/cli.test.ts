/**
 * `tcpshake check` end to end through main(), with analyze() replaced by hand-built reports so the
 * command's own behaviour (files, exit codes, --update, --junit, --format) is tested on its own.
 * test/samples.test.ts and test/check/samples-cli.test.ts run the real analyzer on real captures.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { closeByClient, finalAckLost, refused, report } from './fixtures.js';
import { runMain as run } from '../report-html/memory-io.js';

const REPORTS: Record<string, () => Report> = {
  'close.pcap': () => report([closeByClient(0)], 'close.pcap'),
  'changed.pcap': () => report([finalAckLost(0)], 'changed.pcap'),
  'two.pcap': () => report([closeByClient(0), refused(1)], 'two.pcap'),
  'corrupt.pcap': () => {
    const r = report([closeByClient(0)], 'corrupt.pcap');
    (r.captures[0] as Report['captures'][number]).error = { file: 'corrupt.pcap', frame: 9, offset: 1234, message: 'record length 4000000 exceeds snap length' };
    return r;
  },
};

vi.mock('../../src/pipeline/analyze.js', () => ({
  analyze: async (inputs: (string | { name: string })[]) => {
    const names = inputs.map((i) => (typeof i === 'string' ? i : i.name));
    const make = REPORTS[path.basename(names[0] ?? '')];
    if (!make) {
      const e = new Error(`ENOENT: no such file or directory, open '${names[0]}'`) as NodeJS.ErrnoException;
      e.code = 'ENOENT';
      e.path = names[0] ?? '';
      throw e;
    }
    return make();
  },
}));

const dir = mkdtempSync(path.join(tmpdir(), 'tcpshake-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text?: string): string => {
  const p = path.join(dir, name);
  if (text !== undefined) writeFileSync(p, text);
  return p;
};

const EXPECT = `{
  "description": "client closes",
  "captures": ["close.pcap"],
  "rules": [
    {
      "select": { "client": "10.99.0.1:40001", "server": "10.99.0.2:8080" },
      "expect": { "handshake.kind": "three_way", "close.kind": "three_way", "events.fin": 2 }
    },
    { "policy": "no_reset_by_server" }
  ]
}
`;

describe('tcpshake check', () => {
  it('exit 0 and PASS lines when every rule holds (captures from the file, relative to it)', async () => {
    const r = await run('check', '--expect', file('ok.expect.json', EXPECT));
    expect(r.err).toBe('');
    expect(r.out).toBe(
      [
        `${file('ok.expect.json')} (${path.join(dir, 'close.pcap')})`,
        'PASS rule 1: client 10.99.0.1:40001 → server 10.99.0.2:8080',
        'PASS rule 2: policy no_reset_by_server',
        '2 passed, 0 failed',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
  });

  it('exit 1 with the failure when the capture changed; capture arguments override the file', async () => {
    const r = await run('check', 'changed.pcap', '--expect', file('ok.expect.json', EXPECT));
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL rule 1: client 10.99.0.1:40001 → server 10.99.0.2:8080\n  - connection #1 10.99.0.1:40001 → 10.99.0.2:8080\n    close.kind: expected "three_way", seen "four_way"   (expectations line 7)');
    expect(r.out).toContain('look at frames 1–10; fin @6, fin @8, fin_retransmit @9, final_ack_lost @9, close_complete @10');
    expect(r.out).toMatch(/1 passed, 1 failed\n$/);
  });

  it('exit 2 with file:line:column on a bad expectations file', async () => {
    const bad = file('bad.expect.json', EXPECT.replace('"close.kind": "three_way"', '"close.kind": "threeway"'));
    const r = await run('check', '--expect', bad);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`ERROR ${bad}:7:64: unknown value "threeway" for close.kind (did you mean "three_way"?)`);
    const syntax = file('syntax.expect.json', EXPECT.replace('"events.fin": 2 }', '"events.fin": 2, }'));
    const s = await run('check', '--expect', syntax, '--format', 'markdown');
    expect(s.code).toBe(2);
    expect(s.err).toContain(`${syntax}:7:94: invalid JSON: trailing comma before '}'`);
    expect((await run('check', '--expect', path.join(dir, 'nope.expect.json'))).code).toBe(2);
  });

  it('exit 3 on an unopenable capture and on a capture whose reading stopped early', async () => {
    const missing = await run('check', 'missing.pcap', '--expect', file('ok.expect.json', EXPECT));
    expect(missing.code).toBe(3);
    expect(missing.out).toContain('ERROR missing.pcap: no such file or directory');
    const corrupt = await run('check', 'corrupt.pcap', '--expect', file('ok.expect.json', EXPECT));
    expect(corrupt.code).toBe(3);
    expect(corrupt.out).toContain('ERROR corrupt.pcap: frame 9 at byte offset 1234: record length 4000000 exceeds snap length');
    // Rules are not judged on a capture that could not be read to the end.
    expect(corrupt.out).not.toMatch(/PASS|FAIL/);
    expect(corrupt.out).toMatch(/0 passed, 0 failed, 1 error\n$/);
  });

  it('a usage error (no --expect, no captures anywhere) exits 2', async () => {
    expect((await run('check', 'close.pcap')).code).toBe(2);
    const late = await run('check', '--expect', file('ok.expect.json', EXPECT), 'close.pcap');
    expect(late.code).toBe(2);
    expect(late.err).toContain('close.pcap looks like a capture: put capture files before --expect');
    const r = await run('check', '--expect', file('nocap.expect.json', '{"rules":[]}'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('lists no "captures"');
  });

  it('--update creates the file; check then passes; an edited value then fails with the right message', async () => {
    const target = path.join(dir, 'new', 'two.expect.json');
    const u = await run('check', path.join(dir, 'two.pcap'), '--expect', target, '--update');
    expect(u.code).toBe(0);
    expect(u.err).toContain(`created ${target}`);
    const text = readFileSync(target, 'utf8');
    expect(JSON.parse(text).captures).toEqual(['../two.pcap']);
    const again = await run('check', '--expect', target);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/2 passed, 0 failed\n$/);
    // One rule for the service, by its address and port: no client port in it.
    expect(text).toContain('"service": "10.99.0.2:8080"');
    expect(text).not.toContain('4000');

    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes('"close.rstBy": "server"'));
    lines[at] = (lines[at] as string).replace('"close.rstBy": "server"', '"close.rstBy": "client"');
    writeFileSync(target, lines.join('\n'));
    const edited = await run('check', '--expect', target);
    expect(edited.code).toBe(1);
    expect(edited.out).toContain(
      'service 10.99.0.2:8080: sequence entry 2 expected 1 connection in a row from connection 2 on with handshake.kind "refused", close.kind "not_established", ' +
        `close.initiator "server", close.rstBy "client", finalState.client "CLOSED", seen 0   (expectations line ${at + 1})`,
    );
    expect(edited.out).toContain('connection 2 of 2 shows close.rstBy "server":\n      #2 10.99.0.1:40002 → 10.99.0.2:8080, frames 11–12;');

    // Updating again restores it and reports the change.
    const u2 = await run('check', '--expect', target, '--update');
    expect(u2.code).toBe(0);
    expect(u2.err).toContain('rule 2: sequence rewritten from the capture (2 entries)');
    expect(readFileSync(target, 'utf8')).toBe(text);
    expect((await run('check', '--expect', target, '--update')).err).toBe(`tcpshake: ${target} is up to date\n`);
  });

  it('--update never overwrites a bad expectations file', async () => {
    const bad = file('badup.expect.json', '{"rules": [ { "policy": "nope" } ]}');
    const r = await run('check', 'close.pcap', '--expect', bad, '--update');
    expect(r.code).toBe(2);
    expect(readFileSync(bad, 'utf8')).toBe('{"rules": [ { "policy": "nope" } ]}');
  });

  it('--junit writes a report and --format markdown prints the job summary', async () => {
    const junit = path.join(dir, 'out', 'junit.xml');
    const r = await run('check', 'changed.pcap', '--expect', file('ok.expect.json', EXPECT), '--expect', file('ok2.expect.json', EXPECT), '--junit', junit, '--format', 'markdown');
    expect(r.code).toBe(1);
    expect(existsSync(junit)).toBe(true);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain('<failure message="#1 close.kind: expected &quot;three_way&quot;, seen &quot;four_way&quot;"');
    expect(r.out).toMatch(/^### ❌ tcpshake check: 2 passed, 2 failed/);
    expect(r.out).toContain('| ❌ | rule 1: client 10.99.0.1:40001 → server 10.99.0.2:8080 |');
  });

  it('takes several files after one --expect (a shell glob), each with its own captures', async () => {
    const a = file('ga.expect.json', EXPECT);
    const b = file('gb.expect.json', EXPECT.replace('"close.pcap"', '"changed.pcap"'));
    const r = await run('check', '--expect', a, b);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${a} (${path.join(dir, 'close.pcap')})\nPASS rule 1`);
    expect(r.out).toContain(`${b} (${path.join(dir, 'changed.pcap')})\nFAIL rule 1`);
    expect(r.out).toMatch(/3 passed, 1 failed\n$/);
  });

  it('without "captures" in the file, checks the capture next to it with the same name', async () => {
    const expectFile = file('close.expect.json', EXPECT.replace('  "captures": ["close.pcap"],\n', ''));
    expect(readFileSync(expectFile, 'utf8')).not.toContain('captures');
    const none = await run('check', '--expect', expectFile);
    expect(none.code).toBe(2);
    expect(none.err).toContain('lists no "captures" and there is no close.pcap (or .pcapng) next to it');
    file('close.pcap', '');
    const r = await run('check', '--expect', expectFile);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(`${expectFile} (${path.join(dir, 'close.pcap')})`);
  });
});
