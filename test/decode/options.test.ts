import { describe, expect, it } from 'vitest';
import { parseTcpOptions } from '../../src/decode/options.js';
import { newTcpOptions, type TcpOptions } from '../../src/decode/segment.js';
import { u32 } from './helpers.js';

/** Parses `opts` as the option area of a header of `opts.length` bytes (padded to 4), `captured` bytes of it present. */
function parse(opts: number[], captured = Infinity, into: TcpOptions = newTcpOptions()): TcpOptions {
  const area = [...opts];
  while (area.length % 4) area.push(0);
  const b = Uint8Array.from(area.slice(0, Math.min(area.length, captured)));
  parseTcpOptions(b, 0, area.length, b.length, into);
  return into;
}

describe('TCP options', () => {
  it('reads a Linux SYN: MSS, SACK-permitted, timestamps, NOP, window scale', () => {
    const o = parse([2, 4, 0x05, 0xb4, 4, 2, 8, 10, ...u32(897239776), ...u32(0), 1, 3, 3, 10]);
    expect(o).toMatchObject({ mss: 1460, sackPermitted: true, hasTimestamps: true, tsVal: 897239776, tsEcr: 0, windowScale: 10 });
    expect(o).toMatchObject({ malformed: false, truncated: false, unknownCount: 0, tfoCookieLength: -1, mptcp: false });
  });

  it('reads timestamps above 2^31 as unsigned', () => {
    const o = parse([1, 1, 8, 10, ...u32(0xfedcba98), ...u32(0x80000000)]);
    expect(o.tsVal).toBe(0xfedcba98);
    expect(o.tsEcr).toBe(0x80000000);
  });

  it('reads 1 to 4 SACK blocks (RFC 2018), edges unsigned', () => {
    const one = parse([1, 1, 5, 10, ...u32(1), ...u32(1441)]);
    expect(one.sackBlockCount).toBe(1);
    expect(one.sackBlocks.slice(0, 2)).toEqual([1, 1441]);
    const edges = [0xffffff00, 0x00000010, 100, 200, 300, 400, 500, 600];
    const four = parse([1, 1, 5, 34, ...edges.flatMap(u32)]);
    expect(four.sackBlockCount).toBe(4);
    expect(four.sackBlocks).toEqual(edges);
  });

  it('flags a SACK option whose length is not 2 + 8n', () => {
    const o = parse([5, 9, 0, 0, 0, 1, 0, 0, 0]);
    expect(o.malformed).toBe(true);
    expect(o.sackBlockCount).toBe(0);
  });

  it('TCP Fast Open: a cookie request, a cookie, and the experimental kind 254 / 0xF989 form', () => {
    expect(parse([34, 2]).tfoCookieLength).toBe(0);
    expect(parse([34, 10, 1, 2, 3, 4, 5, 6, 7, 8]).tfoCookieLength).toBe(8);
    expect(parse([254, 4, 0xf9, 0x89]).tfoCookieLength).toBe(0);
    expect(parse([254, 12, 0xf9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8]).tfoCookieLength).toBe(8);
    // Another experiment under kind 254 is just an unknown option.
    const other = parse([254, 4, 0x12, 0x34]);
    expect(other.tfoCookieLength).toBe(-1);
    expect(other.unknownCount).toBe(1);
    // A 1-byte cookie is not a valid length (RFC 7413: 4 to 16 bytes).
    expect(parse([34, 3, 9]).malformed).toBe(true);
  });

  it('MPTCP (kind 30) is noted; other kinds are counted', () => {
    const o = parse([30, 12, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8, 19, 18, ...new Array<number>(16).fill(0), 28, 4, 0, 10]);
    expect(o.mptcp).toBe(true);
    // MD5 signature (19) and user timeout (28)
    expect(o.unknownCount).toBe(2);
    expect(o.malformed).toBe(false);
  });

  it('stops at EOL: what follows is padding', () => {
    const o = parse([0, 2, 4, 5, 0xb4]);
    expect(o.mss).toBe(-1);
    expect(o.malformed).toBe(false);
  });

  it('a length below 2 is malformed and stops parsing', () => {
    const zero = parse([8, 0, 2, 4, 5, 0xb4]);
    expect(zero.malformed).toBe(true);
    expect(zero.mss).toBe(-1);
    const one = parse([3, 1, 2, 4, 5, 0xb4]);
    expect(one.malformed).toBe(true);
    expect(one.mss).toBe(-1);
  });

  it('an option running past the header is malformed and stops parsing', () => {
    const o = parse([2, 4, 5, 0xb4, 8, 10, 0, 0]);
    expect(o.mss).toBe(1460);
    expect(o.hasTimestamps).toBe(false);
    expect(o.malformed).toBe(true);
    // The kind byte is the last of the header: no room for a length.
    const last = parse([1, 1, 1, 2]);
    expect(last.malformed).toBe(true);
  });

  it('a known kind with the wrong length is malformed, but later options are still read', () => {
    const o = parse([2, 3, 5, 3, 3, 10, 1, 1]);
    expect(o.mss).toBe(-1);
    expect(o.malformed).toBe(true);
    expect(o.windowScale).toBe(10);
    expect(parse([8, 6, 0, 0, 0, 0]).hasTimestamps).toBe(false);
    expect(parse([4, 3, 0]).sackPermitted).toBe(false);
    expect(parse([3, 4, 7, 0]).windowScale).toBe(-1);
  });

  it('an option list cut by the snap length is truncated, not malformed', () => {
    const syn = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, ...u32(5), ...u32(0), 1, 3, 3, 10];
    const cut = parse(syn, 7);
    expect(cut).toMatchObject({ mss: 1460, sackPermitted: true, hasTimestamps: false, truncated: true, malformed: false });
    expect(parse(syn, 4)).toMatchObject({ mss: 1460, truncated: true });
    expect(parse(syn, 1)).toMatchObject({ mss: -1, truncated: true, malformed: false });
    expect(parse(syn, 0)).toMatchObject({ mss: -1, truncated: true });
    // Cut after an EOL: nothing was lost.
    expect(parse([2, 4, 5, 0xb4, 0, 0, 0, 0], 5).truncated).toBe(false);
  });

  it('resets every field, reusing the SACK array, between segments', () => {
    const o = newTcpOptions();
    const blocks = o.sackBlocks;
    parse([2, 4, 5, 0xb4, 3, 3, 7, 4, 2, 5, 10, ...u32(1), ...u32(2), 8, 10, ...u32(3), ...u32(4), 34, 2, 30, 4, 0, 0, 99, 2, 2, 3], Infinity, o);
    expect(o.malformed).toBe(true);
    parse([], Infinity, o);
    expect(o).toEqual({ ...newTcpOptions(), sackBlocks: o.sackBlocks });
    expect(o.sackBlocks).toBe(blocks);
  });
});
