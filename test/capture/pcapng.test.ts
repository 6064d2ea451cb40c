import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bytes, Ng, readBytes } from './builders.js';

/** 2024-10-09T15:49:36.467415123Z in nanoseconds. */
const T_NS = 1_728_488_976_467_415_123n;

describe('pcapng: byte orders and sections', () => {
  for (const le of [true, false]) {
    it(`${le ? 'little' : 'big'}-endian section with EPBs on two interfaces`, async () => {
      const ng = new Ng(le);
      const buf = Buffer.concat([
        ng.shb([{ code: 1, value: 'section comment' }, { code: 4, value: 'tcpshake test' }]),
        ng.idb(1, [{ code: 2, value: 'eth0' }, { code: 3, value: 'uplink' }], 262144),
        ng.idb(113, [{ code: 2, value: 'any' }, ng.tsresol(9)]),
        ng.epb(0, T_NS / 1000n, bytes(60, 1), [{ code: 1, value: 'first packet' }], 74),
        ng.epb(1, T_NS, bytes(61, 2)),
      ]);
      const r = await readBytes(buf, 65536, 'x.pcapng');
      expect(r.error).toBeNull();
      expect(r.info.format).toBe('pcapng');
      expect(r.info.linkTypes).toEqual([1, 113]);
      expect(r.info.interfaces).toEqual([
        { name: 'eth0', description: 'uplink', linkType: 1 },
        { name: 'any', linkType: 113 },
      ]);
      expect(r.info.comments).toEqual(['section comment', 'frame 1: first packet']);
      const shbLen = ng.shb([{ code: 1, value: 'section comment' }, { code: 4, value: 'tcpshake test' }]).length;
      const idb0 = ng.idb(1, [{ code: 2, value: 'eth0' }, { code: 3, value: 'uplink' }], 262144).length;
      const idb1 = ng.idb(113, [{ code: 2, value: 'any' }, ng.tsresol(9)]).length;
      const epb0 = ng.epb(0, T_NS / 1000n, bytes(60, 1), [{ code: 1, value: 'first packet' }], 74).length;
      expect(r.frames.map((f) => [f.number, f.offset, f.tsSec, f.tsNsec, f.linkType, f.originalLength, f.data.length])).toEqual([
        [1, shbLen + idb0 + idb1, 1_728_488_976, 467_415_000, 1, 74, 60],
        [2, shbLen + idb0 + idb1 + epb0, 1_728_488_976, 467_415_123, 113, 61, 61],
      ]);
      expect(Buffer.from(r.frames[0]!.data).equals(Buffer.from(bytes(60, 1)))).toBe(true);
    });
  }

  it('two sections of different byte order; interface ids restart per section', async () => {
    const a = new Ng(true);
    const b = new Ng(false);
    const buf = Buffer.concat([
      a.shb(),
      a.idb(1),
      a.epb(0, 1_000_000n, bytes(10)),
      b.shb([{ code: 1, value: 'second section' }]),
      b.idb(101, [b.tsresol(3)]),
      b.idb(229),
      b.epb(0, 5_000n, bytes(11)), // interface 0 of section 2: link type 101, milliseconds
      b.epb(1, 7_000_001n, bytes(12)),
    ]);
    const r = await readBytes(buf);
    expect(r.error).toBeNull();
    expect(r.info.linkTypes).toEqual([1, 101, 229]);
    expect(r.info.interfaces.map((i) => i.linkType)).toEqual([1, 101, 229]);
    expect(r.info.comments).toEqual(['second section']);
    expect(r.frames.map((f) => [f.number, f.linkType, f.tsSec, f.tsNsec, f.data.length])).toEqual([
      [1, 1, 1, 0, 10],
      [2, 101, 5, 0, 11],
      [3, 229, 7, 1000, 12],
    ]);
  });

  it('a packet on an interface the new section has not described is an error', async () => {
    const a = new Ng(true);
    const shb2 = a.shb();
    const head = Buffer.concat([a.shb(), a.idb(1), a.idb(1), a.epb(1, 1n, bytes(4))]);
    const buf = Buffer.concat([head, shb2, a.epb(1, 2n, bytes(4))]);
    const r = await readBytes(buf, 65536, 'ids.pcapng');
    expect(r.frames).toHaveLength(1);
    expect(r.error).toMatchObject({ file: 'ids.pcapng', frame: 2, offset: head.length + shb2.length });
    expect(r.error!.message).toBe(
      `ids.pcapng: frame 2 at byte offset ${head.length + shb2.length}: packet on interface 1, but this section describes 0 interface(s)`,
    );
  });
});

