/**
 * Classic libpcap files, read through the npm package `pcap-parser`.
 *
 * pcap-parser knows only the microsecond magic, validates nothing and silently drops a truncated last
 * record. This adapter therefore:
 * - reads and checks the 24-byte file header itself (all four magics: a1b2c3d4 / d4c3b2a1 for
 *   microseconds, a1b23c4d / 4d3cb2a1 for nanoseconds, in either byte order);
 * - hands pcap-parser a copy of the file header with a nanosecond magic rewritten to the microsecond one
 *   (same byte order), so pcap-parser reads the file and its "timestampMicroseconds" field then carries
 *   the nanoseconds untouched;
 * - walks every record header itself as the bytes pass (offsets tracked across chunks, integer reads
 *   only, no allocation per record) and stops feeding pcap-parser before the first corrupt header;
 * - notices a last record cut short (which pcap-parser drops without a word) and warns about it.
 *
 * pcap-parser is driven through a minimal stand-in for a stream that tcpshake emits 'data' on
 * synchronously, so the parser's 'packet' events land in the batch being built for the current chunk.
 */
import { EventEmitter } from 'node:events';
import pcapParser from 'pcap-parser';
import type { PcapPacket, PcapParser } from 'pcap-parser';
import { CaptureError, type Frame } from './frame.js';
import { MAX_RECORD_BYTES, noteLinkType, type ReaderContext, type RecordReader } from './reader.js';

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/**
 * Captured-length ceiling when the file's snapshot length gives none (0) or an absurd one: libpcap's
 * own maximum snapshot length for ordinary link types (MAXIMUM_SNAPLEN, 262144).
 */
export const DEFAULT_MAX_CAPLEN = 262_144;

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
/** The same magics as read from a file written in the other byte order. */
export const PCAP_MAGIC_USEC_SWAPPED = 0xd4c3b2a1;
export const PCAP_MAGIC_NSEC_SWAPPED = 0x4d3cb2a1;

/** True when the first four bytes (read big-endian) are one of the four classic pcap magics. */
export function isPcapMagic(magicBE: number): boolean {
  return (
    magicBE === PCAP_MAGIC_USEC ||
    magicBE === PCAP_MAGIC_USEC_SWAPPED ||
    magicBE === PCAP_MAGIC_NSEC ||
    magicBE === PCAP_MAGIC_NSEC_SWAPPED
  );
}

/** What pcap-parser is given instead of a stream: tcpshake pushes 'data' itself, pausing is moot. */
class ParserFeed extends EventEmitter {
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
}

export class PcapReader implements RecordReader {
  error: CaptureError | null = null;

  private readonly ctx: ReaderContext;
  private readonly feed = new ParserFeed();
  /** The batch pcap-parser's 'packet' events go to (the one passed to the current push()). */
  private out: Frame[] = [];

  // File header.
  private readonly fileHeader = Buffer.alloc(FILE_HEADER_BYTES);
  private fileHeaderFill = 0;
  private littleEndian = false;
  private nanoseconds = false;
  private linkType = 0;
  private snaplen = 0;
  private maxCaplen = DEFAULT_MAX_CAPLEN;

  // Delivery side (pcap-parser's 'packet' events).
  private delivered = 0;
  private deliverOffset = FILE_HEADER_BYTES;
  private fractionWarned = false;

  // Scanning side (our own walk over record headers).
  /** Absolute offset of the first byte of the chunk being scanned. */
  private pos = 0;
  /** Record body bytes still to pass before the next record header. */
  private skip = 0;
  /** A record header split across chunks is gathered here. */
  private readonly recordHeader = Buffer.alloc(RECORD_HEADER_BYTES);
  private recordHeaderFill = 0;
  /** Absolute offset of the record header being scanned (or last scanned). */
  private recordStart = 0;
  private recordCaplen = 0;
  /** Record headers accepted so far (the record being scanned included). */
  private scanned = 0;
  /**
   * Offset in the last scanned chunk of its first record boundary (where no record is split), or -1
   * when the chunk ends inside the record it began in.
   */
  private boundary = -1;

  /** pcap-parser's state, reached into for one optimisation only (see `feedParser`). */
  private readonly parser: PcapParser & { buffer?: unknown };

  constructor(ctx: ReaderContext) {
    this.ctx = ctx;
    this.parser = pcapParser.parse(this.feed);
    this.parser.on('packet', (packet: PcapPacket) => this.onPacket(packet));
    // pcap-parser only complains about a magic or version, both checked before it sees them; should it
    // complain anyway, an 'error' event without a listener would throw out of emit().
    this.parser.on('error', (e: Error) => {
      this.error ??= new CaptureError(this.ctx.file, this.delivered + 1, this.deliverOffset, `pcap-parser: ${e.message}`);
    });
  }

