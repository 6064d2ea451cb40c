import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError, openCapture, type CaptureWarning } from '../../src/capture/index.js';
import {
  bytes,
  chunkedStream,
  Ng,
  pcapFile,
  pcapHeader,
  pcapRecord,
  plain,
  readBytes,
  readCapture,
  type Chunking,
  type ReadResult,
} from './builders.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpshake-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CHUNKINGS: Chunking[] = [1, 7, 4096, 'random'];

interface Expected {
  frames: number;
  error?: { frame: number; offset: number; message: string } | null;
  warnings?: Array<Omit<CaptureWarning, 'file'>>;
}

/** Reads `buf` whole and in every chunking; all must agree with `expected` and with each other. */
async function expectOutcome(name: string, buf: Buffer, expected: Expected): Promise<ReadResult> {
  const whole = await readBytes(buf, buf.length || 1, name);
  expect(whole.frames).toHaveLength(expected.frames);
  expect(whole.info.frames).toBe(expected.frames);
  if (expected.error) {
    expect(whole.error).toBeInstanceOf(CaptureError);
    expect({ file: whole.error!.file, frame: whole.error!.frame, offset: whole.error!.offset }).toEqual({
      file: name,
      frame: expected.error.frame,
      offset: expected.error.offset,
    });
    expect(whole.error!.message).toBe(
      `${name}: frame ${expected.error.frame} at byte offset ${expected.error.offset}: ${expected.error.message}`,
    );
    expect(whole.capture.error()).toBe(whole.error);
  } else {
    expect(whole.error).toBeNull();
  }
  expect(whole.info.warnings).toEqual((expected.warnings ?? []).map((w) => ({ file: name, ...w })));
  for (const c of CHUNKINGS) {
    const r = await readBytes(buf, c, name);
    expect(plain(r.frames), `chunking ${c}`).toEqual(plain(whole.frames));
    expect(r.error?.message, `chunking ${c}`).toBe(whole.error?.message);
    expect(r.info.warnings, `chunking ${c}`).toEqual(whole.info.warnings);
  }
  return whole;
}

const recs = [
  { sec: 1, frac: 10, data: bytes(60, 1) },
  { sec: 2, frac: 20, data: bytes(70, 2) },
  { sec: 3, frac: 30, data: bytes(80, 3) },
];
const REC2 = 24 + 16 + 60;
const REC3 = REC2 + 16 + 70;
const END = REC3 + 16 + 80;

describe('malformed input: not a capture', () => {
  it('an empty file', async () => {
    await expectOutcome('empty.pcap', Buffer.alloc(0), {
      frames: 0,
      error: { frame: 1, offset: 0, message: 'empty file: not a capture' },
    });
    const p = join(tmp, 'empty.pcap');
    writeFileSync(p, '');
    const r = await readCapture(openCapture(p, 0));
    expect(r.error!.message).toBe(`${p}: frame 1 at byte offset 0: empty file: not a capture`);
  });

  it('random bytes', async () => {
    let s = 7;
    const buf = Buffer.alloc(5000);
    for (let i = 0; i < buf.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      buf[i] = s >>> 24;
    }
    const magic = buf.readUInt32BE(0).toString(16).padStart(8, '0');
    await expectOutcome('noise.bin', buf, {
      frames: 0,
      error: { frame: 1, offset: 0, message: `unknown file format: magic 0x${magic} is not pcap, pcap-nsec, pcapng or gzip` },
    });
  });

  it('a text file compressed with gzip', async () => {
    await expectOutcome('notes.txt.gz', gzipSync(Buffer.from('hello, world\n')), {
      frames: 0,
      error: {
        frame: 1,
        offset: 0,
        message: 'unknown file format (after gzip decompression): magic 0x68656c6c is not pcap, pcap-nsec, pcapng or gzip',
      },
    });
  });

  it('fewer than four bytes', async () => {
    await expectOutcome('tiny', Buffer.from([0xd4, 0xc3, 0xb2]), {
      frames: 0,
      error: { frame: 1, offset: 0, message: 'file too short to be a capture: 3 bytes' },
    });
  });

  it('a nonexistent path', async () => {
    const p = join(tmp, 'does-not-exist.pcap');
    const c = openCapture(p, 0);
    const r = await readCapture(c);
    expect(r.frames).toEqual([]);
    expect(r.error).toMatchObject({ file: p, frame: 1, offset: 0 });
    expect(r.error!.message).toBe(`${p}: frame 1 at byte offset 0: cannot open: no such file or directory (ENOENT)`);
    expect(c.error()).toBe(r.error);
  });

  it('a directory', async () => {
    const r = await readCapture(openCapture(tmp, 0));
    expect(r.error!.message).toBe(`${tmp}: frame 1 at byte offset 0: cannot open: is a directory (EISDIR)`);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file', async () => {
    const p = join(tmp, 'secret.pcap');
    writeFileSync(p, pcapFile(recs));
    chmodSync(p, 0o000);
    const r = await readCapture(openCapture(p, 0));
    expect(r.error!.message).toBe(`${p}: frame 1 at byte offset 0: cannot open: permission denied (EACCES)`);
  });
});

