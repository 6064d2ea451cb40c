/**
 * Builders for decoder tests: frames from hex, and synthetic headers for what no kernel sends on
 * demand. Checksums are computed here with a deliberately naive one's-complement sum (not the
 * decoder's `sum16`), so a checksum test is not the code checking itself.
 */
import type { Frame } from '../../src/capture/frame.js';
import { decodeFrame, newSegment, type DecapConfig, type DecodeResult, type Segment } from '../../src/decode/index.js';

export function hex(text: string): Uint8Array {
  const clean = text.replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2) throw new Error('odd hex length');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function frameOf(linkType: number, data: Uint8Array, originalLength = data.length, number = 1): Frame {
  return { fileIndex: 0, number, offset: 0, tsSec: 1_700_000_000, tsNsec: 5, linkType, originalLength, data };
}

export function decode(linkType: number, data: Uint8Array, originalLength = data.length): { result: DecodeResult; seg: Segment } {
  const seg = newSegment();
  const result = decodeFrame(frameOf(linkType, data, originalLength), seg);
  return { result, seg };
}

/** decode() with the given decapsulation settings. */
export function decodeWith(decap: DecapConfig, linkType: number, data: Uint8Array, originalLength = data.length): { result: DecodeResult; seg: Segment } {
  const seg = newSegment();
  seg.decap = decap;
  const result = decodeFrame(frameOf(linkType, data, originalLength), seg);
  return { result, seg };
}

/** Naive RFC 1071 checksum: add words, subtract 0xffff whenever the sum overflows 16 bits. */
export function naiveChecksum(bytes: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    s += bytes[i]! * 256 + (i + 1 < bytes.length ? bytes[i + 1]! : 0);
    if (s > 0xffff) s -= 0xffff;
  }
  return 0xffff - s;
}

export function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}
export function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export interface TcpSpec {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  /** 12-bit flag field. */
  flags?: number;
  window?: number;
  urgent?: number;
  /** Option bytes (padded with zeros to a multiple of 4 unless dataOffset is given). */
  options?: number[];
  /** Overrides the data offset nibble. */
  dataOffset?: number;
  payload?: number[] | Uint8Array;
}

/** A TCP segment with a zero checksum (the IP builders fill it). */
export function tcp(spec: TcpSpec = {}): Uint8Array {
  const opts = [...(spec.options ?? [])];
  while (opts.length % 4) opts.push(0);
  const doff = spec.dataOffset ?? 5 + opts.length / 4;
  const flags = spec.flags ?? 0x010;
  const header = [
    ...u16(spec.sport ?? 40000),
    ...u16(spec.dport ?? 80),
    ...u32(spec.seq ?? 1000),
    ...u32(spec.ack ?? 0),
    (doff << 4) | ((flags >> 8) & 0x0f),
    flags & 0xff,
    ...u16(spec.window ?? 65535),
    0,
    0,
    ...u16(spec.urgent ?? 0),
    ...opts,
  ];
  return concat(header, spec.payload ?? []);
}

export interface Ipv4Spec {
  src?: number[];
  dst?: number[];
  ttl?: number;
  tos?: number;
  id?: number;
  /** Raw flags+fragment-offset field (0x4000 = DF). */
  frag?: number;
  protocol?: number;
  options?: number[];
  /** Overrides the total length field. */
  totalLength?: number;
  /** Overrides the IHL nibble. */
  ihl?: number;
  version?: number;
  /** Leave the IP header checksum wrong. */
  badIpChecksum?: boolean;
  /** Leave the TCP checksum wrong. */
  badTcpChecksum?: boolean;
  /** Do not fill the TCP checksum (for non-TCP payloads or fragments). */
  noTcpChecksum?: boolean;
}

export function ipv4(payload: Uint8Array, spec: Ipv4Spec = {}): Uint8Array {
  const src = spec.src ?? [10, 0, 0, 1];
  const dst = spec.dst ?? [10, 0, 0, 2];
  const opts = spec.options ?? [];
  const hl = 20 + opts.length;
  const protocol = spec.protocol ?? 6;
  const total = spec.totalLength ?? hl + payload.length;
  const header = [
    ((spec.version ?? 4) << 4) | (spec.ihl ?? hl / 4),
    spec.tos ?? 0,
    ...u16(total),
    ...u16(spec.id ?? 0x1234),
    ...u16(spec.frag ?? 0x4000),
    spec.ttl ?? 64,
    protocol,
    0,
    0,
    ...src,
    ...dst,
    ...opts,
  ];
  const c = naiveChecksum(header);
  header[10] = (c >> 8) ^ (spec.badIpChecksum ? 0x55 : 0);
  header[11] = c & 0xff;
  const seg = Uint8Array.from(payload);
  if (protocol === 6 && !spec.noTcpChecksum && seg.length >= 18) {
    const pseudo = [...src, ...dst, 0, 6, ...u16(seg.length)];
    const tc = naiveChecksum(concat(pseudo, seg));
    seg[16] = (tc >> 8) ^ (spec.badTcpChecksum ? 0x01 : 0);
    seg[17] = tc & 0xff;
  }
  return concat(header, seg);
}

export interface Ipv6Spec {
  src?: number[];
  dst?: number[];
  hopLimit?: number;
  trafficClass?: number;
  /** Extension headers in order: [type, body bytes] — body includes the length byte layout as given, the next-header byte is filled in. */
  ext?: { type: number; bytes: number[] }[];
  /** Overrides the payload length field. */
  payloadLength?: number;
  /** Final protocol after the extension headers. */
  protocol?: number;
  /** Address to use as the pseudo-header destination (routing header final destination). */
  checksumDst?: number[];
  badTcpChecksum?: boolean;
  noTcpChecksum?: boolean;
}

export const V6_SRC = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
export const V6_DST = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

/** An IPv6 packet; each extension header's first byte (next header) is filled in from the chain. */
export function ipv6(payload: Uint8Array, spec: Ipv6Spec = {}): Uint8Array {
  const src = spec.src ?? V6_SRC;
  const dst = spec.dst ?? V6_DST;
  const ext = spec.ext ?? [];
  const protocol = spec.protocol ?? 6;
  const types = [...ext.map((e) => e.type), protocol];
  const extBytes = ext.map((e, i) => {
    const b = [...e.bytes];
    b[0] = types[i + 1]!;
    return b;
  });
  const extLen = extBytes.reduce((n, e) => n + e.length, 0);
  const seg = Uint8Array.from(payload);
  if (protocol === 6 && !spec.noTcpChecksum && seg.length >= 18) {
    const pseudo = [...src, ...(spec.checksumDst ?? dst), ...u32(seg.length), 0, 0, 0, 6];
    const tc = naiveChecksum(concat(pseudo, seg));
    seg[16] = (tc >> 8) ^ (spec.badTcpChecksum ? 0x01 : 0);
    seg[17] = tc & 0xff;
  }
  const tc = spec.trafficClass ?? 0;
  const header = [
    0x60 | (tc >> 4),
    ((tc & 0x0f) << 4) | 0x0,
    0x12,
    0x34,
    ...u16(spec.payloadLength ?? extLen + seg.length),
    types[0]!,
    spec.hopLimit ?? 64,
    ...src,
    ...dst,
  ];
  return concat(header, ...extBytes, seg);
}

export const MAC_DST = [0x02, 0, 0, 0, 0, 0x02];
export const MAC_SRC = [0x02, 0, 0, 0, 0, 0x01];

export function ethernet(etherType: number, payload: Uint8Array | number[]): Uint8Array {
  return concat(MAC_DST, MAC_SRC, u16(etherType), payload);
}
