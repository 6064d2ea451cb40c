/**
 * A streaming reader must give the same frames whatever the chunk boundaries: every capture, built here
 * or from the shared corpus, read in 1-byte, 7-byte, 4096-byte and random chunks, must match a read of
 * the whole file at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/index.js';
import { bytes, Ng, pcapFile, plain, readBytes, readCapture, type Chunking } from './builders.js';

const CORPUS = resolve('../shared/corpus');
const MANIFEST = resolve(CORPUS, 'manifest.json');
const haveCorpus = existsSync(MANIFEST);

/** 1-byte chunks cost a stream round trip per byte: only for files up to this size. */
const ONE_BYTE_LIMIT = 64 * 1024;

async function expectChunkInvariant(name: string, buf: Buffer): Promise<number> {
  const whole = await readBytes(buf, buf.length, name);
  const reference = plain(whole.frames);
  const chunkings: Chunking[] = buf.length <= ONE_BYTE_LIMIT ? [1, 7, 4096, 'random'] : [7, 4096, 'random'];
  for (const c of chunkings) {
    const r = await readBytes(buf, c, name);
    expect(plain(r.frames), `${name} in ${c}-byte chunks`).toEqual(reference);
    expect(r.error?.message, `${name} in ${c}-byte chunks`).toBe(whole.error?.message);
    expect(r.info, `${name} in ${c}-byte chunks`).toEqual(whole.info);
  }
  return whole.frames.length;
}

function builtCaptures(): Array<[string, Buffer]> {
  const records = Array.from({ length: 40 }, (_, i) => ({
    sec: 1_700_000_000 + i,
    frac: i * 7919,
    data: bytes(i === 7 ? 3000 : 40 + ((i * 37) % 1500), i),
    origLen: 1600 + i,
  }));
  const le = new Ng(true);
  const be = new Ng(false);
  const ng = Buffer.concat([
    le.shb([{ code: 1, value: 'le section' }]),
    le.idb(1, [{ code: 2, value: 'eth0' }, le.tsresol(9)]),
    le.block(0x0bad, Buffer.alloc(37)),
    ...records.slice(0, 20).map((r, i) => le.epb(0, BigInt(r.sec) * 1_000_000_000n + BigInt(r.frac), r.data, i % 3 === 0 ? [{ code: 1, value: `c${i}` }] : [])),
    le.spb(bytes(99)),
    be.shb(),
    be.idb(113, [be.tsresol(0x80 | 20), be.tsoffset(3n)]),
    ...records.slice(20).map((r) => be.pb(0, BigInt(r.sec) << 20n, r.data)),
  ]);
  return [
    ['usec-le.pcap', pcapFile(records)],
    ['usec-be.pcap', pcapFile(records, { littleEndian: false })],
    ['nsec-le.pcap', pcapFile(records, { magic: 'nsec' })],
    ['nsec-be.pcap', pcapFile(records, { magic: 'nsec', littleEndian: false })],
    ['cut.pcap', pcapFile(records).subarray(0, 20_000)],
    ['mixed.pcapng', ng],
    ['cut.pcapng', ng.subarray(0, ng.length - 50)],
    ['mixed.pcapng.gz', gzipSync(ng)],
    ['usec.pcap.gz', gzipSync(pcapFile(records))],
  ];
}

describe('chunk invariance: built captures', () => {
  for (const [name, buf] of builtCaptures()) {
    it(name, async () => {
      expect(await expectChunkInvariant(name, buf)).toBeGreaterThan(0);
    });
  }
});

interface ManifestEntry {
  file: string;
  packets: string | number;
}

const manifest: ManifestEntry[] = haveCorpus ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as ManifestEntry[]) : [];

describe.skipIf(!haveCorpus)('corpus', () => {
  for (const entry of manifest) {
    const path = resolve(CORPUS, entry.file);
    it.skipIf(!existsSync(path))(`${entry.file}: ${entry.packets} frames, same in every chunking`, async () => {
      const fromPath = await readCapture(openCapture(path, 0));
      expect(fromPath.error).toBeNull();
      expect(fromPath.info.warnings).toEqual([]);
      expect(fromPath.frames).toHaveLength(Number(entry.packets));
      expect(fromPath.frames.map((f) => f.number)).toEqual(fromPath.frames.map((_, i) => i + 1));
      const buf = readFileSync(path);
      expect(await expectChunkInvariant(entry.file, buf)).toBe(Number(entry.packets));
      // Reading the path and reading a stream agree.
      const fromStream = await readBytes(buf, 65536, entry.file);
      expect(plain(fromStream.frames)).toEqual(plain(fromPath.frames));
    });
  }
});
