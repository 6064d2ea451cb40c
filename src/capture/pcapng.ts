/**
 * pcapng (draft-ietf-opsawg-pcapng), read as a stream with no dependency.
 *
 * Every block is `type(4) total-length(4) body trailing-total-length(4)`. A block wholly inside the
 * current chunk is parsed in place (its packet bytes are a view of the chunk); a block that spans
 * chunks is gathered into one buffer of exactly its length first. Nothing is ever reused, so frames
 * may keep their bytes.
 *
 * Handled: Section Header Blocks in either byte order, several sections per file (each resets the
 * byte order and the interface list, as the spec says interface ids are per section); Interface
 * Description Blocks (link type, snaplen, if_name, if_description, if_tsresol, if_tsoffset); Enhanced
 * Packet Blocks, Simple Packet Blocks and obsolete Packet Blocks as frames; opt_comment of every block
 * that carries options collected into `info.comments`; every other block skipped by its length.
 */
import { CaptureError, type CaptureInfo, type Frame } from './frame.js';
import { MAX_COMMENTS, MAX_RECORD_BYTES, noteLinkType, type ReaderContext, type RecordReader } from './reader.js';
import { TimestampConverter } from './timestamp.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_PB = 0x00000002;
export const BLOCK_SPB = 0x00000003;
export const BLOCK_NRB = 0x00000004;
export const BLOCK_ISB = 0x00000005;
export const BLOCK_EPB = 0x00000006;
export const BLOCK_SYSTEMD_JOURNAL = 0x00000009;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/** type(4) + length(4) + the SHB byte-order magic(4): enough to learn any block's length. */
const HEAD_BYTES = 12;

/** Smallest valid total length per block type: header, fixed body fields, trailer. */
function minimumLength(type: number): number {
  switch (type) {
    case BLOCK_SHB:
      return 28; // + byte-order magic(4), versions(4), section length(8)
    case BLOCK_IDB:
      return 20; // + link type(2), reserved(2), snaplen(4)
    case BLOCK_EPB:
    case BLOCK_PB:
      return 32; // + interface(4 | 2+2), timestamp(8), captured(4), original(4)
    case BLOCK_SPB:
      return 16; // + original length(4)
    default:
      return 12;
  }
}

