/**
 * Reading on a second thread (AnalyzeOptions.readOnWorker) gives the very report reading on the
 * analysing thread gives: every sample, the third-party corpus, a generated capture larger than a
 * packing buffer's worth of chunks, several files merged, gzip, and damaged files (a last record cut
 * short, a corrupt record header part-way, a missing file, a file that is no capture).
 *
 * The worker runs the built module (its script is JavaScript beside threaded.js), so this suite
 * imports analyze() from the test build.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { analyze as analyzeType, AnalyzeOptions } from '../../src/pipeline/analyze.js';
import { generateCapture } from '../../src/bench/generate.js';
import { BUILD, buildCli, runCli, ROOT } from '../cli/harness.js';
import { pcapFile, sampleRecords } from '../cli/malformed-inputs.js';

let analyze: typeof analyzeType;
let dir = '';
let generated = '';

beforeAll(async () => {
  buildCli();
  ({ analyze } = (await import(pathToFileURL(join(BUILD, 'index.js')).href)) as { analyze: typeof analyzeType });
  dir = mkdtempSync(join(tmpdir(), 'tcpshake-threaded-'));
  generated = join(dir, 'gen.pcap');
  // About 9 MB: above the CLI's threshold for a reading thread, and many packing buffers long.
  await generateCapture(generated, { connections: 4000, exchanges: 4, payload: 100, window: 400, seed: 11 });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Both ways of reading, compared whole (warnings and errors included). */
async function expectSameReport(inputs: string[], options: AnalyzeOptions = {}): Promise<void> {
  const onThread = await analyze(inputs, { ...options, readOnWorker: false });
  const onWorker = await analyze(inputs, { ...options, readOnWorker: true });
  expect(JSON.stringify(onWorker), inputs.join(' + ')).toBe(JSON.stringify(onThread));
}

function captures(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f))
    .map((f) => join(folder, f));
}

