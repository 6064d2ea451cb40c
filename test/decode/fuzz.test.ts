/**
 * Decoders never throw on packet bytes: random frames, every truncation and random byte flips of
 * valid frames, on every link type. A decoded segment's offsets always lie inside the frame.
 */
import { describe, expect, it } from 'vitest';
import { FramePacker, PackedFrames, packedSize } from '../../src/capture/packed.js';
import {
  checksumVerdicts,
  CHECKSUMS_UNKNOWN,
  decodeFrame,
  decodePacked,
  LINK_TYPE_DECODERS,
  newSegment,
  type DecodeResult,
  type Segment,
} from '../../src/decode/index.js';
import { V4_SYN, V6_DATA_IP, V6_SYN } from './fixtures.js';
import { concat, ethernet, frameOf, ipv4, ipv6, tcp, u16 } from './helpers.js';

const REASONS = new Set([
  'unsupported_link_type',
  'unsupported_ethertype',
  'non_ip',
  'non_tcp',
  'truncated',
  'fragment',
  'bad_ip_header',
  'bad_tcp_header',
  'tunnel',
]);

function rng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function check(seg: Segment, linkType: number, data: Uint8Array, wire: number): void {
  const result = decodeFrame(frameOf(linkType, data, wire), seg);
  if (result === null) {
    const n = data.length;
    if (seg.srcOffset + seg.addrLength > n || seg.dstOffset + seg.addrLength > n) throw new Error('address outside frame');
    if (seg.payloadOffset > n + 40 || seg.capturedPayload < 0 || (seg.capturedPayload > 0 && seg.payloadOffset + seg.capturedPayload > n)) throw new Error('payload outside frame');
    if (seg.capturedPayload > seg.payloadLength || seg.headerLength < 20 || seg.headerLength > 60) throw new Error('inconsistent lengths');
    if (seg.seq < 0 || seg.ack < 0 || seg.seq > 0xffffffff) throw new Error('sequence not unsigned');
  } else if (!REASONS.has(result)) throw new Error(`unknown reason ${String(result)}`);
}

const seeds: Uint8Array[] = [
  V4_SYN,
  V6_SYN,
  ethernet(0x88a8, concat([...u16(1), ...u16(0x8100), ...u16(2), ...u16(0x8847), 0, 1, 0x01, 64], ipv4(tcp({ options: [2, 4, 5, 0xb4, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2] })))),
  ethernet(0x86dd, ipv6(tcp({ payload: [1, 2, 3] }), { ext: [{ type: 0, bytes: [0, 0, 1, 4, 0, 0, 0, 0] }, { type: 44, bytes: [0, 0, 0, 1, 0, 0, 0, 1] }] })),
  concat([0x11, 0, 0, 1, 0, 40, 0, 0x57], V6_DATA_IP),
];

describe('decoders never throw', () => {
  it('every prefix of valid frames, on every link type', () => {
    const seg = newSegment();
    for (const lt of [...LINK_TYPE_DECODERS.keys(), 7777]) {
      for (const s of seeds) for (let cut = 0; cut <= s.length; cut++) check(seg, lt, s.slice(0, cut), s.length);
    }
    // The seeds themselves are whole TCP segments.
    for (const s of seeds.slice(0, 4)) expect(decodeFrame(frameOf(1, s), seg)).toBeNull();
    expect(decodeFrame(frameOf(51, seeds[4]!), seg)).toBeNull();
  });

  it('random byte flips of valid frames', () => {
    const seg = newSegment();
    const r = rng(42);
    const lts = [...LINK_TYPE_DECODERS.keys()];
    for (let i = 0; i < 20_000; i++) {
      const s = seeds[i % seeds.length]!.slice();
      const flips = 1 + Math.floor(r() * 4);
      for (let f = 0; f < flips; f++) s[Math.floor(r() * s.length)] = Math.floor(r() * 256);
      const lt = i % 3 === 0 ? lts[Math.floor(r() * lts.length)]! : i % seeds.length === 4 ? 51 : 1;
      check(seg, lt, s, r() < 0.5 ? s.length : Math.floor(r() * 100_000));
    }
  });

  it('random bytes', () => {
    const seg = newSegment();
    const r = rng(7);
    const lts = [...LINK_TYPE_DECODERS.keys()];
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor(r() * 120);
      const b = new Uint8Array(n);
      for (let j = 0; j < n; j++) b[j] = Math.floor(r() * 256);
      // Steer some frames towards IP so the deeper decoders see noise too.
      if (n > 20 && i % 2) b[0] = i % 4 === 1 ? 0x45 : 0x60;
      check(seg, lts[i % lts.length]!, b, n);
    }
  });
});