  /**
   * Hands bytes to pcap-parser. Its updateBuffer() copies its leftover and the new chunk into a fresh
   * (zero-filled, deprecated `new Buffer(n)`) buffer whenever its buffer is not null, and after a chunk
   * that ended on a record boundary the leftover is an empty slice, not null: so every chunk would be
   * copied once more. When the leftover is empty we drop it, and pcap-parser takes the chunk as it is
   * (the frames then share it). Guarded so that a pcap-parser without this field is simply fed as usual.
   */
  private feedParser(bytes: Buffer): void {
    const leftover = this.parser.buffer;
    if (leftover instanceof Uint8Array && leftover.length === 0) this.parser.buffer = null;
    this.feed.emit('data', bytes);
  }

  /**
   * Hands `chunk[0, safe)` to pcap-parser. A chunk boundary almost always falls inside a record, and
   * pcap-parser would then copy its leftover (that record's first part) together with the WHOLE next
   * chunk. Instead, the record split by the boundary is completed on its own: its leftover and the
   * chunk's bytes up to the record's end (`boundary`, found by the scan) go to pcap-parser as one small
   * fresh buffer, and the rest of the chunk follows uncopied. pcap-parser's leftover is exactly the
   * split record's bytes so far (every record before it was complete and parsed), whichever of its
   * states (record header or body) it is in, so the small buffer ends on a record boundary.
   */
  private feedChunk(chunk: Buffer, safe: number): void {
    const b = this.boundary;
    const leftover = this.parser.buffer;
    if (b > 0 && b <= safe && leftover instanceof Uint8Array && leftover.length > 0) {
      const joined = Buffer.allocUnsafe(leftover.length + b);
      joined.set(leftover, 0);
      chunk.copy(joined, leftover.length, 0, b);
      this.parser.buffer = null;
      this.feed.emit('data', joined);
      if (b === safe) return;
      this.feedParser(chunk.subarray(b, safe));
      return;
    }
    this.feedParser(safe === chunk.length ? chunk : chunk.subarray(0, safe));
  }

  nextFrame(): number {
    return this.delivered + 1;
  }

