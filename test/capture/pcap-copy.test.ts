/**
 * The classic pcap reader hands pcap-parser each chunk without copying it: only the one record split
 * by a chunk boundary is put together in a buffer of its own; every other frame's bytes are a view
 * of the chunk they arrived in. And the frames are the same whatever the chunking (also proven for
 * many files by chunking.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { emptyCaptureInfo, type CaptureInfo, type Frame } from '../../src/capture/frame.js';
import { PcapReader } from '../../src/capture/pcap.js';
import { bytes, pcapFile, plain } from './builders.js';

function newInfo(): CaptureInfo {
  return emptyCaptureInfo('t.pcap');
}


/** Pushes `file` in pieces of the given sizes (cycled), each piece in an ArrayBuffer of its own. */
function read(file: Buffer, sizes: number[]): { frames: Frame[]; chunkOf: Map<Frame, ArrayBufferLike>; reader: PcapReader; info: CaptureInfo } {
  const info = newInfo();
  const reader = new PcapReader({ file: 't.pcap', fileIndex: 0, info });
  const frames: Frame[] = [];
  const chunkOf = new Map<Frame, ArrayBufferLike>();
  let k = 0;
  for (let at = 0; at < file.length; k++) {
    const n = Math.min(sizes[k % sizes.length]!, file.length - at);
    const chunk = Buffer.alloc(n);
    file.copy(chunk, 0, at, at + n);
    at += n;
    const out: Frame[] = [];
    reader.push(chunk, out);
    for (const f of out) chunkOf.set(f, chunk.buffer);
    frames.push(...out);
  }
  reader.finish();
  return { frames, chunkOf, reader, info };
}

const records = Array.from({ length: 300 }, (_, i) => ({
  sec: 1_700_000_000 + (i >> 4),
  frac: i * 1000,
  data: bytes(40 + ((i * 97) % 1460), i),
}));

describe('pcap reader: chunks are not copied', () => {
  for (const le of [true, false]) {
    it(`${le ? 'little' : 'big'}-endian: frames view their chunk, except the records split by a boundary`, () => {
      const file = pcapFile(records, { littleEndian: le });
      const whole = read(file, [file.length]);
      expect(whole.frames).toHaveLength(records.length);
      // Boundaries inside record headers, inside bodies and right on record boundaries.
      const sizes = [5000, 4099, 8192, 3, 17, 6007, 16];
      const r = read(file, sizes);
      expect(r.reader.error).toBeNull();
      expect(plain(r.frames)).toEqual(plain(whole.frames));
      expect(r.info.warnings).toEqual([]);

      // Which records straddle a chunk boundary (absolute offsets of the chunk starts).
      const starts = new Set<number>();
      for (let at = 0, k = 0; at < file.length; k++) {
        starts.add(at);
        at += sizes[k % sizes.length]!;
      }
      let viewed = 0;
      let joined = 0;
      for (const f of r.frames) {
        const end = f.offset + 16 + f.data.length;
        let split = false;
        for (let b = f.offset + 1; b < end && !split; b++) split = starts.has(b);
        if (split) {
          joined++;
          // Put together on its own: not a copy of the whole next chunk.
          expect(f.data.buffer).not.toBe(r.chunkOf.get(f));
          expect(f.data.byteLength).toBe(f.data.length);
        } else {
          viewed++;
          expect(f.data.buffer, `frame ${f.number}`).toBe(r.chunkOf.get(f));
        }
      }
      expect(joined).toBeGreaterThan(20);
      expect(viewed).toBeGreaterThan(100);
    });
  }

  it('a record cut short at the end is still a warning, after the joined records', () => {
    const file = pcapFile(records.slice(0, 50));
    const cut = file.subarray(0, file.length - 10);
    const r = read(cut, [1000, 333]);
    expect(r.frames).toHaveLength(49);
    expect(r.info.warnings.map((w) => [w.frame, w.message])).toEqual([[50, expect.stringMatching(/^record cut short/)]]);
  });
});