/** A decoded segment with its offsets taken from `base` (where the frame's bytes start in `seg.bytes`). */
function relative(result: DecodeResult, seg: Segment, base: number): unknown {
  if (result !== null) return result;
  const { bytes: _bytes, knownChecksums: _known, capturedEnd, frameStart, srcOffset, dstOffset, payloadOffset, options, tunnels, ...rest } = seg;
  const address = (at: number): number[] => [...seg.bytes.subarray(at, at + seg.addrLength)];
  return {
    ...rest,
    capturedEnd: capturedEnd - base,
    frameStart: frameStart - base,
    tunnels: tunnels.slice(0, seg.tunnelDepth).map((t) => ({ ...t, srcOffset: t.srcOffset - base, dstOffset: t.dstOffset - base })),
    srcOffset: srcOffset - base,
    dstOffset: dstOffset - base,
    payloadOffset: payloadOffset - base,
    src: address(srcOffset),
    dst: address(dstOffset),
    options: { ...options, sackBlocks: options.sackBlocks.slice(0, options.sackBlockCount * 2) },
  };
}

describe('frames packed by the reading thread', () => {
  it('decode where they lie exactly as on their own, never reading into the next record', () => {
    const r = rng(99);
    const lts = [...LINK_TYPE_DECODERS.keys()];
    const alone = newSegment();
    const packed = newSegment();
    const buffer = new ArrayBuffer(1 << 16);
    let checked = 0;
    for (let i = 0; i < 6000; i++) {
      const s = seeds[i % seeds.length]!.slice();
      // Every prefix of each seed first, then random flips.
      const cut = i < 600 ? Math.min(s.length, Math.floor(i / seeds.length)) : s.length;
      if (i >= 600) for (let f = 1 + Math.floor(r() * 3); f > 0; f--) s[Math.floor(r() * s.length)] = Math.floor(r() * 256);
      const data = s.slice(0, cut);
      const lt = i % 3 === 0 ? lts[Math.floor(r() * lts.length)]! : i % seeds.length === 4 ? 51 : 1;
      const wire = r() < 0.5 ? s.length : data.length + Math.floor(r() * 2000);
      // The frame at an offset, a record of 0xff bytes right after it: a decoder reading past the
      // frame's captured end would see them (and not the undefined of a view's end).
      const packer = new FramePacker(buffer, 0, buffer.byteLength);
      const noise = new Uint8Array(1 + Math.floor(r() * 200)).fill(0xff);
      const lead = { fileIndex: 0, number: 1, offset: 24, tsSec: 1, tsNsec: 0, linkType: 1, originalLength: 3, data: new Uint8Array(3) };
      packer.add(lead);
      const frame = { fileIndex: 1, number: 7, offset: 99, tsSec: 1_700_000_000, tsNsec: 5, linkType: lt, originalLength: wire, data };
      // Half with the checksum verdicts worked out as the reading thread does, half without.
      const scratch = newSegment();
      packer.add(frame, i % 2 === 0 && decodeFrame(frame, scratch) === null ? checksumVerdicts(scratch) : CHECKSUMS_UNKNOWN);
      packer.add({ ...lead, data: noise, originalLength: noise.length });
      new Uint8Array(buffer, packer.used).fill(0xff);
      const frames = new PackedFrames(buffer, 0, 3);
      const at = frames.next(0);
      expect(at).toBe(packedSize(3));
      const got = decodePacked(frames, at, packed);
      const want = decodeFrame(frame, alone);
      expect(relative(got, packed, frames.dataStart(at)), `frame ${i}`).toEqual(relative(want, alone, 0));
      if (got === null) checked++;
    }
    // Enough of them decoded to a segment for the comparison to mean something.
    expect(checked).toBeGreaterThan(1000);
  });

  it('take the checksum verdicts packed with a frame instead of summing its bytes again', () => {
    const seg = newSegment();
    for (const [ip, tcp] of [
      [true, false],
      [false, true],
      [null, null],
    ] as const) {
      const buffer = new ArrayBuffer(4096);
      const packer = new FramePacker(buffer, 0, buffer.byteLength);
      const frame = { fileIndex: 0, number: 1, offset: 24, tsSec: 1, tsNsec: 0, linkType: 1, originalLength: V4_SYN.length, data: V4_SYN };
      // The frame's checksums are both right; the verdicts packed with it say otherwise.
      packer.add(frame, checksumVerdicts({ ...seg, ipChecksumOk: ip, checksumOk: tcp }));
      expect(decodePacked(new PackedFrames(buffer, 0, 1), 0, seg)).toBeNull();
      expect([seg.ipChecksumOk, seg.checksumOk]).toEqual([ip, tcp]);
    }
    // Without verdicts they are summed.
    expect(decodeFrame(frameOf(1, V4_SYN), seg)).toBeNull();
    expect([seg.ipChecksumOk, seg.checksumOk]).toEqual([true, true]);
  });
});
