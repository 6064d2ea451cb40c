/**
 * The real CLI, end to end: golden files (command, stdout, stderr, exit code) for every format and
 * for `ladder` over the bundled samples, plus behaviour that goldens cannot show (pipes, stdin,
 * zeek-cut-style reading, exit codes). `UPDATE_GOLDEN=1 npx vitest run test/cli` rewrites the
 * goldens — read the diff against `tshark -r` before accepting it.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, WORK, buildCli, runCli, runShell, sampleFiles, type RunResult } from './harness.js';
import { writeCorrupt, writeManySyns } from './pcapgen.js';
import { zeekCut } from '../report/zeekcut.js';
import { unknownOption } from '../../src/cli/main.js';

const GOLDEN = join(ROOT, 'test', 'cli', 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const samples = sampleFiles();
const hasSamples = samples.length > 0;
const sample = (name: string): string | undefined => samples.find((s) => basename(s).replace(/\.pcap(ng)?$/, '') === name);

interface Case {
  name: string;
  args: string[];
  stdinFile?: string;
}

function goldenText(c: Case, r: RunResult): string {
  const cmd = ['tcpshake', ...c.args].map((a) => (/[\s'"|<>]/.test(a) ? `'${a}'` : a)).join(' ') + (c.stdinFile ? ` < ${c.stdinFile}` : '');
  return `$ ${cmd}\n--- exit code: ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}--- end\n`;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const s of samples) {
    const b = basename(s).replace(/\.pcap(ng)?$/, '');
    out.push({ name: `text-${b}`, args: [s] });
    out.push({ name: `ladder-${b}`, args: ['ladder', s, '--connection', '1', '--width', '110'] });
  }
  const add = (name: string, sampleName: string, args: (s: string) => string[]): void => {
    const s = sample(sampleName);
    if (s) out.push({ name, args: args(s) });
  };
  add('json-close-four-way', 'close-four-way', (s) => ['--format', 'json', s]);
  add('ndjson-time-wait-reuse', 'time-wait-reuse', (s) => ['--format', 'ndjson', s]);
  add('csv-rst-unread-data', 'rst-unread-data', (s) => ['--format', 'csv', s]);
  add('zeek-final-ack-lost', 'final-ack-lost-client-side', (s) => ['--format', 'zeek', s]);
  add('mermaid-final-ack-lost', 'final-ack-lost-client-side', (s) => ['ladder', '--format', 'mermaid', s, '-c', '1']);
  add('mermaid-close-three-way', 'close-three-way', (s) => ['ladder', '--format', 'mermaid', s, '-c', '1']);
  add('events-refused', 'refused', (s) => ['--events', s]);
  add('detail-rst-linger0', 'rst-linger0', (s) => [s, '--connection', '1']);
  add('fail-on-rst-linger0', 'rst-linger0', (s) => ['--fail-on', 'close:reset', s]);
  add('findings-exit-refused', 'refused', (s) => ['--fail-on', 'warnings', s]);
  add('filter-no-match', 'close-by-client', (s) => ['--handshake', 'refused', s]);
  add('json-connection-2', 'time-wait-reuse', (s) => ['--format', 'json', '--connection', '2', s]);
  add('ladder-client-time-wait-reuse', 'time-wait-reuse', (s) => ['ladder', s, '--client', '10.99.1.2:40013', '--width', '110']);
  add('ladder-ipv6-client', 'ipv6-close', (s) => ['ladder', s, '--client', '[fd99::1:2]:40015', '--width', '110']);
  add('ladder-no-choice', 'time-wait-reuse', (s) => ['ladder', s]);
  add('ladder-full-keepalive', 'keepalive', (s) => ['ladder', s, '-c', '1', '--full', '--width', '110']);
  add('mermaid-simultaneous-close', 'simultaneous-close', (s) => ['ladder', '--format', 'mermaid', s, '-c', '1']);
  // The same connection captured at both ends, merged: frame numbers repeat, so they name the file.
  const clientSide = sample('final-ack-lost-client-side');
  const serverSide = sample('final-ack-lost-server-side');
  if (clientSide && serverSide) {
    out.push({ name: 'ladder-merged-final-ack-lost', args: ['ladder', clientSide, serverSide, '-c', '1', '--width', '120'] });
    out.push({ name: 'mermaid-merged-final-ack-lost', args: ['ladder', '--format', 'mermaid', clientSide, serverSide, '-c', '1'] });
  }
  const viaStdin = sample('close-by-server');
  if (viaStdin) out.push({ name: 'stdin-close-by-server', args: ['-'], stdinFile: viaStdin });
  add('usage-bad-close-kind', 'close-by-client', (s) => ['--close', 'rest', s]);
  add('usage-unknown-option', 'close-by-client', (s) => ['--bogus', s]);
  out.push({ name: 'usage-no-capture', args: [] });
  out.push({ name: 'missing-file', args: ['tmp/cli-test-work/no-such.pcap'] });
  out.push({ name: 'corrupt-record', args: ['tmp/cli-test-work/corrupt.pcap'] });
  out.push({ name: 'help', args: ['--help'] });
  out.push({ name: 'help-ladder', args: ['ladder', '--help'] });
  return out;
}

beforeAll(() => {
  buildCli();
  mkdirSync(WORK, { recursive: true });
  writeCorrupt(join(WORK, 'corrupt.pcap'));
}, 180_000);

describe('golden files', () => {
  const all = cases();
  for (const c of all) {
    it.skipIf(!hasSamples && c.name !== 'help' && c.name !== 'help-ladder' && c.name !== 'usage-no-capture')(c.name, () => {
      const input = c.stdinFile ? readFileSync(join(ROOT, c.stdinFile)) : undefined;
      const r = runCli(c.args, input ? { input } : {});
      const text = goldenText(c, r);
      const file = join(GOLDEN, `${c.name}.txt`);
      if (UPDATE || !existsSync(file)) {
        if (!UPDATE) throw new Error(`no golden file ${file}; run with UPDATE_GOLDEN=1 and review it`);
        writeFileSync(file, text);
      }
      expect(text).toBe(readFileSync(file, 'utf8'));
      // Never a stack trace, whatever happened.
      expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    });
  }
  it.skipIf(!hasSamples)('has no golden file without a case', () => {
    const names = new Set(all.map((c) => `${c.name}.txt`));
    const orphans = readdirSync(GOLDEN).filter((f) => f.endsWith('.txt') && !names.has(f));
    expect(orphans).toEqual([]);
  });
});

describe('behaviour', () => {
  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = runCli(['--version']);
    expect(r).toEqual({ stdout: `${pkg.version}\n`, stderr: '', code: 0 });
  });

  it('a closed stdout (| head -1) ends the run quietly with exit 0', () => {
    const big = join(WORK, 'many-syns.pcap');
    writeManySyns(big, 20000);
    // Text output for 20000 connections is megabytes: far past the pipe buffer, so writes hit EPIPE.
    const r = runShell(`$TCPSHAKE tmp/cli-test-work/many-syns.pcap 2>tmp/cli-test-work/head.err | head -1; echo "exit=\${PIPESTATUS[0]}"; cat tmp/cli-test-work/head.err`);
    expect(r.stdout).toBe('tcpshake: 1 capture\nexit=0\n');
    expect(r.stderr).toBe('');
  });

  it.skipIf(!hasSamples)('tcpshake <sample> | head -1 exits quietly too', () => {
    const r = runShell(`$TCPSHAKE ${samples[0]} 2>tmp/cli-test-work/head1.err | head -1; echo "exit=\${PIPESTATUS[0]}"; cat tmp/cli-test-work/head1.err`);
    expect(r.stdout).toBe('tcpshake: 1 capture\nexit=0\n');
  });

  it('an unknown option is named even when it took the only capture as its value', () => {
    expect(unknownOption(['--bogus', 'x.pcap'], ['format', 'f', 'color', 'idle-timeout'])).toBe('bogus');
    expect(unknownOption(['-x', 'x.pcap'], ['format', 'f'])).toBe('x');
    // Known spellings: aliases, --no-*, camelCase, a bare - (standard input), negative numbers, after --.
    expect(unknownOption(['-f', 'json', '--no-color', '--idleTimeout=5', '-', '-1', '--', '--later'], ['format', 'f', 'color', 'idle-timeout'])).toBeNull();
    // Without the list of known options nothing is judged.
    expect(unknownOption(['--bogus'], null)).toBeNull();
    const r = runCli(['ladder', '--bogus', 'x.pcap']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("tcpshake: Unknown argument: bogus\nRun 'tcpshake --help' for usage.\n");
    expect(runCli(['--format', 'json']).stderr).toMatch(/^tcpshake: no capture file given/);
  });

  it('usage errors exit 2 with the message and a usage hint, no stack trace', () => {
    const r = runCli(['--port', 'eighty', 'x.pcap']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("tcpshake: not a port number: eighty\nRun 'tcpshake --help' for usage.\n");
    const e = runCli(['--events', '--format', 'csv', 'x.pcap']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^tcpshake: --events writes JSON lines/);
    const l = runCli(['ladder', 'x.pcap', '--connection', '1', '--client', '10.0.0.1:5']);
    expect(l.code).toBe(2);
    expect(l.stderr).toMatch(/mutually exclusive/);
  });

  it('unreadable input exits 3, naming the file, frame and byte offset; the partial report is still printed', () => {
    const { badOffset } = writeCorrupt(join(WORK, 'corrupt2.pcap'));
    const r = runCli(['--format', 'json', 'tmp/cli-test-work/corrupt2.pcap']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^tcpshake: tmp/cli-test-work/corrupt2\\.pcap: frame 3 at byte offset ${badOffset}: .+\\n$`));
    const report = JSON.parse(r.stdout) as { captures: { frames: number; error?: unknown }[]; connections: unknown[] };
    expect(report.captures[0]!.frames).toBe(2);
    expect(report.captures[0]!.error).toBeDefined();
    expect(report.connections).toHaveLength(1);
    const missing = runCli(['tmp/cli-test-work/absent.pcap']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^tcpshake: tmp\/cli-test-work\/absent\.pcap: frame 1 at byte offset 0: .*no such file or directory.*\n$/);
  });

  it('a missing file gives only its error (exit 3) in analyze, ladder and report; nothing on stdout, no page', () => {
    // A page left by an earlier run must not pass for one written by this run.
    rmSync(join(WORK, 'absent.html'), { force: true });
    for (const args of [['tmp/cli-test-work/absent.pcap'], ['-f', 'json', 'tmp/cli-test-work/absent.pcap'], ['ladder', 'tmp/cli-test-work/absent.pcap'], ['report', 'tmp/cli-test-work/absent.pcap', '-o', 'tmp/cli-test-work/absent.html']]) {
      const r = runCli(args);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^tcpshake: tmp\/cli-test-work\/absent\.pcap: frame 1 at byte offset 0: .*no such file or directory.*\n$/);
    }
    expect(existsSync(join(WORK, 'absent.html'))).toBe(false);
  });

  it('reads standard input for -, and refuses two of them', () => {
    writeManySyns(join(WORK, 'three-syns.pcap'), 3);
    const input = readFileSync(join(WORK, 'three-syns.pcap'));
    const r = runCli(['--format', 'csv', '--fail-on', 'none', '-'], { input });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\r\n')).toHaveLength(4);
    const j = JSON.parse(runCli(['--format', 'json', '-'], { input }).stdout) as { captures: { file: string }[] };
    expect(j.captures[0]!.file).toBe('-');
    const two = runCli(['-', '-'], { input });
    expect(two.code).toBe(2);
    expect(two.stderr).toBe("tcpshake: standard input (-) can be read only once\nRun 'tcpshake --help' for usage.\n");
  });

  it('a plain analysis exits 0 even with warning findings; --fail-on warnings exits 1 on them', () => {
    writeManySyns(join(WORK, 'three-syns.pcap'), 3);
    const r = runCli(['tmp/cli-test-work/three-syns.pcap']);
    expect(r.stdout).toContain('[unanswered_syns]');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const warnings = runCli(['--fail-on', 'warnings', 'tmp/cli-test-work/three-syns.pcap']);
    expect(warnings.code).toBe(1);
    expect(warnings.stderr).toBe('tcpshake: --fail-on matched: finding:unanswered_syns\n');
    for (const format of ['ndjson', 'json']) {
      expect(runCli(['--format', format, 'tmp/cli-test-work/three-syns.pcap']).code).toBe(0);
      expect(runCli(['--format', format, '--fail-on', 'warnings', 'tmp/cli-test-work/three-syns.pcap']).code).toBe(1);
    }
    // none (what scripts wrote when warnings failed a run by default) still means never.
    const none = runCli(['--fail-on', 'none', 'tmp/cli-test-work/three-syns.pcap']);
    expect(none.code).toBe(0);
    expect(none.stderr).toBe('');
    // --fail-on names what fails the run: here nothing the capture has.
    expect(runCli(['--fail-on', 'reset', 'tmp/cli-test-work/three-syns.pcap']).code).toBe(0);
  });

  it('--fail-on exits 1 and says which connections matched', () => {
    writeManySyns(join(WORK, 'three-syns.pcap'), 3);
    const r = runCli(['--fail-on', 'handshake:unanswered', 'tmp/cli-test-work/three-syns.pcap']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('tcpshake: --fail-on matched: #1 (handshake:unanswered), #2 (handshake:unanswered), #3 (handshake:unanswered)\n');
    const ok = runCli(['--fail-on', 'reset,refused', 'tmp/cli-test-work/three-syns.pcap']);
    expect(ok.code).toBe(0);
    const streamed = runCli(['--format', 'ndjson', '--fail-on', 'unanswered_syns', 'tmp/cli-test-work/three-syns.pcap']);
    expect(streamed.code).toBe(1);
    expect(streamed.stderr).toBe('tcpshake: --fail-on matched: finding:unanswered_syns\n');
  });

  it('ndjson with a filter streams only the matching connections and sums them up', () => {
    writeManySyns(join(WORK, 'three-syns.pcap'), 3);
    const r = runCli(['--format', 'ndjson', '--port', '10001', 'tmp/cli-test-work/three-syns.pcap']);
    const objs = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs.map((o) => o['type'])).toEqual(['connection', 'summary']);
    expect((objs[0]!['client'] as { port: number }).port).toBe(10001);
    expect(objs[1]!['summary']).toMatchObject({ connections: 1, handshake: { unanswered: 1 } });
  });

  it.skipIf(!hasSamples)('the zeek format reads back the way zeek-cut does', () => {
    const files = samples.slice(0, 4);
    const r = runCli(['--format', 'zeek', ...files.slice(0, 1)]);
    expect(r.code).toBe(0);
    const json = JSON.parse(runCli(['--format', 'json', ...files.slice(0, 1)]).stdout) as {
      connections: { client: { ip: string; port: number }; server: { port: number }; zeek: { connState: string; history: string }; stats: { client: { packets: number } } }[];
    };
    const rows = zeekCut(r.stdout, ['id.orig_h', 'id.orig_p', 'id.resp_p', 'conn_state', 'history', 'orig_pkts']);
    expect(rows).toEqual(
      json.connections.map((c) => [c.client.ip, String(c.client.port), String(c.server.port), c.zeek.connState, c.zeek.history || '-', String(c.stats.client.packets)]),
    );
  });

  it.skipIf(!hasSamples)('ndjson writes one JSON object per line, connections then a summary', () => {
    const r = runCli(['--format', 'ndjson', '--fail-on', 'none', ...samples]);
    expect([0, 3]).toContain(r.code);
    const objs = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(objs.at(-1)!.type).toBe('summary');
    expect(objs.slice(0, -1).every((o) => o.type === 'connection')).toBe(true);
    const summary = objs.at(-1) as unknown as { summary: { connections: number } };
    expect(objs.length - 1).toBe(summary.summary.connections);
  });

  it.skipIf(!sample('time-wait-reuse'))('--msl sets how long TIME_WAIT lasts (2×MSL of capture time)', () => {
    // The server enters TIME_WAIT at frame 10; the client's new SYN on the same 4-tuple comes 0.30 s
    // later (frame 11); the second close puts the server in TIME_WAIT again at the last frame (20).
    type Run = { code: number | null; connections: { finalState: { server: string }; events: { kind: string }[] }[] };
    const run = (...msl: string[]): Run => {
      const r = runCli(['--format', 'json', ...msl, sample('time-wait-reuse')!]);
      return { code: r.code, connections: (JSON.parse(r.stdout) as Omit<Run, 'code'>).connections };
    };
    const reuses = (r: Run): number => r.connections.flatMap((c) => c.events).filter((e) => e.kind === 'time_wait_reuse').length;
    // Default MSL 30 s: the new SYN comes within TIME_WAIT (RFC 6191 reuse); TIME_WAIT at the end.
    // (The first connection's TIME_WAIT, cut short by the reuse, is not asserted: samples/README.md.)
    const byDefault = run();
    expect(byDefault.code).toBe(0);
    expect(reuses(byDefault)).toBe(1);
    expect(byDefault.connections.at(-1)!.finalState.server).toBe('TIME_WAIT');
    // MSL 0.1 s: the first TIME_WAIT (0.2 s) was over before the new SYN: no reuse.
    const short = run('--msl', '0.1');
    expect(reuses(short)).toBe(0);
    expect(short.connections.map((c) => c.finalState.server)).toEqual(['CLOSED', 'TIME_WAIT']);
    // MSL 0: TIME_WAIT ends as soon as it starts.
    expect(run('--msl', '0').connections.map((c) => c.finalState.server)).toEqual(['CLOSED', 'CLOSED']);
    const bad = runCli(['--msl', '-1', sample('time-wait-reuse')!]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("tcpshake: --msl must be a number of seconds ≥ 0, not -1\nRun 'tcpshake --help' for usage.\n");
  });

  it.skipIf(!hasSamples)('filters agree with the JSON report', () => {
    const all = JSON.parse(runCli(['--format', 'json', ...samples]).stdout) as { connections: { id: number; close: { kind: string } }[] };
    const resets = JSON.parse(runCli(['--format', 'json', '--close', 'reset', ...samples]).stdout) as { connections: { id: number }[] };
    expect(resets.connections.map((c) => c.id)).toEqual(all.connections.filter((c) => c.close.kind === 'reset').map((c) => c.id));
  });

  it.skipIf(!hasSamples)('colour only on request or a terminal, never with NO_COLOR', () => {
    const s = samples[0]!;
    expect(runCli([s]).stdout).not.toContain('\u001b[');
    expect(runCli(['--color', s]).stdout).toContain('\u001b[');
    expect(runCli(['--color', s], { env: { NO_COLOR: '1' } }).stdout).toContain('\u001b['); // the flag wins
    expect(runCli(['--no-color', s]).stdout).not.toContain('\u001b[');
  });
});
