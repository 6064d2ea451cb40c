import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { linkTypeName, openCapture } from '../../src/capture/index.js';
import { bytes, pcapFile, readBytes, readCapture, type PcapMagic } from './builders.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpshake-pcap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('classic pcap: the four magics', () => {
  const cases: Array<{ magic: PcapMagic; littleEndian: boolean; bytes0: string }> = [
    { magic: 'usec', littleEndian: false, bytes0: 'a1b2c3d4' },
    { magic: 'usec', littleEndian: true, bytes0: 'd4c3b2a1' },
    { magic: 'nsec', littleEndian: false, bytes0: 'a1b23c4d' },
    { magic: 'nsec', littleEndian: true, bytes0: '4d3cb2a1' },
  ];
  for (const c of cases) {
    it(`${c.bytes0}: ${c.magic} ${c.littleEndian ? 'little' : 'big'}-endian`, async () => {
      const frac1 = c.magic === 'usec' ? 123_456 : 123_456_789;
      const frac2 = c.magic === 'usec' ? 999_999 : 999_999_999;
      const buf = pcapFile(
        [
          { sec: 1_700_000_000, frac: frac1, data: bytes(60, 1) },
          { sec: 1_700_000_001, frac: frac2, data: bytes(1514, 2), origLen: 1514 },
          { sec: 1_700_000_002, frac: 0, data: bytes(96, 3), origLen: 4000 },
        ],
        { magic: c.magic, littleEndian: c.littleEndian, linkType: 113, snaplen: 96 + 1514 },
      );
      expect(buf.subarray(0, 4).toString('hex')).toBe(c.bytes0);
      const r = await readBytes(buf);
      expect(r.error).toBeNull();
      expect(r.info.format).toBe(c.magic === 'usec' ? 'pcap' : 'pcap-nsec');
      expect(r.info.gzip).toBe(false);
      expect(r.info.linkTypes).toEqual([113]);
      expect(r.info.frames).toBe(3);
      expect(r.info.warnings).toEqual([]);
      const mult = c.magic === 'usec' ? 1000 : 1;
      expect(r.frames.map((f) => [f.number, f.offset, f.tsSec, f.tsNsec, f.linkType, f.originalLength, f.data.length])).toEqual([
        [1, 24, 1_700_000_000, frac1 * mult, 113, 60, 60],
        [2, 24 + 16 + 60, 1_700_000_001, frac2 * mult, 113, 1514, 1514],
        [3, 24 + 16 + 60 + 16 + 1514, 1_700_000_002, 0, 113, 4000, 96],
      ]);
      expect(Buffer.from(r.frames[1]!.data).equals(Buffer.from(bytes(1514, 2)))).toBe(true);
      expect([r.info.firstTsSec, r.info.firstTsNsec, r.info.lastTsSec, r.info.lastTsNsec]).toEqual([
        1_700_000_000,
        frac1 * mult,
        1_700_000_002,
        0,
      ]);
    });
  }

  it('keeps full nanosecond precision of large epoch values', async () => {
    const buf = pcapFile([{ sec: 4_294_967_295, frac: 999_999_999, data: bytes(1) }], { magic: 'nsec' });
    const r = await readBytes(buf);
    expect([r.frames[0]!.tsSec, r.frames[0]!.tsNsec]).toEqual([4_294_967_295, 999_999_999]);
  });

  it('carries an out-of-range fraction into the seconds and warns once', async () => {
    const buf = pcapFile([
      { sec: 10, frac: 1_500_000, data: bytes(4) },
      { sec: 11, frac: 2_000_001, data: bytes(4) },
    ]);
    const r = await readBytes(buf, 65536, 'frac.pcap');
    expect(r.frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([
      [11, 500_000_000],
      [13, 1_000],
    ]);
    expect(r.info.warnings).toHaveLength(1);
    expect(r.info.warnings[0]).toMatchObject({ file: 'frac.pcap', frame: 1, offset: 24 });
  });

  it('masks FCS bits out of the link type field', async () => {
    const buf = pcapFile([{ sec: 1, frac: 0, data: bytes(20) }], { linkType: 1 | 0x14000000 });
    const r = await readBytes(buf);
    expect(r.info.linkTypes).toEqual([1]);
    expect(r.frames[0]!.linkType).toBe(1);
  });

  it('accepts a file with a header and no records', async () => {
    const r = await readBytes(pcapFile([]));
    expect(r.error).toBeNull();
    expect(r.frames).toEqual([]);
    expect(r.info.frames).toBe(0);
    expect(r.info.firstTsSec).toBeNull();
    expect(r.info.warnings).toEqual([]);
  });

  it('allows a captured length above the snaplen but within 256 KiB, and one of 0 bytes', async () => {
    const buf = pcapFile(
      [
        { sec: 1, frac: 0, data: bytes(5000) },
        { sec: 2, frac: 0, data: bytes(0), origLen: 60 },
      ],
      { snaplen: 64 },
    );
    const r = await readBytes(buf);
    expect(r.error).toBeNull();
    expect(r.frames.map((f) => f.data.length)).toEqual([5000, 0]);
  });

  it('accepts a captured length up to a snaplen above 256 KiB', async () => {
    const big = 300_000;
    const r = await readBytes(pcapFile([{ sec: 1, frac: 0, data: bytes(big) }], { snaplen: 1 << 20 }));
    expect(r.error).toBeNull();
    expect(r.frames[0]!.data.length).toBe(big);
  });
});

