/**
 * Malformed input at the command line: every damaged capture is written to a temporary directory and
 * given to the real, compiled CLI (`tcpshake FILE --format json`, plain text, and the same bytes on
 * standard input). Each run must exit with the documented code (3 when reading stopped or the input
 * could not be opened or recognised, 0 when there was only a warning), name the file, frame and byte
 * offset on stderr, still print the partial report (the frames before the damage and the connections
 * built from them), and never show a stack trace.
 *
 * The damaged files are made from the records of samples/close-by-client.pcap, a real Linux handshake,
 * data exchange and close, so that the frames before the damage hold a real three-way handshake.
 */
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../../src/capture/open.js';
import { generateCapture } from '../../src/bench/generate.js';
import type { Report } from '../../src/model/report.js';
import { Ng, bytes, type PcapRecord } from '../capture/builders.js';
import { ROOT, WORK, buildCli, runCli, runShell, type RunResult } from './harness.js';
import { SOURCE_SAMPLE, pcapFile, pcapHeader, pcapOffset, pcapRecord, pcapngOf, sampleRecords } from './malformed-inputs.js';

const hasSample = existsSync(SOURCE_SAMPLE);
const SECOND_SAMPLE = join(ROOT, 'samples', 'close-by-server.pcap');

let dir = '';
beforeAll(() => {
  buildCli();
  mkdirSync(WORK, { recursive: true });
  // Under the repository's tmp/ (ignored by git) so the pipeline test can name it relative to the root.
  dir = mkdtempSync(join(WORK, 'malformed-'));
}, 180_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The sample's ten records; the sample's own snapshot length (262144). */
const recs: PcapRecord[] = hasSample ? sampleRecords() : [];
const SNAPLEN = 262_144;
const header = (): Buffer => pcapHeader({ snaplen: SNAPLEN });

// ------------------------------------------------------------------------------------- checks

/** What one case must produce. */
interface Expect {
  code: 0 | 3;
  /** The frames read before the damage (`captures[0].frames`). */
  frames: number;
  /** The stderr line, without `tcpshake: ` / `tcpshake: warning: ` and without the file name. */
  error?: { frame: number; offset: number; message: string };
  warning?: { frame: number; offset: number; message: string };
  /** Handshake kind of the one connection the frames before the damage hold (none when absent). */
  connection?: { handshake: string; close: string };
}

function noStackTrace(r: RunResult): void {
  for (const text of [r.stdout, r.stderr]) {
    expect(text).not.toMatch(/^\s+at /m);
    expect(text).not.toMatch(/^(\w*Error|node:internal)/m);
    expect(text).not.toMatch(/internal error/);
  }
}

function expectedStderr(file: string, e: Expect): string {
  if (e.error) return `tcpshake: ${file}: frame ${e.error.frame} at byte offset ${e.error.offset}: ${e.error.message}\n`;
  if (e.warning) return `tcpshake: warning: ${file}: frame ${e.warning.frame} at byte offset ${e.warning.offset}: ${e.warning.message}\n`;
  return '';
}

/** Checks one JSON run against the expectation; returns the report. */
function checkJson(r: RunResult, file: string, e: Expect): Report | null {
  noStackTrace(r);
  expect(r.stderr).toBe(expectedStderr(file, e));
  expect(r.code).toBe(e.code);
  // Nothing read at all: the error alone, no empty report.
  if (e.error && e.frames === 0) {
    expect(r.stdout).toBe('');
    return null;
  }
  const report = JSON.parse(r.stdout) as Report;
  expect(report.captures).toHaveLength(1);
  const c = report.captures[0]!;
  expect(c.file).toBe(file);
  expect(c.frames).toBe(e.frames);
  if (e.error) expect(c.error).toEqual({ file, ...e.error });
  else expect(c.error).toBeUndefined();
  expect(c.warnings).toEqual(e.warning ? [{ file, ...e.warning }] : []);
  if (e.connection) {
    expect(report.connections).toHaveLength(1);
    const conn = report.connections[0]!;
    expect(conn.client).toEqual({ ip: '10.99.1.2', port: 40001 });
    expect(conn.server).toEqual({ ip: '10.99.2.2', port: 8080 });
    expect(conn.firstFrame).toBe(1);
    expect(conn.lastFrame).toBe(e.frames);
    expect(conn.handshake.kind).toBe(e.connection.handshake);
    expect(conn.close.kind).toBe(e.connection.close);
  } else {
    expect(report.connections).toEqual([]);
  }
  return report;
}

/** Checks one plain-text run: same stderr and exit code, the damage and the connection on stdout. */
function checkText(r: RunResult, file: string, e: Expect): void {
  noStackTrace(r);
  expect(r.stderr).toBe(expectedStderr(file, e));
  expect(r.code).toBe(e.code);
  if (e.error && e.frames === 0) {
    expect(r.stdout).toBe('');
    return;
  }
  expect(r.stdout).toMatch(/^tcpshake: 1 capture\n/);
  expect(r.stdout).toContain(`${file}: `);
  expect(r.stdout).toContain(`, ${e.frames} frames, `);
  if (e.error) expect(r.stdout).toContain(`read stopped at frame ${e.error.frame} (byte offset ${e.error.offset}): ${e.error.message}`);
  if (e.warning) expect(r.stdout).toContain('1 warning (see stderr)');
  if (e.connection) {
    expect(r.stdout).toContain('TCP connections: 1,');
    expect(r.stdout).toMatch(new RegExp(`#1 +10\\.99\\.1\\.2:40001 → 10\\.99\\.2\\.2:8080 +${e.connection.handshake} +${e.connection.close}`));
  } else {
    expect(r.stdout).toContain('TCP connections: 0');
  }
}

/** Writes `bytes` as `name`, runs json and text on the file and json on standard input. */
function runCase(name: string, content: Buffer, e: Expect): void {
  const file = join(dir, name);
  writeFileSync(file, content);
  const json = runCli([file, '--format', 'json']);
  const report = checkJson(json, file, e);
  checkText(runCli([file]), file, e);
  // The same bytes on standard input: the same report, under the name `-`.
  const viaStdin = runCli(['-', '--format', 'json'], { input: content });
  const stdinReport = checkJson(viaStdin, '-', e);
  expect(JSON.stringify(stdinReport)).toBe(JSON.stringify(report).split(JSON.stringify(file)).join('"-"'));
  checkText(runCli(['-'], { input: content }), '-', e);
}

const handshakeOnly = { handshake: 'three_way', close: 'open' } as const;

// ------------------------------------------------------------------------------------- cases

describe('not a capture', () => {
  it('an empty file', () => {
    runCase('empty.pcap', Buffer.alloc(0), {
      code: 3,
      frames: 0,
      error: { frame: 1, offset: 0, message: 'empty file: not a capture' },
    });
  });

  it('random bytes', () => {
    let s = 12345;
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      noise[i] = s >>> 24;
    }
    expect(noise[0] === 0x1f && noise[1] === 0x8b).toBe(false);
    const magic = noise.readUInt32BE(0).toString(16).padStart(8, '0');
    runCase('noise.bin', noise, {
      code: 3,
      frames: 0,
      error: { frame: 1, offset: 0, message: `unknown file format: magic 0x${magic} is not pcap, pcap-nsec, pcapng or gzip` },
    });
  });

  it('a directory given as capture', () => {
    const sub = join(dir, 'a-directory.pcap');
    mkdirSync(sub);
    const e: Expect = { code: 3, frames: 0, error: { frame: 1, offset: 0, message: 'cannot open: is a directory (EISDIR)' } };
    checkJson(runCli([sub, '--format', 'json']), sub, e);
    checkText(runCli([sub]), sub, e);
  });

  it('a nonexistent file', () => {
    const missing = join(dir, 'no-such-file.pcap');
    const e: Expect = { code: 3, frames: 0, error: { frame: 1, offset: 0, message: 'cannot open: no such file or directory (ENOENT)' } };
    checkJson(runCli([missing, '--format', 'json']), missing, e);
    checkText(runCli([missing]), missing, e);
  });
});