describe('malformed input: classic pcap', () => {
  it('a file header cut short', async () => {
    await expectOutcome('short-header.pcap', pcapHeader().subarray(0, 10), {
      frames: 0,
      error: { frame: 1, offset: 0, message: 'pcap file header cut short: 10 of 24 bytes' },
    });
  });

  it('an unsupported version', async () => {
    await expectOutcome('v1.pcap', pcapFile(recs, { major: 1 }), {
      frames: 0,
      error: { frame: 1, offset: 4, message: 'unsupported pcap version 1.4 (expected 2.x)' },
    });
  });

  it('a record cut short: a warning, earlier frames kept', async () => {
    const full = pcapFile(recs);
    await expectOutcome('cut.pcap', full.subarray(0, REC3 + 16 + 30), {
      frames: 2,
      warnings: [{ frame: 3, offset: REC3, message: 'record cut short: 46 of 96 bytes' }],
    });
  });

  it('a record header cut short', async () => {
    const full = pcapFile(recs);
    await expectOutcome('cut-header.pcap', full.subarray(0, REC3 + 5), {
      frames: 2,
      warnings: [{ frame: 3, offset: REC3, message: 'record header cut short: 5 of 16 bytes' }],
    });
  });

  it('a file ending exactly after its last record has no warning', async () => {
    const r = await expectOutcome('ok.pcap', pcapFile(recs), { frames: 3 });
    expect(r.frames[2]!.offset).toBe(REC3);
    expect(pcapFile(recs).length).toBe(END);
  });

  it('a huge captured length: CaptureError with frame and offset, earlier frames kept', async () => {
    const buf = Buffer.concat([
      pcapHeader(),
      pcapRecord(recs[0]!),
      pcapRecord(recs[1]!),
      pcapRecord({ ...recs[2]!, capLenField: 0x7fffffff, origLen: 0x7fffffff }),
    ]);
    await expectOutcome('huge.pcap', buf, {
      frames: 2,
      error: {
        frame: 3,
        offset: REC3,
        message: 'corrupt record header: captured length 2147483647 exceeds the maximum of 262144 bytes (snapshot length 65535)',
      },
    });
  });

  it('a captured length above the original length', async () => {
    const buf = Buffer.concat([pcapHeader(), pcapRecord(recs[0]!), pcapRecord({ ...recs[1]!, origLen: 69 })]);
    await expectOutcome('cap-gt-orig.pcap', buf, {
      frames: 1,
      error: { frame: 2, offset: REC2, message: 'corrupt record header: captured length 70 exceeds original length 69' },
    });
  });

  it('a corrupt header in a big-endian nanosecond file, first record', async () => {
    const buf = pcapFile([{ sec: 1, frac: 1, data: bytes(10), capLenField: 300_000, origLen: 300_000 }], {
      magic: 'nsec',
      littleEndian: false,
      snaplen: 0,
    });
    await expectOutcome('be.pcap', buf, {
      frames: 0,
      error: {
        frame: 1,
        offset: 24,
        message: 'corrupt record header: captured length 300000 exceeds the maximum of 262144 bytes (snapshot length 0)',
      },
    });
  });

  it('closes the stream after an error', async () => {
    const buf = Buffer.concat([pcapHeader(), pcapRecord({ ...recs[0]!, capLenField: 1 << 30, origLen: 1 << 30 }), Buffer.alloc(100_000)]);
    const stream = chunkedStream(buf, 1000);
    const r = await readCapture(openCapture({ name: 's', stream }, 0));
    expect(r.error?.frame).toBe(1);
    expect(stream.destroyed).toBe(true);
  });
});

