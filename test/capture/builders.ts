/**
 * Capture files built byte by byte for the capture-layer tests, and helpers to read them back through
 * streams cut into chunks of any size.
 */
import { Readable } from 'node:stream';
import { CaptureError, openCapture, type CaptureInfo, type Frame, type OpenedCapture } from '../../src/capture/index.js';

// ---------------------------------------------------------------- classic pcap

export type PcapMagic = 'usec' | 'nsec';

export interface PcapRecord {
  sec: number;
  /** Microseconds or nanoseconds, as the file's magic says. */
  frac: number;
  data: Uint8Array;
  /** Defaults to data.length. */
  origLen?: number;
  /** Written into the header instead of data.length (to build corrupt headers). */
  capLenField?: number;
}

export interface PcapOptions {
  magic?: PcapMagic;
  littleEndian?: boolean;
  snaplen?: number;
  linkType?: number;
  major?: number;
}

export function pcapHeader(o: PcapOptions = {}): Buffer {
  const le = o.littleEndian ?? true;
  const h = Buffer.alloc(24);
  const magic = (o.magic ?? 'usec') === 'usec' ? 0xa1b2c3d4 : 0xa1b23c4d;
  const w32 = (v: number, at: number) => (le ? h.writeUInt32LE(v, at) : h.writeUInt32BE(v, at));
  const w16 = (v: number, at: number) => (le ? h.writeUInt16LE(v, at) : h.writeUInt16BE(v, at));
  w32(magic, 0);
  w16(o.major ?? 2, 4);
  w16(4, 6);
  w32(0, 8);
  w32(0, 12);
  w32(o.snaplen ?? 65535, 16);
  w32(o.linkType ?? 1, 20);
  return h;
}

export function pcapRecord(r: PcapRecord, littleEndian = true): Buffer {
  const h = Buffer.alloc(16);
  const w32 = (v: number, at: number) => (littleEndian ? h.writeUInt32LE(v, at) : h.writeUInt32BE(v, at));
  w32(r.sec, 0);
  w32(r.frac, 4);
  w32(r.capLenField ?? r.data.length, 8);
  w32(r.origLen ?? r.data.length, 12);
  return Buffer.concat([h, Buffer.from(r.data)]);
}

export function pcapFile(records: PcapRecord[], o: PcapOptions = {}): Buffer {
  const le = o.littleEndian ?? true;
  return Buffer.concat([pcapHeader(o), ...records.map((r) => pcapRecord(r, le))]);
}

/** Deterministic packet bytes: `length` bytes starting at `seed`. */
export function bytes(length: number, seed = 0): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (seed + i * 7) & 0xff;
  return b;
}

// ---------------------------------------------------------------- pcapng

export interface NgOption {
  code: number;
  value: Uint8Array | string;
}

/** Writes pcapng blocks in one byte order (a new Ng per section lets the order change per section). */
export class Ng {
  constructor(readonly littleEndian = true) {}

