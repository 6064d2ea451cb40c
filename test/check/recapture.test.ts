/**
 * The committed expectations against the samples captured "again" (src/tools/recapture.ts: new
 * client ports, ISNs, TCP clocks and start time, checksums made anew): they must hold, since they
 * describe behaviour; a changed teardown (merged FIN+ACK made four-way) must fail them. The same on
 * the corpus' multi-connection HTTP trace (wikipedia.pcap) and bro.org's http__get.pcap with a
 * baseline written by `--update`, and on every classic pcap of the corpus.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import { formatProblem, loadExpectations, type Expectations } from '../../src/check/expectations.js';
import { evaluate, failureLines } from '../../src/check/evaluate.js';
import { writeBaseline } from '../../src/check/baseline.js';
import type { ConnectionReport, Report } from '../../src/model/report.js';
import { recapture } from '../../src/tools/recapture.js';

const SAMPLES = path.resolve('samples');
const ZEEK = path.resolve('../shared/corpus/zeek');
const dir = mkdtempSync(path.join(tmpdir(), 'tcpshake-recapture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pcapSamples = existsSync(SAMPLES) ? readdirSync(SAMPLES).filter((f) => f.endsWith('.pcap') && existsSync(path.join(SAMPLES, f.replace(/\.pcap$/, '.expect.json')))) : [];

async function reportOf(bytes: Uint8Array, name: string): Promise<Report> {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return analyze([file]);
}

function load(text: string, name: string): Expectations {
  const r = loadExpectations(text, name);
  if (!r.ok) throw new Error(r.errors.map(formatProblem).join('\n'));
  return r.expectations;
}

const failures = (r: Report, x: Expectations): string[] => evaluate(r, x).flatMap((res) => (res.outcome === 'fail' ? res.failures.flatMap(failureLines) : []));

/** What a connection's behaviour is, without its ports, sequence numbers or times. */
const behaviour = (c: ConnectionReport) => ({
  handshake: c.handshake.kind,
  synRetransmits: c.handshake.synRetransmits,
  close: c.close,
  finalState: c.finalState,
  states: { client: c.states.client.map((s) => [s.state, s.frame]), server: c.states.server.map((s) => [s.state, s.frame]) },
  events: c.events.map((e) => [e.kind, e.frame, e.by]),
  zeek: c.zeek,
  completeness: c.completeness,
});