describe.skipIf(!hasSample)('classic pcap', () => {
  it('a global header cut short', () => {
    runCase('short-header.pcap', header().subarray(0, 10), {
      code: 3,
      frames: 0,
      error: { frame: 1, offset: 0, message: 'pcap file header cut short: 10 of 24 bytes' },
    });
  });

  it('the last record cut short: a warning, exit 0, the nine frames before it analysed', () => {
    const full = pcapFile(recs, { snaplen: SNAPLEN });
    const last = 16 + recs[9]!.data.length;
    runCase('cut-record.pcap', full.subarray(0, full.length - 10), {
      code: 0,
      frames: 9,
      warning: { frame: 10, offset: pcapOffset(recs, 10), message: `record cut short: ${last - 10} of ${last} bytes` },
      connection: { handshake: 'three_way', close: 'three_way' },
    });
  });

  it('a huge captured length in the 5th record header', () => {
    const damaged = Buffer.concat([
      header(),
      ...recs.slice(0, 4).map((r) => pcapRecord(r)),
      pcapRecord({ ...recs[4]!, capLenField: 0x7fffffff, origLen: 0x7fffffff }),
      ...recs.slice(5).map((r) => pcapRecord(r)),
    ]);
    runCase('huge-caplen.pcap', damaged, {
      code: 3,
      frames: 4,
      error: {
        frame: 5,
        offset: pcapOffset(recs, 5),
        message: `corrupt record header: captured length 2147483647 exceeds the maximum of ${SNAPLEN} bytes (snapshot length ${SNAPLEN})`,
      },
      connection: handshakeOnly,
    });
  });
});

