import { describe, expect, it } from 'vitest';
import { mergeCaptures, openCapture, type Frame, type OpenedCapture } from '../../src/capture/index.js';
import { bytes, chunkedStream, Ng, pcapFile, pcapHeader, pcapRecord, type Chunking } from './builders.js';

function open(buf: Buffer, index: number, chunking: Chunking = 4096): OpenedCapture {
  return openCapture({ name: `in${index}`, stream: chunkedStream(buf, chunking) }, index);
}

async function collect(it: AsyncIterable<Frame[]>): Promise<Array<[number, number, number, number]>> {
  const out: Array<[number, number, number, number]> = [];
  for await (const batch of it) {
    expect(batch.length).toBeGreaterThan(0);
    for (const f of batch) out.push([f.fileIndex, f.number, f.tsSec, f.tsNsec]);
  }
  return out;
}

describe('mergeCaptures', () => {
  it('interleaves two files by time; frame numbers stay per file; ties keep input order', async () => {
    const a = pcapFile([
      { sec: 1, frac: 0, data: bytes(10) },
      { sec: 3, frac: 0, data: bytes(10) },
      { sec: 5, frac: 500, data: bytes(10) },
      { sec: 7, frac: 0, data: bytes(10) },
    ]);
    const ng = new Ng(false);
    const b = Buffer.concat([
      ng.shb(),
      ng.idb(101, [ng.tsresol(9)]),
      ng.epb(0, 2_000_000_000n, bytes(5)),
      ng.epb(0, 3_000_000_000n, bytes(5)), // tie with a#2: a first
      ng.epb(0, 5_000_500_000n, bytes(5)), // tie with a#3 (500 µs): a first
      ng.epb(0, 9_000_000_000n, bytes(5)),
    ]);
    const expected = [
      [0, 1, 1, 0],
      [1, 1, 2, 0],
      [0, 2, 3, 0],
      [1, 2, 3, 0],
      [0, 3, 5, 500_000],
      [1, 3, 5, 500_000],
      [0, 4, 7, 0],
      [1, 4, 9, 0],
    ];
    for (const chunking of [1, 7, 4096] as Chunking[]) {
      expect(await collect(mergeCaptures([open(a, 0, chunking), open(b, 1, chunking)]))).toEqual(expected);
    }
    // With the inputs the other way round, ties go to the other file.
    const swapped = await collect(mergeCaptures([open(b, 0), open(a, 1)]));
    expect(swapped.slice(2, 4)).toEqual([
      [0, 2, 3, 0],
      [1, 2, 3, 0],
    ]);
  });

  it("keeps a file's own order where the file itself is out of time order", async () => {
    const a = pcapFile([
      { sec: 5, frac: 0, data: bytes(1) },
      { sec: 2, frac: 0, data: bytes(1) },
      { sec: 6, frac: 0, data: bytes(1) },
    ]);
    const b = pcapFile([
      { sec: 1, frac: 0, data: bytes(1) },
      { sec: 4, frac: 0, data: bytes(1) },
    ]);
    expect((await collect(mergeCaptures([open(a, 0), open(b, 1)]))).map(([f, n]) => `${f}:${n}`)).toEqual([
      '1:1',
      '1:2',
      '0:1',
      '0:2',
      '0:3',
    ]);
  });

  it('a corrupt input does not lose the others; its error stays on the input', async () => {
    const good = pcapFile(Array.from({ length: 5 }, (_, i) => ({ sec: i * 2, frac: 0, data: bytes(8) })));
    const bad = Buffer.concat([
      pcapHeader(),
      pcapRecord({ sec: 1, frac: 0, data: bytes(8) }),
      pcapRecord({ sec: 3, frac: 0, data: bytes(8), capLenField: 1 << 30, origLen: 1 << 30 }),
    ]);
    const inputs = [open(bad, 0, 7), open(good, 1, 7), openCapture('/nonexistent/tcpshake.pcap', 2)];
    const merged = await collect(mergeCaptures(inputs));
    expect(merged.map(([f, n]) => `${f}:${n}`)).toEqual(['1:1', '0:1', '1:2', '1:3', '1:4', '1:5']);
    expect(inputs[0]!.error()).toMatchObject({ file: 'in0', frame: 2, offset: 24 + 16 + 8 });
    expect(inputs[1]!.error()).toBeNull();
    expect(inputs[2]!.error()?.message).toMatch(/cannot open: no such file or directory \(ENOENT\)$/);
    expect(inputs[1]!.info.frames).toBe(5);
  });

  it('a single input passes through; no input gives nothing', async () => {
    const a = pcapFile([{ sec: 1, frac: 0, data: bytes(1) }]);
    expect(await collect(mergeCaptures([open(a, 0)]))).toEqual([[0, 1, 1, 0]]);
    expect(await collect(mergeCaptures([]))).toEqual([]);
  });

  it('merges large inputs in bounded batches and closes inputs when stopped early', async () => {
    const n = 10_000;
    const a = pcapFile(Array.from({ length: n }, (_, i) => ({ sec: i, frac: 0, data: bytes(4) })));
    const b = pcapFile(Array.from({ length: n }, (_, i) => ({ sec: i, frac: 1, data: bytes(4) })));
    let count = 0;
    let last = -1;
    let maxBatch = 0;
    for await (const batch of mergeCaptures([open(a, 0, 65536), open(b, 1, 65536)])) {
      maxBatch = Math.max(maxBatch, batch.length);
      for (const f of batch) {
        const t = f.tsSec * 1e9 + f.tsNsec;
        expect(t).toBeGreaterThanOrEqual(last);
        last = t;
        count++;
      }
    }
    expect(count).toBe(2 * n);
    expect(maxBatch).toBeLessThanOrEqual(4096);

    const sa = chunkedStream(a, 4096);
    const sb = chunkedStream(b, 4096);
    for await (const batch of mergeCaptures([
      openCapture({ name: 'a', stream: sa }, 0),
      openCapture({ name: 'b', stream: sb }, 1),
    ])) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    expect(sa.destroyed && sb.destroyed).toBe(true);
  });
});
