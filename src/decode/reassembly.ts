/**
 * IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) fragment reassembly, bounded in memory and in
 * capture time.
 *
 * Fragments are held per datagram — IPv4: source, destination, protocol, identification; IPv6:
 * source, destination, identification; both also by tunnel depth, so a tunnel's outer and inner
 * packets never mix — until every byte from offset 0 to the end announced by the last fragment is
 * there. The datagram is then decoded as one packet in the frame of the fragment that completed it
 * (Wireshark's "reassembled in" frame), with the headers that precede the IP header (link layer,
 * outer tunnels) taken from that frame.
 *
 * Bounds: at most `maxBytes` of fragment payload and `maxDatagrams` incomplete datagrams are held (a
 * fragment beyond either is dropped and noted); a datagram still incomplete `timeout` seconds of
 * capture time after its first fragment is dropped (Linux's ipfrag_time is 30 s; RFC 8200 §4.5
 * allows 60 s) and noted, as are those still incomplete at the end of input (see `finish`).
 *
 * Overlaps: a fragment overlapping bytes already held, with different bytes, is the attack RFC 5722
 * (IPv6) and RFC 1858 (IPv4) describe — two receivers may reassemble two different datagrams. Such a
 * datagram is dropped whole and noted as `fragment_overlap`; an overlap with identical bytes (a
 * fragment captured twice, or retransmitted by a tunnel endpoint) is harmless and kept.
 */
import { checksumVerifies, internetChecksum } from './checksum.js';
import type { LayerDecoder } from './ethertype.js';
import { CHECKSUMS_UNKNOWN, type DecodeResult, type Segment } from './segment.js';
import { NoteKind, noteKey } from './tunnel.js';

export interface ReassemblyLimits {
  /** Bytes of fragment payload held at most. Default 8 MiB. */
  maxBytes?: number;
  /** Incomplete datagrams held at most. Default 4096. */
  maxDatagrams?: number;
  /** Seconds of capture time an incomplete datagram is held. Default 30. */
  timeout?: number;
}

interface Part {
  start: number;
  end: number;
  /** The captured bytes of the fragment's payload (fewer than end − start when the snap length cut it). */
  data: Uint8Array;
}

class Pending {
  readonly parts: Part[] = [];
  /** Payload length of the whole datagram, known once the last fragment (MF / M clear) came; -1 before. */
  length = -1;
  /** IPv4: the first fragment's header; IPv6: its unfragmentable part (the fragment header left out). */
  header: Uint8Array | null = null;
  /** IPv6: the fragment header's next header, and where in `header` it goes. */
  nextHeader = 0;
  nextAt = 0;
  /** IPv4: whether the first fragment's header checksum verified. */
  headerChecksumOk = true;
  held = 0;
  frames = 0;
  constructor(
    readonly key: string,
    readonly version: 4 | 6,
    readonly fileIndex: number,
    readonly firstFrame: number,
    readonly firstOffset: number,
    readonly firstTime: number,
  ) {}
}

const IPV4_MF = 0x2000;
const IPV4_OFFSET = 0x1fff;
const SWEEP_EVERY = 1;

export class Reassembly {
  private readonly pending = new Map<string, Pending>();
  private held = 0;
  private lastSweep = -Infinity;
  private readonly maxBytes: number;
  private readonly maxDatagrams: number;
  private readonly timeout: number;

  constructor(limits: ReassemblyLimits = {}) {
    this.maxBytes = limits.maxBytes ?? 8 << 20;
    this.maxDatagrams = limits.maxDatagrams ?? 4096;
    this.timeout = limits.timeout ?? 30;
  }

  /** Incomplete datagrams held now. */
  get size(): number {
    return this.pending.size;
  }

  /** Bytes of fragment payload held now. */
  get bytesHeld(): number {
    return this.held;
  }