describe.skipIf(pcapSamples.length === 0)('samples captured again', () => {
  it.each(pcapSamples)('%s: new ports, ISNs and times, the same behaviour; its expectations hold', async (sample) => {
    const bytes = readFileSync(path.join(SAMPLES, sample));
    const original = await analyze([path.join(SAMPLES, sample)]);
    const again = recapture(bytes, { seed: 11 });
    const report = await reportOf(again.bytes, `again-${sample}`);
    expect(report.connections.map(behaviour)).toEqual(original.connections.map(behaviour));
    expect(report.connections.map((c) => c.client.port).filter((p) => original.connections.some((o) => o.client.port === p))).toEqual([]);
    expect(report.connections[0]?.start).not.toBe(original.connections[0]?.start);
    // Checksums made anew: no bad_checksum where the original had none.
    expect(report.connections.flatMap((c) => c.events.filter((e) => e.kind === 'bad_checksum'))).toEqual([]);
    const expectFile = path.join(SAMPLES, sample.replace(/\.pcap$/, '.expect.json'));
    expect(failures(report, load(readFileSync(expectFile, 'utf8'), expectFile))).toEqual([]);
  });

  it.skipIf(!pcapSamples.includes('close-three-way.pcap'))('a merged FIN+ACK close made four-way fails the committed expectations on close.kind', async () => {
    const again = recapture(readFileSync(path.join(SAMPLES, 'close-three-way.pcap')), { seed: 5, fourWayClose: true });
    expect(again.closesRewritten).toBe(1);
    const report = await reportOf(again.bytes, 'four-way.pcap');
    expect(report.connections.map((c) => c.close.kind)).toEqual(['four_way']);
    const expectFile = path.join(SAMPLES, 'close-three-way.expect.json');
    const lines = failures(report, load(readFileSync(expectFile, 'utf8'), expectFile));
    expect(lines[0]).toMatch(/^service 10\.99\.2\.2:8080 from client 10\.99\.1\.2: close\.kind expected "three_way" on every connection {3}\(expectations line \d+\)$/);
    expect(lines[1]).toBe('seen "four_way" on 1 of 1 connections:');
    expect(lines[2]).toMatch(/^ {2}#1 10\.99\.1\.2:\d+ → 10\.99\.2\.2:8080, frames 1–7; fin @4, fin @6, close_complete @7$/);
  });
});

const wikipedia = path.join(ZEEK, 'wikipedia.pcap');
const broOrg = path.join(ZEEK, 'http__get.pcap');

describe.skipIf(!existsSync(wikipedia) || !existsSync(broOrg))('a baseline of real HTTP traffic, against the same traffic captured again', () => {
  it('wikipedia.pcap: a few rules per service hold for new client ports, ISNs and times', async () => {
    const original = await analyze([wikipedia]);
    const { text } = writeBaseline(original, null);
    const baseline = load(text, 'wikipedia.expect.json');
    expect(baseline.rules.length).toBeLessThanOrEqual(3);
    expect(text).not.toMatch(/"\d+\.\d+\.\d+\.\d+:(35634|48649|4999\d|5000\d|6705)"/);
    for (const seed of [1, 2, 3]) {
      const report = await reportOf(recapture(readFileSync(wikipedia), { seed }).bytes, `wikipedia-${seed}.pcap`);
      expect(failures(report, baseline), `seed ${seed}`).toEqual([]);
    }
  });

  it('http__get.pcap (bro.org): the same close holds, a changed close fails with the service, the expectation and what was seen', async () => {
    const original = await analyze([broOrg]);
    const baseline = load(writeBaseline(original, null).text, 'bro.expect.json');
    const same = await reportOf(recapture(readFileSync(broOrg), { seed: 9 }).bytes, 'bro-again.pcap');
    expect(failures(same, baseline)).toEqual([]);
    const changed = await reportOf(recapture(readFileSync(broOrg), { seed: 9, fourWayClose: true }).bytes, 'bro-four-way.pcap');
    const lines = failures(changed, baseline);
    expect(lines[0]).toMatch(/^service 192\.150\.187\.43:80: close\.kind expected "three_way" on every connection/);
    expect(lines[1]).toBe('seen "four_way" on 1 of 1 connections:');
    expect(lines[2]).toMatch(/^ {2}#1 141\.142\.228\.5:\d+ → 192\.150\.187\.43:80, frames 1–15; .*fin @\d+/);
    expect(lines[3]).toMatch(/^ {2}filter: ip\.addr==141\.142\.228\.5 && tcp\.port==\d+ && ip\.addr==192\.150\.187\.43 && tcp\.port==80$/);
  });
});

const CORPUS = path.resolve('../shared/corpus');
const corpusPcaps = existsSync(CORPUS)
  ? readdirSync(CORPUS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(path.join(CORPUS, d.name)).map((f) => path.join(CORPUS, d.name, f)))
      .filter((f) => f.endsWith('.pcap') && statSync(f).size < 2_000_000)
      .sort()
  : [];

describe.skipIf(corpusPcaps.length === 0)('every corpus pcap: its --update baseline holds when captured again, and fails when its merged closes become four-way', () => {
  it.each(corpusPcaps.map((c) => [path.relative(CORPUS, c), c]))('%s', async (name, capture) => {
    const baseline = load(writeBaseline(await analyze([capture]), null).text, 'baseline.json');
    const bytes = readFileSync(capture);
    const again = await reportOf(recapture(bytes, { seed: 21 }).bytes, 'again.pcap');
    expect(failures(again, baseline)).toEqual([]);
    const changed = recapture(bytes, { seed: 21, fourWayClose: true });
    if (changed.closesRewritten === 0) return;
    const lines = failures(await reportOf(changed.bytes, 'changed.pcap'), baseline);
    expect(lines.some((l) => /close\.kind expected "three_way"/.test(l) || /close\.kind "three_way"/.test(l)), `${name}:\n${lines.join('\n')}`).toBe(true);
  });
});