describe('pcapng: timestamps', () => {
  const cases: Array<{ name: string; resol?: number; units: bigint; sec: number; nsec: number }> = [
    { name: 'default 10^-6', units: 1_728_488_976_467_415n, sec: 1_728_488_976, nsec: 467_415_000 },
    { name: '10^-9', resol: 9, units: T_NS, sec: 1_728_488_976, nsec: 467_415_123 },
    { name: '10^-3', resol: 3, units: 1_728_488_976_467n, sec: 1_728_488_976, nsec: 467_000_000 },
    // 2^-10: 1024 units per second; 1_728_488_976 s + 512/1024 s.
    { name: '2^-10', resol: 0x80 | 10, units: 1_728_488_976n * 1024n + 512n, sec: 1_728_488_976, nsec: 500_000_000 },
    // 2^-30: a fraction that does not end in zeros: 1/2^30 s = 0.931322574... ns, truncated.
    { name: '2^-30', resol: 0x80 | 30, units: 1_728_488_976n * (1n << 30n) + 3n, sec: 1_728_488_976, nsec: 2 },
    // 2^-32: 0xFFFFFFFF/2^32 s = 999999999.767 ns.
    { name: '2^-32', resol: 0x80 | 32, units: (1_728_488_976n << 32n) + 0xffffffffn, sec: 1_728_488_976, nsec: 999_999_999 },
    // Picoseconds need BigInt: 10^12 units per second.
    { name: '10^-12', resol: 12, units: 1_728_488_976_467_415_123_456n % (1n << 64n), sec: 0, nsec: 0 },
  ];
  for (const c of cases) {
    it(`if_tsresol ${c.name}`, async () => {
      const ng = new Ng(true);
      const opts = c.resol === undefined ? [] : [ng.tsresol(c.resol)];
      const buf = Buffer.concat([ng.shb(), ng.idb(1, opts), ng.epb(0, c.units, bytes(8))]);
      const r = await readBytes(buf);
      expect(r.error).toBeNull();
      const f = r.frames[0]!;
      if (c.name === '10^-12') {
        // Reference computed with BigInt here: 2^64 wraps 1.7e24 ps, so just check exactness.
        const per = 10n ** 12n;
        expect([f.tsSec, f.tsNsec]).toEqual([Number(c.units / per), Number(((c.units % per) * 1_000_000_000n) / per)]);
      } else {
        expect([f.tsSec, f.tsNsec]).toEqual([c.sec, c.nsec]);
      }
    });
  }

  it('if_tsoffset adds seconds (also negative ones)', async () => {
    const ng = new Ng(false);
    const buf = Buffer.concat([
      ng.shb(),
      ng.idb(1, [ng.tsoffset(1_600_000_000n), ng.tsresol(9)]),
      ng.idb(1, [ng.tsoffset(-5n)]),
      ng.epb(0, 2_000_000_007n, bytes(8)),
      ng.epb(1, 10_000_001n, bytes(8)),
    ]);
    const r = await readBytes(buf);
    expect(r.frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([
      [1_600_000_002, 7],
      [5, 1000],
    ]);
  });
});

describe('pcapng: block kinds', () => {
  it('Simple Packet Blocks use interface 0, the previous timestamp, snaplen, and warn once', async () => {
    const ng = new Ng(true);
    const shb = ng.shb();
    const idb = ng.idb(1, [], 64);
    const spb1 = ng.spb(bytes(30), 30);
    const epb = ng.epb(0, 42_000_000n, bytes(20));
    const spb2 = ng.spb(bytes(100), 1000); // 100 bytes stored, snaplen 64 cuts it
    const buf = Buffer.concat([shb, idb, spb1, epb, spb2]);
    const r = await readBytes(buf, 65536, 's.pcapng');
    expect(r.error).toBeNull();
    expect(r.frames.map((f) => [f.number, f.offset, f.tsSec, f.tsNsec, f.originalLength, f.data.length])).toEqual([
      [1, shb.length + idb.length, 0, 0, 30, 30],
      [2, shb.length + idb.length + spb1.length, 42, 0, 20, 20],
      [3, shb.length + idb.length + spb1.length + epb.length, 42, 0, 1000, 64],
    ]);
    expect(r.info.warnings).toEqual([
      {
        file: 's.pcapng',
        frame: 1,
        offset: shb.length + idb.length,
        message: 'Simple Packet Blocks carry no timestamp: each gets the time of the frame before it (0 for the first)',
      },
    ]);
  });

  it('obsolete Packet Blocks are frames, with their comments', async () => {
    const ng = new Ng(false);
    const buf = Buffer.concat([ng.shb(), ng.idb(1), ng.pb(0, 3_500_000n, bytes(33), [{ code: 1, value: 'old' }])]);
    const r = await readBytes(buf);
    expect(r.frames.map((f) => [f.number, f.tsSec, f.tsNsec, f.data.length])).toEqual([[1, 3, 500_000_000, 33]]);
    expect(r.info.comments).toEqual(['frame 1: old']);
  });

  it('skips unknown, statistics and name-resolution blocks but keeps their comments', async () => {
    const ng = new Ng(true);
    const isb = ng.block(5, Buffer.concat([ng.u32(0), ng.u32(0), ng.u32(0), ng.options([{ code: 1, value: 'stats' }])]));
    const nrbRecords = Buffer.concat([ng.u16(1), ng.u16(8), Buffer.from([10, 0, 0, 1]), Buffer.from('a\0\0\0'), ng.u16(0), ng.u16(0)]);
    const nrb = ng.block(4, Buffer.concat([nrbRecords, ng.options([{ code: 1, value: 'names' }])]));
    const custom = ng.block(0x40000bad, Buffer.from('custom block payload'));
    const dsb = ng.block(10, Buffer.alloc(16));
    const buf = Buffer.concat([
      ng.shb(),
      ng.idb(1),
      custom,
      ng.epb(0, 1n, bytes(5)),
      nrb,
      dsb,
      ng.epb(0, 2n, bytes(6)),
      isb,
    ]);
    const r = await readBytes(buf);
    expect(r.error).toBeNull();
    expect(r.frames.map((f) => [f.number, f.data.length])).toEqual([
      [1, 5],
      [2, 6],
    ]);
    expect(r.info.comments).toEqual(['names', 'stats']);
  });

  it('systemd journal entries take a frame number, as in Wireshark, but are not delivered', async () => {
    const ng = new Ng(true);
    const buf = Buffer.concat([
      ng.shb(),
      ng.idb(1),
      ng.epb(0, 1n, bytes(5)),
      ng.block(9, Buffer.from('MESSAGE=hello\n')),
      ng.epb(0, 2n, bytes(6)),
    ]);
    const r = await readBytes(buf);
    expect(r.frames.map((f) => f.number)).toEqual([1, 3]);
    expect(r.info.frames).toBe(2);
  });

  it('reads gzip-compressed pcapng', async () => {
    const ng = new Ng(true);
    const buf = gzipSync(Buffer.concat([ng.shb(), ng.idb(276), ng.epb(0, 1n, bytes(5))]));
    const r = await readBytes(buf, 3);
    expect(r.error).toBeNull();
    expect(r.info.gzip).toBe(true);
    expect(r.info.format).toBe('pcapng');
    expect(r.info.linkTypes).toEqual([276]);
    expect(r.frames).toHaveLength(1);
  });

  it('drops trailing NULs of option strings', async () => {
    const ng = new Ng(true);
    const buf = Buffer.concat([ng.shb(), ng.idb(1, [{ code: 2, value: 'en0\0' }])]);
    const r = await readBytes(buf);
    expect(r.info.interfaces).toEqual([{ name: 'en0', linkType: 1 }]);
  });
});