describe('classic pcap: inputs', () => {
  const records = [
    { sec: 100, frac: 1, data: bytes(70, 9) },
    { sec: 101, frac: 2, data: bytes(80, 8) },
  ];

  it('reads a path', async () => {
    const p = join(tmp, 'a.pcap');
    writeFileSync(p, pcapFile(records));
    const c = openCapture(p, 3);
    const r = await readCapture(c);
    expect(r.error).toBeNull();
    expect(r.frames.map((f) => [f.fileIndex, f.number, f.tsNsec])).toEqual([
      [3, 1, 1000],
      [3, 2, 2000],
    ]);
    expect(r.info.file).toBe(p);
    expect(c.bytesRead()).toBe(24 + 16 + 70 + 16 + 80);
  });

  it('sniffs gzip by its magic, not its name, and counts compressed bytes', async () => {
    const plainBuf = pcapFile(records, { magic: 'nsec', littleEndian: false });
    const gz = gzipSync(plainBuf);
    const p = join(tmp, 'no-gz-suffix.cap');
    writeFileSync(p, gz);
    const c = openCapture(p, 0);
    const r = await readCapture(c);
    expect(r.error).toBeNull();
    expect(r.info.gzip).toBe(true);
    expect(r.info.format).toBe('pcap-nsec');
    expect(r.frames.map((f) => [f.offset, f.tsSec, f.tsNsec])).toEqual([
      [24, 100, 1],
      [24 + 16 + 70, 101, 2],
    ]);
    expect(c.bytesRead()).toBe(gz.length);
  });

  it('reads gzip from a stream in 1-byte chunks', async () => {
    const gz = gzipSync(pcapFile(records));
    const r = await readBytes(gz, 1);
    expect(r.error).toBeNull();
    expect(r.info.gzip).toBe(true);
    expect(r.frames).toHaveLength(2);
  });

  it('yields one batch per chunk read, not one per frame', async () => {
    const many = pcapFile(Array.from({ length: 200 }, (_, i) => ({ sec: i, frac: 0, data: bytes(100, i) })));
    const whole = await readBytes(many, many.length);
    expect(whole.frames).toHaveLength(200);
    expect(whole.batches).toBe(1);
    const inPieces = await readBytes(many, 4096);
    expect(inPieces.batches).toBe(Math.ceil(many.length / 4096));
  });

  it('batches() can be iterated only once', async () => {
    const c = openCapture('/nonexistent/x.pcap', 0);
    c.batches();
    expect(() => c.batches()).toThrow(/only be iterated once/);
  });

  it('closes the file when the reader stops early', async () => {
    const gz = pcapFile(records);
    const { chunkedStream } = await import('./builders.js');
    const stream = chunkedStream(gz, 50);
    const c = openCapture({ name: 's', stream }, 0);
    for await (const batch of c.batches()) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    expect(stream.destroyed).toBe(true);
  });
});

describe('linkTypeName', () => {
  it('gives libpcap names', () => {
    expect(
      [0, 1, 101, 108, 113, 228, 229, 276, 12, 127, 150].map((n) => linkTypeName(n)),
    ).toEqual(['NULL', 'EN10MB', 'RAW', 'LOOP', 'LINUX_SLL', 'IPV4', 'IPV6', 'LINUX_SLL2', 'RAW', 'IEEE802_11_RADIO', 'USER3']);
    expect(linkTypeName(4242)).toBe('LINKTYPE_4242');
  });
});