describe('malformed input: gzip', () => {
  it('corrupt compressed data: CaptureError after the frames before it', async () => {
    const gz = gzipSync(pcapFile(recs), { level: 0 });
    // Stored (level 0) blocks: corrupt the stored block's length check bytes (NLEN) right after the header.
    const bad = Buffer.from(gz);
    bad[12] = bad[12]! ^ 0xff;
    const r = await readBytes(bad, 4096, 'bad.pcap.gz');
    expect(r.frames).toEqual([]);
    expect(r.error).toMatchObject({ frame: 1, offset: 0 });
    expect(r.error!.message).toMatch(/^bad\.pcap\.gz: frame 1 at byte offset 0: gzip data corrupt: /);
  });

  it('a gzip stream cut short: warnings, earlier frames kept', async () => {
    const gz = gzipSync(pcapFile(recs), { level: 0 });
    const cut = gz.subarray(0, gz.length - 8 - 40); // drop the trailer and the last 40 bytes of data
    const r = await readBytes(cut, 4096, 'cut.pcap.gz');
    expect(r.error).toBeNull();
    expect(r.frames).toHaveLength(2);
    expect(r.info.warnings).toEqual([
      {
        file: 'cut.pcap.gz',
        frame: 3,
        offset: END - 40,
        message: 'gzip data cut short: the compressed stream ends before its end marker',
      },
      { file: 'cut.pcap.gz', frame: 3, offset: REC3, message: 'record cut short: 56 of 96 bytes' },
    ]);
  });
});