  /**
   * The IPv4 fragment whose header (`hl` bytes, total length `total`) is at `b[off..]`. Returns
   * 'fragment' while its datagram is incomplete, else what `decode` makes of the reassembled packet.
   */
  addIPv4(b: Uint8Array, off: number, hl: number, total: number, out: Segment, decode: LayerDecoder): DecodeResult {
    this.ipStart = off;
    const frag = (b[off + 6]! << 8) | b[off + 7]!;
    const start = (frag & IPV4_OFFSET) << 3;
    const key = `4|${out.tunnelDepth}|${addr(b, off + 12, 8)}|${b[off + 9]}|${(b[off + 4]! << 8) | b[off + 5]!}`;
    const d = this.datagram(key, 4, out);
    if (d === null) return 'fragment';
    if (start === 0 && d.header === null) {
      if (off + hl > out.capturedEnd) return 'truncated';
      d.header = b.slice(off, off + hl);
      d.headerChecksumOk = checksumVerifies(b, off, off + hl);
    }
    return this.addPart(d, b, off + hl, start, start + total - hl, (frag & IPV4_MF) === 0, out, decode);
  }

  /**
   * The IPv6 fragment whose IPv6 header is at `b[off..]`, fragment header at `b[fragAt..]`, the
   * next-header value pointing at it at `b[nextAt]`; the packet ends at `end`.
   */
  addIPv6(b: Uint8Array, off: number, fragAt: number, nextAt: number, end: number, out: Segment, decode: LayerDecoder): DecodeResult {
    this.ipStart = off;
    const fo = (b[fragAt + 2]! << 8) | b[fragAt + 3]!;
    const start = fo & 0xfff8;
    const id = ((b[fragAt + 4]! << 24) | (b[fragAt + 5]! << 16) | (b[fragAt + 6]! << 8) | b[fragAt + 7]!) >>> 0;
    const key = `6|${out.tunnelDepth}|${addr(b, off + 8, 32)}|${id}`;
    const d = this.datagram(key, 6, out);
    if (d === null) return 'fragment';
    if (start === 0 && d.header === null) {
      d.header = b.slice(off, fragAt);
      d.nextHeader = b[fragAt]!;
      d.nextAt = nextAt - off;
    }
    return this.addPart(d, b, fragAt + 8, start, start + end - fragAt - 8, (fo & 1) === 0, out, decode);
  }

  /** Drops what is still incomplete (end of input), noting it. */
  finish(out: Segment): void {
    for (const d of this.pending.values()) this.drop(d, NoteKind.fragmentIncomplete, out);
    this.pending.clear();
    this.held = 0;
  }

  // ------------------------------------------------------------------

  private datagram(key: string, version: 4 | 6, out: Segment): Pending | null {
    const now = out.tsSec + out.tsNsec / 1e9;
    if (now - this.lastSweep >= SWEEP_EVERY) {
      this.lastSweep = now;
      for (const d of this.pending.values()) {
        if (now - d.firstTime > this.timeout) {
          this.pending.delete(d.key);
          this.drop(d, NoteKind.fragmentIncomplete, out);
        }
      }
    }
    let d = this.pending.get(key);
    if (d === undefined) {
      if (this.pending.size >= this.maxDatagrams) {
        out.notes?.note(out.fileIndex, noteKey(NoteKind.fragmentOverLimit, version), out.frame, out.fileOffset);
        return null;
      }
      d = new Pending(key, version, out.fileIndex, out.frame, out.fileOffset, now);
      this.pending.set(key, d);
    }
    return d;
  }

  private drop(d: Pending, kind: number, out: Segment): void {
    this.held -= d.held;
    if (d.frames > 0) out.notes?.note(d.fileIndex, noteKey(kind, d.version), d.firstFrame, d.firstOffset, d.frames);
  }

