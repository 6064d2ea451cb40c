/**
 * `tcpshake report`: writes the page, honours -o -, and records ladders for the first --ladders
 * connections plus the anomalous later ones (a second pass over the files).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import { main } from '../../src/cli/main.js';
import { isAnomalous } from '../../src/cli/report.js';
import { COL, type Payload } from '../../src/report/html/index.js';
import { memoryIO } from './memory-io.js';

const CORPUS = resolve('../shared/corpus');
const WIKI = join(CORPUS, 'zeek/wikipedia.pcap');
const GET = join(CORPUS, 'zeek/http__get.pcap');

function payloadOf(html: string): Payload {
  const m = /<script type="application\/json" id="tcpshake-data">([\s\S]*?)<\/script>/.exec(html)!;
  return JSON.parse(m[1]!) as Payload;
}

function ladderIds(p: Payload): number[] {
  return p.rows.filter((r) => (r[COL.detail] as number) >= 0 && p.detail[r[COL.detail] as number]!.g !== null).map((r) => r[COL.id] as number);
}

describe.skipIf(!existsSync(WIKI) || !existsSync(GET))('tcpshake report', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcpshake-cli-report-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one HTML file with every connection and a ladder for each when there are few', async () => {
    const out = join(dir, 'a.html');
    const io = memoryIO();
    expect(await main(['report', WIKI, GET, '-o', out], io)).toBe(0);
    expect(io.stdout).toBe('');
    expect(io.stderr).toMatch(/wrote .*a\.html \(11 connections, [0-9.]+ KiB\)/);
    const p = payloadOf(readFileSync(out, 'utf8'));
    expect(p.rows).toHaveLength(11);
    expect(ladderIds(p)).toHaveLength(11);
    expect(p.files).toBe(2);
  });

  it('writes to standard output with -o - and applies the connection filters', async () => {
    const io = memoryIO();
    expect(await main(['report', WIKI, '--close', 'not_established', '-o', '-'], io)).toBe(0);
    expect(io.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    const p = payloadOf(io.stdout);
    const r = await analyze([WIKI]);
    expect(p.rows.map((x) => x[COL.id])).toEqual(r.connections.filter((c) => c.close.kind === 'not_established').map((c) => c.id));
  });

  it('beyond --ladders N, records the anomalous connections in a second pass', async () => {
    const io = memoryIO();
    expect(await main(['report', WIKI, '--ladders', '2', '-o', '-'], io)).toBe(0);
    const r = await analyze([WIKI]);
    const expected = r.connections.filter((c) => c.id <= 2 || isAnomalous(c)).map((c) => c.id);
    expect(expected.length).toBeGreaterThan(2);
    expect(expected.length).toBeLessThan(r.connections.length);
    expect(ladderIds(payloadOf(io.stdout))).toEqual(expected);
  });

  it('caps the segments per ladder and reports what was left out', async () => {
    const io = memoryIO();
    expect(await main(['report', GET, '--max-segments', '6', '-o', '-'], io)).toBe(0);
    const p = payloadOf(io.stdout);
    const d = p.detail[p.rows[0]![COL.detail] as number]!;
    expect(d.g).toHaveLength(6);
    expect(d.x).toBe(14 - 6);
  });

  it('rejects a bad --ladders value as a usage error', async () => {
    const io = memoryIO();
    expect(await main(['report', GET, '--ladders', '-1', '-o', '-'], io)).toBe(2);
    expect(io.stderr).toContain('--ladders');
  });
});

const SAMPLES = resolve('samples');
const sample = (name: string): string => join(SAMPLES, `${name}.pcap`);

describe.skipIf(!existsSync(sample('final-ack-lost-client-side')))('tcpshake report on the samples', () => {
  /** The one connection's detail block of a report of one sample. */
  async function detailOf(name: string): Promise<{ p: Payload; d: Payload['detail'][number] }> {
    const io = memoryIO();
    expect(await main(['report', sample(name), '-o', '-'], io)).toBe(0);
    const p = payloadOf(io.stdout);
    expect(p.rows).toHaveLength(1);
    return { p, d: p.detail[p.rows[0]![COL.detail] as number]! };
  }
  const frameAt = (d: Payload['detail'][number], i: number): number => d.g![i]![0] as number;

  it('marks the segments the capture saw and that were then lost, as the terminal ladder does', async () => {
    // Client side: the final ACK (frame 10) was captured, then lost: the server retransmitted its FIN.
    const a = await detailOf('final-ack-lost-client-side');
    expect(a.d.l!.map((i) => frameAt(a.d, i))).toEqual([10]);
    expect(a.d.lu).toBeUndefined();
    // Server side: the first SYN-ACK (frame 2) was captured, then lost on its way to the client.
    const b = await detailOf('synack-lost-server-side');
    expect(b.d.l!.map((i) => frameAt(b.d, i))).toEqual([2]);
    expect(b.d.lu).toBeUndefined();
  });

  /** The one segment a sample's ladder shows as lost before the capture point: after which frame, from which side, what. */
  async function lostBefore(sample: string): Promise<{ afterFrame: number; from: number; what: string }> {
    const { p, d } = await detailOf(sample);
    expect(d.l).toBeUndefined();
    expect(d.lu).toHaveLength(1);
    const [after, from, what] = d.lu![0]!;
    return { afterFrame: frameAt(d, after!), from: from!, what: p.str[what!]! };
  }

  it('places a segment lost before the capture point after the segment it follows', async () => {
    // Server side: the final ACK never arrived; it belongs after the server's FIN (frame 9).
    expect(await lostBefore('final-ack-lost-server-side')).toEqual({ afterFrame: 9, from: 1, what: 'final ACK' });
  });

  it('draws a SYN-ACK lost before the capture point after the first SYN, which it answered', async () => {
    // Client side: the SYN-ACK to frame 1 never reached the capture point; frame 3 is the first one seen.
    expect(await lostBefore('synack-lost-client-side')).toEqual({ afterFrame: 1, from: 2, what: 'SYN-ACK' });
  });

  it('carries every state a side entered on a segment, in order', async () => {
    const stateNames = (p: Payload, cell: unknown): string[] =>
      (typeof cell === 'number' ? (cell >= 0 ? [cell] : []) : (cell as number[])).map((i) => p.st[i]!);
    const byFrame = (d: Payload['detail'][number], frame: number): (number | number[] | null)[] => d.g!.find((g) => g[0] === frame)!;
    // Simultaneous close: the server sends its FIN (FIN_WAIT_1), then the client's FIN arrives (CLOSING).
    const a = await detailOf('simultaneous-close');
    expect(stateNames(a.p, byFrame(a.d, 9)[10])).toEqual(['FIN_WAIT_1', 'CLOSING']);
    expect(stateNames(a.p, byFrame(a.d, 9)[9])).toEqual(['CLOSING']);
    expect(byFrame(a.d, 9)[9]).toBe(a.p.st.indexOf('CLOSING')); // one state stays a plain index
    expect(byFrame(a.d, 7)[9]).toBe(-1);
    // Merged FIN+ACK (three-way close): it acknowledges the client's FIN and carries the server's.
    const b = await detailOf('close-three-way');
    expect(stateNames(b.p, byFrame(b.d, 5)[9])).toEqual(['FIN_WAIT_2', 'TIME_WAIT']);
    expect(stateNames(b.p, byFrame(b.d, 5)[10])).toEqual(['LAST_ACK']);
  });

  it('a clean connection has no loss marks', async () => {
    const { d } = await detailOf('close-four-way');
    expect(d.l).toBeUndefined();
    expect(d.lu).toBeUndefined();
  });

  it('an -o file that cannot be written is an error naming it (exit 3), not a crash', async () => {
    const io = memoryIO();
    const out = join(tmpdir(), 'tcpshake-no-such-dir', 'sub', 'r.html');
    expect(await main(['report', sample('refused'), '-o', out], io)).toBe(3);
    expect(io.stdout).toBe('');
    expect(io.stderr).toBe(`tcpshake: cannot write ${out}: no such file or directory (ENOENT)\n`);
  });
});