describe('malformed input: pcapng', () => {
  const ng = new Ng(true);
  const shb = ng.shb();
  const idb = ng.idb(1);
  const epb1 = ng.epb(0, 1n, bytes(50));
  const epb2 = ng.epb(0, 2n, bytes(51));
  const good = Buffer.concat([shb, idb, epb1]);

  it('a block length that is not a multiple of 4', async () => {
    const bad = Buffer.from(epb2);
    bad.writeUInt32LE(epb2.length + 1, 4);
    await expectOutcome('len.pcapng', Buffer.concat([good, bad]), {
      frames: 1,
      error: {
        frame: 2,
        offset: good.length,
        message: `bad block length ${epb2.length + 1} for Enhanced Packet Block (must be a multiple of 4 and at least 12)`,
      },
    });
  });

  it('a block length below 12', async () => {
    await expectOutcome('len8.pcapng', Buffer.concat([good, ng.u32(0x99), ng.u32(8), ng.u32(8)]), {
      frames: 1,
      error: {
        frame: 2,
        offset: good.length,
        message: 'bad block length 8 for block of type 0x00000099 (must be a multiple of 4 and at least 12)',
      },
    });
  });

  it('a block too short for its type', async () => {
    await expectOutcome('short-epb.pcapng', Buffer.concat([good, ng.block(6, Buffer.alloc(8))]), {
      frames: 1,
      error: { frame: 2, offset: good.length, message: 'bad block length 20 for Enhanced Packet Block (at least 32 needed)' },
    });
  });

  it('trailing length differs from the leading one', async () => {
    const bad = Buffer.from(epb2);
    bad.writeUInt32LE(epb2.length + 4, epb2.length - 4);
    await expectOutcome('trail.pcapng', Buffer.concat([good, bad, epb1]), {
      frames: 1,
      error: {
        frame: 2,
        offset: good.length,
        message: `Enhanced Packet Block length mismatch: leading total length ${epb2.length}, trailing ${epb2.length + 4}`,
      },
    });
  });

  it('a captured length that does not fit in its block', async () => {
    const bad = ng.epb(0, 3n, bytes(20), [], 20, 200);
    await expectOutcome('caplen.pcapng', Buffer.concat([good, bad]), {
      frames: 1,
      error: { frame: 2, offset: good.length, message: `captured length 200 does not fit in the ${bad.length}-byte block` },
    });
  });

  it('a file cut inside a block: a warning, earlier frames kept', async () => {
    await expectOutcome('cut.pcapng', Buffer.concat([good, epb2.subarray(0, 40)]), {
      frames: 1,
      warnings: [{ frame: 2, offset: good.length, message: `Enhanced Packet Block cut short: 40 of ${epb2.length} bytes` }],
    });
  });

  it('a file cut inside a block header', async () => {
    await expectOutcome('cut-head.pcapng', Buffer.concat([good, epb2.subarray(0, 6)]), {
      frames: 1,
      warnings: [{ frame: 2, offset: good.length, message: 'block header cut short: 6 bytes (a block is at least 12)' }],
    });
  });

  it('a Section Header Block cut short', async () => {
    await expectOutcome('cut-shb.pcapng', shb.subarray(0, 20), {
      frames: 0,
      error: { frame: 1, offset: 0, message: 'pcapng Section Header Block cut short: 20 of 28 bytes' },
    });
  });

  it('a bad byte-order magic', async () => {
    const bad = Buffer.from(shb);
    bad.writeUInt32BE(0x12345678, 8);
    await expectOutcome('bom.pcapng', bad, {
      frames: 0,
      error: { frame: 1, offset: 0, message: 'Section Header Block with unknown byte-order magic 0x12345678' },
    });
  });

  it('an unsupported major version', async () => {
    await expectOutcome('v2.pcapng', Buffer.concat([ng.shb([], 2), idb, epb1]), {
      frames: 0,
      error: { frame: 1, offset: 12, message: 'unsupported pcapng version 2.0 (expected 1.x)' },
    });
  });

  it('a Simple Packet Block before any interface', async () => {
    await expectOutcome('spb.pcapng', Buffer.concat([shb, ng.spb(bytes(10))]), {
      frames: 0,
      error: { frame: 1, offset: shb.length, message: 'Simple Packet Block, but this section describes no interface' },
    });
  });

  it('options running past their block: a warning, the packet kept', async () => {
    const opts = ng.options([{ code: 1, value: 'abcd' }]);
    opts.writeUInt16LE(200, 2); // the comment claims 200 bytes
    const body = Buffer.concat([ng.u32(0), ng.u32(0), ng.u32(5), ng.u32(4), ng.u32(4), Buffer.from(bytes(4)), opts]);
    const epb = ng.block(6, body);
    await expectOutcome('opts.pcapng', Buffer.concat([good, epb]), {
      frames: 2,
      warnings: [
        {
          frame: 2,
          offset: good.length,
          message: 'block options run past the end of the block: rest of the options ignored (further cases not reported)',
        },
      ],
    });
  });
});

describe('malformed input: a pcapng file shorter than a block header', () => {
  it('reports the Section Header Block cut short', async () => {
    await expectOutcome('six.pcapng', Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0x00]), {
      frames: 0,
      error: { frame: 1, offset: 0, message: 'pcapng Section Header Block cut short: 6 of at least 28 bytes' },
    });
  });
});

describe('malformed input: the input stream fails', () => {
  for (const gz of [false, true]) {
    it(`a read error mid-way${gz ? ' (gzip)' : ''}: frames before it kept, then CaptureError`, async () => {
      const { Readable } = await import('node:stream');
      const full = pcapFile(recs);
      const body = gz ? gzipSync(full) : full;
      const stream = Readable.from(
        (async function* () {
          yield body;
          // At once: what was read before the failure is kept however soon it comes (the gzip
          // stream's undelivered output included).
          throw new Error('device unplugged');
        })(),
      );
      const r = await readCapture(openCapture({ name: 'dev', stream }, 0));
      expect(r.frames).toHaveLength(3);
      expect(r.error?.message).toBe(`dev: frame 4 at byte offset ${full.length}: read failed: device unplugged`);
      expect(stream.destroyed).toBe(true);
    });
  }
});