  u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.littleEndian) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  }

  u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.littleEndian) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  }

  i64(v: bigint): Buffer {
    const b = Buffer.alloc(8);
    if (this.littleEndian) b.writeBigInt64LE(v);
    else b.writeBigInt64BE(v);
    return b;
  }

  options(opts: NgOption[]): Buffer {
    if (opts.length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (const o of opts) {
      const v = typeof o.value === 'string' ? Buffer.from(o.value, 'utf8') : Buffer.from(o.value);
      parts.push(this.u16(o.code), this.u16(v.length), v, Buffer.alloc(pad(v.length) - v.length));
    }
    parts.push(this.u16(0), this.u16(0));
    return Buffer.concat(parts);
  }

  /** Any block: type, total length, body (padded), total length. `lengthOverride` corrupts the leading length. */
  block(type: number, body: Buffer, o: { lengthOverride?: number; trailerOverride?: number } = {}): Buffer {
    const padded = Buffer.concat([body, Buffer.alloc(pad(body.length) - body.length)]);
    const total = 12 + padded.length;
    return Buffer.concat([
      this.u32(type),
      this.u32(o.lengthOverride ?? total),
      padded,
      this.u32(o.trailerOverride ?? total),
    ]);
  }

  shb(opts: NgOption[] = [], major = 1): Buffer {
    const body = Buffer.concat([
      this.u32(0x1a2b3c4d),
      this.u16(major),
      this.u16(0),
      this.i64(-1n),
      this.options(opts),
    ]);
    return this.block(0x0a0d0d0a, body);
  }

  idb(linkType: number, opts: NgOption[] = [], snaplen = 0): Buffer {
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(snaplen), this.options(opts)]));
  }

  /** Enhanced Packet Block with a 64-bit timestamp in interface units. */
  epb(ifId: number, ts: bigint, data: Uint8Array, opts: NgOption[] = [], origLen = data.length, capLenField = data.length): Buffer {
    const d = Buffer.from(data);
    return this.block(
      6,
      Buffer.concat([
        this.u32(ifId),
        this.u32(Number(ts >> 32n)),
        this.u32(Number(ts & 0xffffffffn)),
        this.u32(capLenField),
        this.u32(origLen),
        d,
        Buffer.alloc(pad(d.length) - d.length),
        this.options(opts),
      ]),
    );
  }

  /** Obsolete Packet Block. */
  pb(ifId: number, ts: bigint, data: Uint8Array, opts: NgOption[] = []): Buffer {
    const d = Buffer.from(data);
    return this.block(
      2,
      Buffer.concat([
        this.u16(ifId),
        this.u16(0),
        this.u32(Number(ts >> 32n)),
        this.u32(Number(ts & 0xffffffffn)),
        this.u32(d.length),
        this.u32(d.length),
        d,
        Buffer.alloc(pad(d.length) - d.length),
        this.options(opts),
      ]),
    );
  }

  spb(data: Uint8Array, origLen = data.length): Buffer {
    return this.block(3, Buffer.concat([this.u32(origLen), Buffer.from(data)]));
  }

  tsresol(v: number): NgOption {
    return { code: 9, value: Uint8Array.of(v) };
  }

  tsoffset(v: bigint): NgOption {
    return { code: 14, value: this.i64(v) };
  }
}

function pad(n: number): number {
  return (n + 3) & ~3;
}

// ---------------------------------------------------------------- reading back

export type Chunking = number | 'random';

/** A stream yielding `buf` in pieces of `chunking` bytes (or random sizes from a fixed seed). */
export function chunkedStream(buf: Uint8Array, chunking: Chunking, seed = 12345): Readable {
  return Readable.from(
    (function* () {
      let s = seed;
      let i = 0;
      while (i < buf.length) {
        let n: number;
        if (chunking === 'random') {
          // xorshift32: repeatable sizes from 1 byte to 8 KiB.
          s ^= s << 13;
          s ^= s >>> 17;
          s ^= s << 5;
          n = 1 + ((s >>> 0) % 8192);
        } else {
          n = chunking;
        }
        yield Buffer.from(buf.subarray(i, i + n));
        i += n;
      }
    })(),
  );
}

export interface ReadResult {
  frames: Frame[];
  info: CaptureInfo;
  error: CaptureError | null;
  batches: number;
  capture: OpenedCapture;
}

/** Reads a capture to its end, collecting frames and the error it ends with (if any). */
export async function readCapture(capture: OpenedCapture): Promise<ReadResult> {
  const frames: Frame[] = [];
  let error: CaptureError | null = null;
  let batches = 0;
  try {
    for await (const batch of capture.batches()) {
      batches++;
      if (batch.length === 0) throw new Error('empty batch');
      frames.push(...batch);
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    error = e;
  }
  return { frames, info: capture.info, error, batches, capture };
}

/** Reads bytes through a stream cut by `chunking`. */
export function readBytes(buf: Uint8Array, chunking: Chunking = 65536, name = 'test.pcap', fileIndex = 0): Promise<ReadResult> {
  return readCapture(openCapture({ name, stream: chunkedStream(buf, chunking) }, fileIndex));
}

/** Plain comparable view of frames (data as hex). */
export function plain(frames: Frame[]): Array<Omit<Frame, 'data'> & { data: string }> {
  return frames.map((f) => ({
    fileIndex: f.fileIndex,
    number: f.number,
    offset: f.offset,
    tsSec: f.tsSec,
    tsNsec: f.tsNsec,
    linkType: f.linkType,
    originalLength: f.originalLength,
    data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength).toString('hex'),
  }));
}