function blockName(type: number): string {
  switch (type) {
    case BLOCK_SHB:
      return 'Section Header Block';
    case BLOCK_IDB:
      return 'Interface Description Block';
    case BLOCK_PB:
      return 'Packet Block';
    case BLOCK_SPB:
      return 'Simple Packet Block';
    case BLOCK_NRB:
      return 'Name Resolution Block';
    case BLOCK_ISB:
      return 'Interface Statistics Block';
    case BLOCK_EPB:
      return 'Enhanced Packet Block';
    default:
      return `block of type 0x${type.toString(16).padStart(8, '0')}`;
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

interface Interface {
  linkType: number;
  snaplen: number;
  ts: TimestampConverter;
}

export class PcapngReader implements RecordReader {
  error: CaptureError | null = null;

  private readonly ctx: ReaderContext;
  /** Absolute offset of the first byte of the chunk being parsed. */
  private pos = 0;
  private littleEndian = false;
  private sectionSeen = false;
  private interfaces: Interface[] = [];

  /** The first bytes of a block whose length is not known yet. */
  private readonly head = Buffer.alloc(HEAD_BYTES);
  private headFill = 0;
  /** A block that spans chunks, gathered to its full length. */
  private pending: Buffer | null = null;
  private pendingFill = 0;
  /** Absolute offset of the block being gathered (head or pending). */
  private blockStart = 0;
  /** Absolute offset of the block being parsed, for warnings about its contents. */
  private currentBlock = 0;

  /** Frame numbers used so far (Wireshark numbers every record it shows, see SYSTEMD_JOURNAL). */
  private numbered = 0;
  private lastSec = 0;
  private lastNsec = 0;
  private spbWarned = false;
  private optionsWarned = false;
  private commentsDropped = 0;

  constructor(ctx: ReaderContext) {
    this.ctx = ctx;
    ctx.info.format = 'pcapng';
  }

  nextFrame(): number {
    return this.numbered + 1;
  }

  push(chunk: Buffer, out: Frame[]): void {
    const len = chunk.length;
    let i = 0;
    while (i < len && !this.error) {
      const pending = this.pending;
      if (pending !== null) {
        const n = Math.min(pending.length - this.pendingFill, len - i);
        chunk.copy(pending, this.pendingFill, i, i + n);
        this.pendingFill += n;
        i += n;
        if (this.pendingFill === pending.length) {
          this.pending = null;
          this.block(pending, 0, pending.length, this.blockStart, out);
        }
        continue;
      }
      if (this.headFill > 0 || len - i < HEAD_BYTES) {
        if (this.headFill === 0) this.blockStart = this.pos + i;
        const n = Math.min(HEAD_BYTES - this.headFill, len - i);
        chunk.copy(this.head, this.headFill, i, i + n);
        this.headFill += n;
        i += n;
        if (this.headFill < HEAD_BYTES) break;
        this.headFill = 0;
        const total = this.blockLength(this.head, 0, this.blockStart);
        if (total < 0) return;
        if (total === HEAD_BYTES) {
          this.block(this.head, 0, HEAD_BYTES, this.blockStart, out);
        } else {
          const gathered = Buffer.allocUnsafe(total);
          this.head.copy(gathered, 0, 0, HEAD_BYTES);
          this.pending = gathered;
          this.pendingFill = HEAD_BYTES;
        }
        continue;
      }
      const start = this.pos + i;
      const total = this.blockLength(chunk, i, start);
      if (total < 0) return;
      if (len - i >= total) {
        this.block(chunk, i, total, start, out);
        i += total;
      } else {
        const gathered = Buffer.allocUnsafe(total);
        chunk.copy(gathered, 0, i, len);
        this.pending = gathered;
        this.pendingFill = len - i;
        this.blockStart = start;
        i = len;
      }
    }
    this.pos += len;
  }

  finish(): void {
    if (this.error) return;
    const { file, info } = this.ctx;
    if (!this.sectionSeen) {
      const have = this.pending ? this.pendingFill : this.headFill;
      const need = this.pending ? `${this.pending.length}` : `at least ${minimumLength(BLOCK_SHB)}`;
      this.error = new CaptureError(file, 1, 0, `pcapng Section Header Block cut short: ${have} of ${need} bytes`);
      return;
    }
    if (this.pending) {
      const type = this.u32(this.pending, 0);
      info.warnings.push({
        file,
        frame: this.numbered + 1,
        offset: this.blockStart,
        message: `${blockName(type)} cut short: ${this.pendingFill} of ${this.pending.length} bytes`,
      });
    } else if (this.headFill > 0) {
      info.warnings.push({
        file,
        frame: this.numbered + 1,
        offset: this.blockStart,
        message: `block header cut short: ${this.headFill} bytes (a block is at least 12)`,
      });
    }
  }

  private u16(b: Buffer, at: number): number {
    return this.littleEndian ? b.readUInt16LE(at) : b.readUInt16BE(at);
  }

  private u32(b: Buffer, at: number): number {
    return this.littleEndian ? b.readUInt32LE(at) : b.readUInt32BE(at);
  }

  private fail(offset: number, message: string): void {
    this.error = new CaptureError(this.ctx.file, this.numbered + 1, offset, message);
  }

  /**
   * Reads and checks the total length of the block whose first 12 bytes are at `b[at]`. A Section
   * Header Block sets the byte order first (its type reads the same both ways; its byte-order magic
   * tells). Returns -1 (and sets `error`) when the length is unusable.
   */
  private blockLength(b: Buffer, at: number, start: number): number {
    if (b[at] === 0x0a && b[at + 1] === 0x0d && b[at + 2] === 0x0d && b[at + 3] === 0x0a) {
      const bom = b.readUInt32BE(at + 8);
      if (bom === BYTE_ORDER_MAGIC) this.littleEndian = false;
      else if (bom === BYTE_ORDER_MAGIC_SWAPPED) this.littleEndian = true;
      else {
        this.fail(start, `Section Header Block with unknown byte-order magic 0x${bom.toString(16).padStart(8, '0')}`);
        return -1;
      }
    } else if (!this.sectionSeen) {
      this.fail(start, 'pcapng file does not start with a Section Header Block');
      return -1;
    }
    const type = this.u32(b, at);
    const total = this.u32(b, at + 4);
    // draft-ietf-opsawg-pcapng, "General Block Structure": the total length includes header and
    // trailer and is a multiple of 4 (the body is padded to 32 bits).
    if (total < 12 || total % 4 !== 0) {
      this.fail(start, `bad block length ${total} for ${blockName(type)} (must be a multiple of 4 and at least 12)`);
      return -1;
    }
    if (total < minimumLength(type)) {
      this.fail(start, `bad block length ${total} for ${blockName(type)} (at least ${minimumLength(type)} needed)`);
      return -1;
    }
    if (total > MAX_RECORD_BYTES) {
      this.fail(start, `bad block length ${total} for ${blockName(type)} (more than the ${MAX_RECORD_BYTES}-byte limit)`);
      return -1;
    }
    return total;
  }

  /** Parses one complete block of `total` bytes at `b[at]`, found at absolute offset `start`. */
  private block(b: Buffer, at: number, total: number, start: number, out: Frame[]): void {
    const type = this.u32(b, at);
    const trailer = this.u32(b, at + total - 4);
    if (trailer !== total) {
      this.fail(start, `${blockName(type)} length mismatch: leading total length ${total}, trailing ${trailer}`);
      return;
    }
    const end = at + total - 4;
    this.currentBlock = start;
    switch (type) {
      case BLOCK_EPB:
        this.packet(b, at, end, start, out, this.u32(b, at + 8));
        return;
      case BLOCK_PB:
        // Obsolete Packet Block: 16-bit interface id then a 16-bit drops count.
        this.packet(b, at, end, start, out, this.u16(b, at + 8));
        return;
      case BLOCK_SPB:
        this.simplePacket(b, at, end, start, out);
        return;
      case BLOCK_IDB:
        this.interfaceDescription(b, at, end, start);
        return;
      case BLOCK_SHB:
        this.sectionHeader(b, at, end, start);
        return;
      case BLOCK_ISB:
        // interface id(4) + timestamp(8), then options.
        this.options(b, at + 20, end, null);
        return;
      case BLOCK_NRB:
        this.nameResolution(b, at, end);
        return;
      case BLOCK_SYSTEMD_JOURNAL:
        // Wireshark shows each journal entry as a frame of its own; keep frame numbers in step.
        this.numbered++;
        return;
      default:
        // Unknown, custom and decryption-secrets blocks: skipped by their length (the spec lets a
        // reader ignore any block it does not understand).
        return;
    }
  }

  private sectionHeader(b: Buffer, at: number, end: number, start: number): void {
    const major = this.u16(b, at + 12);
    const minor = this.u16(b, at + 14);
    if (major !== 1) {
      // The spec: a reader must not read a section whose major version it does not know.
      this.fail(start + 12, `unsupported pcapng version ${major}.${minor} (expected 1.x)`);
      return;
    }
    this.sectionSeen = true;
    // Interface ids are numbered from 0 again in each section.
    this.interfaces = [];
    this.options(b, at + 24, end, null);
  }

  private interfaceDescription(b: Buffer, at: number, end: number, start: number): void {
    const linkType = this.u16(b, at + 8);
    const snaplen = this.u32(b, at + 12);
    let name: string | undefined;
    let description: string | undefined;
    let tsresol = 6;
    let tsoffset = 0;
    let p = at + 16;
    while (p + 4 <= end) {
      const code = this.u16(b, p);
      const length = this.u16(b, p + 2);
      if (code === OPT_ENDOFOPT) break;
      if (p + 4 + length > end) {
        this.optionsOverrun(start);
        break;
      }
      const v = p + 4;
      switch (code) {
        case OPT_COMMENT:
          this.comment(text(b, v, length), null);
          break;
        case IF_NAME:
          name = text(b, v, length);
          break;
        case IF_DESCRIPTION:
          description = text(b, v, length);
          break;
        case IF_TSRESOL:
          if (length >= 1) tsresol = b[v] ?? 6;
          break;
        case IF_TSOFFSET:
          if (length >= 8) {
            // Signed 64-bit seconds; exact while below 2^53 in magnitude.
            const high = this.littleEndian ? b.readInt32LE(v + 4) : b.readInt32BE(v);
            const low = this.littleEndian ? b.readUInt32LE(v) : b.readUInt32BE(v + 4);
            tsoffset = high * 4_294_967_296 + low;
          }
          break;
        default:
          break;
      }
      p += 4 + pad4(length);
    }
    this.interfaces.push({ linkType, snaplen, ts: new TimestampConverter(tsresol, tsoffset) });
    const { info } = this.ctx;
    noteLinkType(info, linkType);
    const entry: CaptureInfo['interfaces'][number] = { linkType };
    if (name !== undefined) entry.name = name;
    if (description !== undefined) entry.description = description;
    info.interfaces.push(entry);
  }

  /** Enhanced Packet Block and obsolete Packet Block share their layout after the interface id. */
  private packet(b: Buffer, at: number, end: number, start: number, out: Frame[], ifId: number): void {
    const iface = this.interfaces[ifId];
    if (iface === undefined) {
      this.fail(start, `packet on interface ${ifId}, but this section describes ${this.interfaces.length} interface(s)`);
      return;
    }
    const high = this.u32(b, at + 12);
    const low = this.u32(b, at + 16);
    const caplen = this.u32(b, at + 20);
    const origlen = this.u32(b, at + 24);
    const dataAt = at + 28;
    if (caplen > end - dataAt) {
      this.fail(start, `captured length ${caplen} does not fit in the ${end - at + 4}-byte block`);
      return;
    }
    iface.ts.convert(high, low);
    const sec = iface.ts.sec;
    const nsec = iface.ts.nsec;
    this.lastSec = sec;
    this.lastNsec = nsec;
    const number = ++this.numbered;
    out.push({
      fileIndex: this.ctx.fileIndex,
      number,
      offset: start,
      tsSec: sec,
      tsNsec: nsec,
      linkType: iface.linkType,
      originalLength: origlen,
      data: b.subarray(dataAt, dataAt + caplen),
    });
    const optionsAt = dataAt + pad4(caplen);
    if (optionsAt + 4 <= end) this.options(b, optionsAt, end, number);
  }

  private simplePacket(b: Buffer, at: number, end: number, start: number, out: Frame[]): void {
    const iface = this.interfaces[0];
    if (iface === undefined) {
      this.fail(start, 'Simple Packet Block, but this section describes no interface');
      return;
    }
    const origlen = this.u32(b, at + 8);
    const dataAt = at + 12;
    // The spec: captured length = min(original length, interface snaplen), bounded by the block.
    let caplen = Math.min(origlen, end - dataAt);
    if (iface.snaplen > 0 && iface.snaplen < caplen) caplen = iface.snaplen;
    if (!this.spbWarned) {
      this.spbWarned = true;
      this.ctx.info.warnings.push({
        file: this.ctx.file,
        frame: this.numbered + 1,
        offset: start,
        message: 'Simple Packet Blocks carry no timestamp: each gets the time of the frame before it (0 for the first)',
      });
    }
    out.push({
      fileIndex: this.ctx.fileIndex,
      number: ++this.numbered,
      offset: start,
      tsSec: this.lastSec,
      tsNsec: this.lastNsec,
      linkType: iface.linkType,
      originalLength: origlen,
      data: b.subarray(dataAt, dataAt + caplen),
    });
  }

  private nameResolution(b: Buffer, at: number, end: number): void {
    // Records (type(2) length(2) value, padded) up to nrb_record_end (type 0), then options.
    let p = at + 8;
    while (p + 4 <= end) {
      const type = this.u16(b, p);
      const length = this.u16(b, p + 2);
      p += 4 + pad4(length);
      if (type === 0) {
        this.options(b, p, end, null);
        return;
      }
    }
  }

  /** Walks the options at `b[p..end)` collecting opt_comment texts. */
  private options(b: Buffer, p: number, end: number, frame: number | null): void {
    while (p + 4 <= end) {
      const code = this.u16(b, p);
      const length = this.u16(b, p + 2);
      if (code === OPT_ENDOFOPT) return;
      if (p + 4 + length > end) {
        this.optionsOverrun(this.currentBlock);
        return;
      }
      if (code === OPT_COMMENT) this.comment(text(b, p + 4, length), frame);
      p += 4 + pad4(length);
    }
  }

  private optionsOverrun(offset: number): void {
    if (this.optionsWarned) return;
    this.optionsWarned = true;
    this.ctx.info.warnings.push({
      file: this.ctx.file,
      frame: this.numbered,
      offset,
      message: 'block options run past the end of the block: rest of the options ignored (further cases not reported)',
    });
  }

  private comment(textValue: string, frame: number | null): void {
    const { info } = this.ctx;
    if (info.comments.length >= MAX_COMMENTS) {
      if (this.commentsDropped++ === 0) {
        info.warnings.push({
          file: this.ctx.file,
          frame: frame ?? this.numbered,
          offset: this.currentBlock,
          message: `more than ${MAX_COMMENTS} comments: the rest are not kept`,
        });
      }
      return;
    }
    info.comments.push(frame === null ? textValue : `frame ${frame}: ${textValue}`);
  }
}

/** UTF-8 option text; some writers count a terminating NUL in the length, which is dropped. */
function text(b: Buffer, at: number, length: number): string {
  let e = at + length;
  while (e > at && b[e - 1] === 0) e--;
  return b.toString('utf8', at, e);
}