  private addPart(d: Pending, b: Uint8Array, at: number, start: number, end: number, last: boolean, out: Segment, decode: LayerDecoder): DecodeResult {
    d.frames++;
    if (end < start || (last && d.length >= 0 && d.length !== end) || (d.length >= 0 && end > d.length)) return this.overlap(d, out);
    if (last) {
      d.length = end;
      for (const p of d.parts) if (p.end > end) return this.overlap(d, out);
    }
    const capturedEnd = Math.min(at + (end - start), out.capturedEnd);
    const data = b.subarray(at, Math.max(at, capturedEnd));
    // Bytes held already must agree with this fragment's.
    let covered = false;
    for (const p of d.parts) {
      const lo = Math.max(p.start, start);
      const hi = Math.min(p.end, end);
      if (lo >= hi) continue;
      const n = Math.min(hi, p.start + p.data.length, start + data.length);
      for (let i = lo; i < n; i++) if (p.data[i - p.start] !== data[i - start]) return this.overlap(d, out);
      if (p.start <= start && p.end >= end) covered = true;
    }
    if (!covered && end > start) {
      if (this.held + data.length > this.maxBytes) {
        out.notes?.note(out.fileIndex, noteKey(NoteKind.fragmentOverLimit, d.version), out.frame, out.fileOffset);
        return 'fragment';
      }
      d.parts.push({ start, end, data: data.slice() });
      d.parts.sort((x, y) => x.start - y.start);
      d.held += data.length;
      this.held += data.length;
    }
    if (d.header === null || d.length < 0) return 'fragment';
    // Complete when the parts cover 0..length without a hole.
    let reach = 0;
    let captured = d.length;
    for (const p of d.parts) {
      if (p.start > reach) return 'fragment';
      if (p.start + p.data.length < p.end && p.start + p.data.length < captured) captured = p.start + p.data.length;
      if (p.end > reach) reach = p.end;
    }
    if (reach < d.length) return 'fragment';
    this.pending.delete(d.key);
    this.held -= d.held;
    return this.decodeWhole(d, b, captured, out, decode);
  }

  private overlap(d: Pending, out: Segment): DecodeResult {
    this.pending.delete(d.key);
    this.held -= d.held;
    out.notes?.note(d.fileIndex, noteKey(NoteKind.fragmentOverlap, d.version), d.firstFrame, d.firstOffset, d.frames);
    d.frames = 0;
    return 'fragment';
  }

  /** Builds the reassembled packet behind the completing frame's outer headers and decodes it. */
  private decodeWhole(d: Pending, b: Uint8Array, captured: number, out: Segment, decode: LayerDecoder): DecodeResult {
    const header = d.header!;
    const ipStart = this.ipStart;
    const prefix = ipStart - out.frameStart;
    const payloadLength = header.length - (d.version === 4 ? 0 : 40) + d.length;
    if (payloadLength > 0xffff) return 'bad_ip_header';
    const buf = new Uint8Array(prefix + header.length + d.length);
    buf.set(b.subarray(out.frameStart, ipStart), 0);
    buf.set(header, prefix);
    const body = prefix + header.length;
    for (const p of d.parts) buf.set(p.data, body + p.start);
    if (d.version === 4) {
      buf[prefix + 2] = payloadLength >> 8;
      buf[prefix + 3] = payloadLength & 0xff;
      buf[prefix + 6] &= 0x40; // DF kept; MF and the offset cleared
      buf[prefix + 7] = 0;
      buf[prefix + 10] = 0;
      buf[prefix + 11] = 0;
      // A right checksum for the new header, unless the first fragment's was wrong: keep that visible.
      const c = internetChecksum(buf, prefix, prefix + header.length) ^ (d.headerChecksumOk ? 0 : 1);
      buf[prefix + 10] = c >> 8;
      buf[prefix + 11] = c & 0xff;
    } else {
      buf[prefix + 4] = payloadLength >> 8;
      buf[prefix + 5] = payloadLength & 0xff;
      buf[prefix + d.nextAt] = d.nextHeader;
    }
    // The outer headers' offsets move with the frame's bytes into the new buffer.
    const shift = out.frameStart;
    for (let i = 0; i < out.tunnelDepth; i++) {
      const t = out.tunnels[i]!;
      t.srcOffset -= shift;
      t.dstOffset -= shift;
    }
    out.bytes = buf;
    out.frameStart = 0;
    out.capturedEnd = body + captured;
    out.knownChecksums = CHECKSUMS_UNKNOWN;
    return decode(buf, prefix, buf.length, out);
  }

  /** Where the IP header of the fragment being added starts (set by addIPv4/addIPv6). */
  private ipStart = 0;
}

/** The address bytes `b[off..off+n)` as text, for a fragment's datagram key. */
function addr(b: Uint8Array, off: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[off + i]!);
  return s;
}