describe('reading on a worker thread', () => {
  it('gives the same report on every sample, with segment recording on', async () => {
    const samples = captures(join(ROOT, 'samples'));
    expect(samples.length).toBeGreaterThan(10);
    for (const s of samples) await expectSameReport([s], { recordSegments: true });
  });

  const corpus = join(ROOT, '..', 'shared', 'corpus');
  it.skipIf(!existsSync(corpus))('gives the same report on the third-party corpus', async () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(e.name)) files.push(join(d, e.name));
      }
    };
    walk(corpus);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) await expectSameReport([f]);
  });

  it('gives the same report on a generated capture, plain and gzipped, and reports progress', async () => {
    await expectSameReport([generated]);
    const gz = join(dir, 'gen.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(generated), { level: 1 }));
    await expectSameReport([gz]);
    // The frames really come from another thread: a message port is open during the run, and the
    // analysing thread reads no file itself.
    const run = async (readOnWorker: boolean): Promise<{ bytes: number[]; resources: Set<string> }> => {
      const bytes: number[] = [];
      const resources = new Set<string>();
      const onProgress = (p: { bytes: number }): void => {
        bytes.push(p.bytes);
        for (const r of process.getActiveResourcesInfo()) resources.add(r);
      };
      await analyze([generated], { readOnWorker, keepConnections: false, onProgress });
      return { bytes, resources };
    };
    const worker = await run(true);
    expect(worker.bytes.length).toBeGreaterThan(3);
    expect(worker.bytes[worker.bytes.length - 1]).toBe(readFileSync(generated).length);
    expect(worker.resources.has('MessagePort')).toBe(true);
    expect(worker.resources.has('FSReqCallback')).toBe(false);
    const thread = await run(false);
    expect(thread.resources.has('MessagePort')).toBe(false);
    expect(thread.resources.has('FSReqCallback')).toBe(true);
  });

  it('merges several files as the analysing thread does', async () => {
    const samples = captures(join(ROOT, 'samples')).slice(0, 4);
    await expectSameReport(samples);
    await expectSameReport([generated, samples[0]!]);
  });

  it('keeps what came before damage, and names the damage the same way', async () => {
    const bytes = readFileSync(generated);
    // A last record cut short (a warning) and a corrupt record header part-way (an error).
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
    await expectSameReport([cut]);
    const corrupt = Buffer.from(bytes);
    let p = 24;
    for (let n = 0; n < 20_000; n++) p += 16 + corrupt.readUInt32LE(p + 8);
    corrupt.writeUInt32LE(0x7fffffff, p + 8);
    const bad = join(dir, 'corrupt.pcap');
    writeFileSync(bad, corrupt);
    const report = await analyze([bad], { readOnWorker: true });
    expect(report.captures[0]!.error).toMatchObject({ frame: 20_001, offset: p });
    expect(report.captures[0]!.frames).toBe(20_000);
    await expectSameReport([bad]);
    // A corrupt file among good ones: the others are read to their end.
    await expectSameReport([bad, join(ROOT, 'samples', 'close-by-client.pcap')]);
    const notCapture = join(dir, 'not-a-capture.pcap');
    writeFileSync(notCapture, 'GET / HTTP/1.1\r\n\r\n');
    await expectSameReport([notCapture]);
    await expectSameReport([join(dir, 'missing.pcap')]);
  });

  it('hands over frames longer than a packing slot (1 MiB) whole', async () => {
    // A real connection whose frames 2, 4 and 5 carry 1.5 MB of trailing padding (legal with a 4 MB
    // snapshot length): they still decode to the same segments, so the verdict shows they arrived whole.
    const records = sampleRecords().map((r, i) => {
      if (i !== 1 && i !== 3 && i !== 4) return r;
      const data = new Uint8Array(1_500_000);
      data.set(r.data);
      return { ...r, data, origLen: data.length };
    });
    const padded = join(dir, 'padded.pcap');
    writeFileSync(padded, pcapFile(records, { snaplen: 4 << 20 }));
    await expectSameReport([padded]);
    const plain = await analyze([join(ROOT, 'samples', 'close-by-client.pcap')], { readOnWorker: false });
    const report = await analyze([padded], { readOnWorker: true });
    expect(report.captures[0]!.frames).toBe(records.length);
    expect(report.connections.map((c) => [c.handshake.kind, c.close.kind, c.zeek.history])).toEqual(
      plain.connections.map((c) => [c.handshake.kind, c.close.kind, c.zeek.history]),
    );
  });

  it('stops the reading thread when the analysis stops part-way', async () => {
    let n = 0;
    const stopped = analyze([generated], {
      readOnWorker: true,
      onConnection: () => {
        if (++n === 100) throw new Error('stop here');
      },
    });
    await expect(stopped).rejects.toThrow('stop here');
    // The worker is gone: no message port to it is left open.
    expect(process.getActiveResourcesInfo()).not.toContain('MessagePort');
  });
});

describe('the CLI', () => {
  it('reads on a worker thread only files that add up to 8 MiB or more', async () => {
    const { worthReadingOnWorker } = await import('../../src/cli/options.js');
    const sample = join(ROOT, 'samples', 'close-by-client.pcap');
    expect(worthReadingOnWorker([generated])).toBe(true);
    expect(worthReadingOnWorker([sample])).toBe(false);
    expect(worthReadingOnWorker([sample, join(dir, 'missing.pcap')])).toBe(false);
    // Standard input (a stream) is always read on the analysing thread.
    expect(worthReadingOnWorker([generated, { name: '-', stream: Readable.from([]) }])).toBe(false);
  });

  it('reads a large capture on a worker thread and writes what the library reports', async () => {
    const { READ_ON_WORKER_MIN_BYTES } = (await import(pathToFileURL(join(BUILD, 'cli', 'options.js')).href)) as typeof import('../../src/cli/options.js');
    expect(readFileSync(generated).length).toBeGreaterThanOrEqual(READ_ON_WORKER_MIN_BYTES);
    const r = runCli([generated, '--format', 'json', '--fail-on', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const { renderJson } = (await import(pathToFileURL(join(BUILD, 'report', 'json.js')).href)) as typeof import('../../src/report/json.js');
    const { computeFindings } = (await import(pathToFileURL(join(BUILD, 'report', 'findings.js')).href)) as typeof import('../../src/report/findings.js');
    const report = await analyze([generated], { readOnWorker: false });
    expect(r.stdout).toBe(renderJson(report, computeFindings(report)));
  });
});