  push(chunk: Buffer, out: Frame[]): void {
    if (this.error) return;
    this.out = out;
    if (this.fileHeaderFill < FILE_HEADER_BYTES) {
      const n = Math.min(FILE_HEADER_BYTES - this.fileHeaderFill, chunk.length);
      chunk.copy(this.fileHeader, this.fileHeaderFill, 0, n);
      this.fileHeaderFill += n;
      this.pos += n;
      if (this.fileHeaderFill < FILE_HEADER_BYTES) return;
      if (!this.readFileHeader()) return;
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    const safe = this.scan(chunk);
    if (safe > 0) this.feedChunk(chunk, safe);
  }

  finish(): void {
    if (this.error) return;
    const { info, file } = this.ctx;
    if (this.fileHeaderFill < FILE_HEADER_BYTES) {
      this.error = new CaptureError(
        file,
        1,
        0,
        `pcap file header cut short: ${this.fileHeaderFill} of ${FILE_HEADER_BYTES} bytes`,
      );
      return;
    }
    if (this.recordHeaderFill > 0) {
      info.warnings.push({
        file,
        frame: this.scanned + 1,
        offset: this.recordStart,
        message: `record header cut short: ${this.recordHeaderFill} of ${RECORD_HEADER_BYTES} bytes`,
      });
    } else if (this.skip > 0) {
      const total = RECORD_HEADER_BYTES + this.recordCaplen;
      info.warnings.push({
        file,
        frame: this.scanned,
        offset: this.recordStart,
        message: `record cut short: ${total - this.skip} of ${total} bytes`,
      });
    }
  }

  /** Checks the 24-byte file header and primes pcap-parser with it. False (and `error`) when unusable. */
  private readFileHeader(): boolean {
    const h = this.fileHeader;
    const magic = h.readUInt32BE(0);
    // A magic that reads byte-swapped means the writer was little-endian (as almost all are).
    this.littleEndian = magic === PCAP_MAGIC_USEC_SWAPPED || magic === PCAP_MAGIC_NSEC_SWAPPED;
    this.nanoseconds = magic === PCAP_MAGIC_NSEC || magic === PCAP_MAGIC_NSEC_SWAPPED;
    const le = this.littleEndian;
    const major = le ? h.readUInt16LE(4) : h.readUInt16BE(4);
    const minor = le ? h.readUInt16LE(6) : h.readUInt16BE(6);
    if (major !== 2) {
      this.error = new CaptureError(this.ctx.file, 1, 4, `unsupported pcap version ${major}.${minor} (expected 2.x)`);
      return false;
    }
    this.snaplen = le ? h.readUInt32LE(16) : h.readUInt32BE(16);
    // The low 16 bits are the LINKTYPE; the upper bits may carry FCS-length information (libpcap LT_LINKTYPE).
    this.linkType = (le ? h.readUInt32LE(20) : h.readUInt32BE(20)) & 0xffff;
    this.maxCaplen =
      this.snaplen > 0 && this.snaplen <= MAX_RECORD_BYTES ? Math.max(this.snaplen, DEFAULT_MAX_CAPLEN) : DEFAULT_MAX_CAPLEN;
    const { info } = this.ctx;
    info.format = this.nanoseconds ? 'pcap-nsec' : 'pcap';
    noteLinkType(info, this.linkType);
    info.interfaces.push({ linkType: this.linkType });

    const forParser = Buffer.from(h);
    if (this.nanoseconds) {
      if (le) forParser.writeUInt32LE(PCAP_MAGIC_USEC, 0);
      else forParser.writeUInt32BE(PCAP_MAGIC_USEC, 0);
    }
    this.feedParser(forParser);
    return true;
  }

  /**
   * Walks the record headers in `chunk` (which follows everything scanned before) and returns how many
   * of its bytes may be passed to pcap-parser: all of them, or those before the first corrupt header.
   */
  private scan(chunk: Buffer): number {
    const len = chunk.length;
    let i = 0;
    this.boundary = -1;
    while (i < len) {
      if (this.boundary < 0 && this.skip === 0 && this.recordHeaderFill === 0) this.boundary = i;
      if (this.skip > 0) {
        const n = this.skip <= len - i ? this.skip : len - i;
        this.skip -= n;
        i += n;
        continue;
      }
      if (this.recordHeaderFill === 0 && len - i >= RECORD_HEADER_BYTES) {
        this.recordStart = this.pos + i;
        if (!this.checkRecordHeader(chunk, i)) {
          this.pos += len;
          return i;
        }
        i += RECORD_HEADER_BYTES;
        continue;
      }
      // A record header split across chunks.
      if (this.recordHeaderFill === 0) this.recordStart = this.pos + i;
      const n = Math.min(RECORD_HEADER_BYTES - this.recordHeaderFill, len - i);
      chunk.copy(this.recordHeader, this.recordHeaderFill, i, i + n);
      this.recordHeaderFill += n;
      i += n;
      if (this.recordHeaderFill === RECORD_HEADER_BYTES) {
        this.recordHeaderFill = 0;
        if (!this.checkRecordHeader(this.recordHeader, 0)) {
          const safe = this.recordStart - this.pos;
          this.pos += len;
          // The header's first bytes went to pcap-parser with the previous chunk; it can never complete it.
          return safe > 0 ? safe : 0;
        }
      }
    }
    if (this.boundary < 0 && this.skip === 0 && this.recordHeaderFill === 0) this.boundary = len;
    this.pos += len;
    return len;
  }

  /** Validates one record header; sets `skip` to its body length. False (and `error`) when corrupt. */
  private checkRecordHeader(b: Buffer, at: number): boolean {
    const le = this.littleEndian;
    const caplen = le ? b.readUInt32LE(at + 8) : b.readUInt32BE(at + 8);
    const origlen = le ? b.readUInt32LE(at + 12) : b.readUInt32BE(at + 12);
    this.scanned++;
    if (caplen > this.maxCaplen) {
      // libpcap refuses such a record too ("invalid packet capture length"): the header is garbage,
      // and believing it would make us buffer up to 4 GiB.
      this.fail(
        `corrupt record header: captured length ${caplen} exceeds the maximum of ${this.maxCaplen} bytes` +
          ` (snapshot length ${this.snaplen})`,
      );
      return false;
    }
    if (caplen > origlen) {
      this.fail(`corrupt record header: captured length ${caplen} exceeds original length ${origlen}`);
      return false;
    }
    this.recordCaplen = caplen;
    this.skip = caplen;
    return true;
  }

  private fail(message: string): void {
    this.error = new CaptureError(this.ctx.file, this.scanned, this.recordStart, message);
  }

  private onPacket(packet: PcapPacket): void {
    const h = packet.header;
    let sec = h.timestampSeconds;
    let nsec = this.nanoseconds ? h.timestampMicroseconds : h.timestampMicroseconds * 1000;
    if (nsec >= 1_000_000_000) {
      // A fraction of a second of a second or more: carry it into the seconds rather than drop it.
      sec += Math.floor(nsec / 1_000_000_000);
      nsec %= 1_000_000_000;
      if (!this.fractionWarned) {
        this.fractionWarned = true;
        this.ctx.info.warnings.push({
          file: this.ctx.file,
          frame: this.delivered + 1,
          offset: this.deliverOffset,
          message: `timestamp fraction ${h.timestampMicroseconds} is not below one second (carried into the seconds; further ones not reported)`,
        });
      }
    }
    const data = packet.data;
    this.out.push({
      fileIndex: this.ctx.fileIndex,
      number: ++this.delivered,
      offset: this.deliverOffset,
      tsSec: sec,
      tsNsec: nsec,
      linkType: this.linkType,
      originalLength: h.originalLength,
      data,
    });
    this.deliverOffset += RECORD_HEADER_BYTES + data.length;
  }
}