describe.skipIf(!hasSample)('pcapng', () => {
  it('a section header cut short', () => {
    runCase('short-shb.pcapng', new Ng(true).shb().subarray(0, 20), {
      code: 3,
      frames: 0,
      error: { frame: 1, offset: 0, message: 'pcapng Section Header Block cut short: 20 of 28 bytes' },
    });
  });

  it('a block with a bad total length (5th packet)', () => {
    const { blocks, epbOffsets } = pcapngOf(recs);
    const bad = Buffer.from(blocks[6]!);
    bad.writeUInt32LE(bad.length + 1, 4);
    runCase('bad-length.pcapng', Buffer.concat([...blocks.slice(0, 6), bad, ...blocks.slice(7)]), {
      code: 3,
      frames: 4,
      error: {
        frame: 5,
        offset: epbOffsets[4]!,
        message: `bad block length ${bad.length + 1} for Enhanced Packet Block (must be a multiple of 4 and at least 12)`,
      },
      connection: handshakeOnly,
    });
  });

  it('a block whose trailing length differs (5th packet)', () => {
    const { blocks, epbOffsets } = pcapngOf(recs);
    const bad = Buffer.from(blocks[6]!);
    bad.writeUInt32LE(bad.length + 4, bad.length - 4);
    runCase('bad-trailer.pcapng', Buffer.concat([...blocks.slice(0, 6), bad, ...blocks.slice(7)]), {
      code: 3,
      frames: 4,
      error: {
        frame: 5,
        offset: epbOffsets[4]!,
        message: `Enhanced Packet Block length mismatch: leading total length ${bad.length}, trailing ${bad.length + 4}`,
      },
      connection: handshakeOnly,
    });
  });

  it('a file cut inside a block: a warning, exit 0', () => {
    const { file, blocks, epbOffsets } = pcapngOf(recs);
    runCase('cut-block.pcapng', file.subarray(0, epbOffsets[4]! + 20), {
      code: 0,
      frames: 4,
      warning: { frame: 5, offset: epbOffsets[4]!, message: `Enhanced Packet Block cut short: 20 of ${blocks[6]!.length} bytes` },
      connection: handshakeOnly,
    });
  });
});

describe.skipIf(!hasSample)('gzip', () => {
  it('corrupt right after the gzip header: nothing to analyse', () => {
    const gz = Buffer.from(gzipSync(pcapFile(recs, { snaplen: SNAPLEN }), { level: 0 }));
    // A stored deflate block: its length check (NLEN, bytes 13-14) no longer complements LEN.
    gz[12] = gz[12]! ^ 0xff;
    const file = join(dir, 'corrupt-start.pcap.gz');
    writeFileSync(file, gz);
    for (const [name, r] of [
      [file, runCli([file, '--format', 'json'])],
      ['-', runCli(['-', '--format', 'json'], { input: gz })],
    ] as const) {
      noStackTrace(r);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`^tcpshake: ${escape(name)}: frame 1 at byte offset 0: gzip data corrupt: [^\\n]+\\n$`));
      // No frame read: the error alone, no empty report.
      expect(r.stdout).toBe('');
    }
  });

  it('a corrupt second gzip member: the frames of the first are analysed, exit 3', () => {
    // The first member: the sample's handshake and first data segment, then enough other (non-IP)
    // frames that the damage lies several zlib output buffers further on.
    const filler: PcapRecord[] = [];
    for (let i = 0; i < 250; i++) {
      const data = Buffer.from(bytes(1000, i));
      data.writeUInt16BE(0x88b5, 12); // IEEE 802 local experimental EtherType: not IP
      filler.push({ sec: recs[3]!.sec + 1, frac: i, data });
    }
    const records = [...recs.slice(0, 4), ...filler];
    const plain = pcapFile(records, { snaplen: SNAPLEN });
    const member2 = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const gz = Buffer.concat([gzipSync(plain), member2]);
    const file = join(dir, 'corrupt-member.pcap.gz');
    writeFileSync(file, gz);
    for (const [name, args, input] of [
      [file, [file, '--format', 'json'], undefined],
      ['-', ['-', '--format', 'json'], gz],
    ] as const) {
      const r = runCli([...args], input ? { input } : {});
      noStackTrace(r);
      expect(r.code).toBe(3);
      const m = new RegExp(`^tcpshake: ${escape(name)}: frame (\\d+) at byte offset (\\d+): (gzip data corrupt: [^\\n]+)\\n$`).exec(r.stderr);
      expect(m, r.stderr).not.toBeNull();
      const frame = Number(m![1]);
      const offset = Number(m![2]);
      const report = JSON.parse(r.stdout) as Report;
      const c = report.captures[0]!;
      // zlib returns nothing of the write that fails, so up to one output buffer before the damage is
      // lost; everything before that is analysed, and the error names the first frame not read.
      expect(c.frames).toBe(frame - 1);
      expect(c.error).toEqual({ file: name, frame, offset, message: m![3] });
      expect(offset).toBeLessThanOrEqual(plain.length);
      expect(offset).toBeGreaterThanOrEqual(plain.length - CHUNK_BYTES);
      expect(frame).toBeGreaterThan(4);
      expect(pcapOffset(records, frame)).toBeLessThanOrEqual(offset);
      if (frame <= records.length) expect(pcapOffset(records, frame + 1)).toBeGreaterThan(offset);
      expect(c.tcpSegments).toBe(4);
      expect(c.skipped).toEqual({ unsupported_ethertype: frame - 1 - 4 });
      expect(report.connections).toHaveLength(1);
      expect(report.connections[0]!).toMatchObject({ firstFrame: 1, lastFrame: 4, handshake: { kind: 'three_way' }, close: { kind: 'open' } });
    }
  });
});

describe.skipIf(!hasSample || !existsSync(SECOND_SAMPLE))('several files', () => {
  it('the first file corrupt: the second is still analysed, exit 3', () => {
    const bad = join(dir, 'first-corrupt.pcap');
    writeFileSync(
      bad,
      Buffer.concat([header(), ...recs.slice(0, 4).map((r) => pcapRecord(r)), pcapRecord({ ...recs[4]!, capLenField: 0x7fffffff, origLen: 0x7fffffff })]),
    );
    const message = `corrupt record header: captured length 2147483647 exceeds the maximum of ${SNAPLEN} bytes (snapshot length ${SNAPLEN})`;
    const line = `tcpshake: ${bad}: frame 5 at byte offset ${pcapOffset(recs, 5)}: ${message}\n`;
    const r = runCli([bad, SECOND_SAMPLE, '--format', 'json']);
    noStackTrace(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(line);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.captures.map((c) => [c.file, c.frames, c.error?.frame ?? null])).toEqual([
      [bad, 4, 5],
      [SECOND_SAMPLE, 10, null],
    ]);
    expect(report.captures[1]!.tcpSegments).toBe(10);
    // One connection from the frames before the damage, one (closed by the server) from the second file.
    expect(report.connections.map((c) => [c.firstFile ?? 0, c.handshake.kind, c.close.kind])).toEqual([
      [0, 'three_way', 'open'],
      [1, 'three_way', 'three_way'],
    ]);
    const text = runCli([bad, SECOND_SAMPLE]);
    noStackTrace(text);
    expect(text.code).toBe(3);
    expect(text.stderr).toBe(line);
    expect(text.stdout).toMatch(/^tcpshake: 2 captures\n/);
    expect(text.stdout).toContain('TCP connections: 2,');
  });
});

describe('a closed standard output', () => {
  it('tcpshake FILE | head -1: tcpshake exits 0, nothing on stderr', async () => {
    const file = join(dir, 'many.pcap');
    const { packets } = await generateCapture(file, { connections: 3000, exchanges: 1, payload: 50, window: 40, seed: 7 });
    expect(packets).toBeGreaterThan(10_000);
    const rel = file.slice(ROOT.length + 1);
    for (const format of ['text', 'json', 'csv']) {
      const r = runShell(
        `set -o pipefail; $TCPSHAKE ${rel} --format ${format} 2>${rel}.err | head -1; echo "status=$?"; cat ${rel}.err`,
      );
      const lines = r.stdout.split('\n');
      const first = format === 'text' ? 'tcpshake: 1 capture' : format === 'json' ? '{' : /^id,client_ip,client_port,server_ip,server_port,.*\r$/;
      if (typeof first === 'string') expect(lines[0]).toBe(first);
      else expect(lines[0]).toMatch(first);
      // status is tcpshake's own (head exits 0): pipefail makes any failure of tcpshake the pipeline's.
      expect(lines.slice(1)).toEqual(['status=0', '']);
      expect(r.stderr).toBe('');
    }
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
