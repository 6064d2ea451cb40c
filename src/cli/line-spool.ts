/**
 * Text lines kept by number in an anonymous temporary file instead of the heap: `--format json` holds
 * every connection's line until the end of the run (the document is sorted by id and starts with the
 * summary and findings), which is about 2.4 KB a connection — half a gigabyte of strings for 200,000
 * connections, and V8 keeps a multiple of its live heap as RSS. Spooled, the run needs about as much
 * memory as `--format ndjson`, plus 12 bytes a line; the operating system's page cache does the rest.
 *
 * The file is unlinked as soon as it is opened (nothing is left behind, whatever happens to the
 * process) and lives only as the open descriptor.
 */
import { close, closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, write, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUFFER_BYTES = 1 << 20;
/**
 * Full write buffers handed to the operating system at once. Writes go through libuv's thread pool,
 * so the kernel's copy into the page cache (about 2 s of system time for the 480 MB of the bench's
 * large preset) runs beside the analysis instead of inside it; with this many already on their way,
 * the next one is written synchronously, so a slow disk holds the run back instead of buffers piling up.
 */
const MAX_WRITES_IN_FLIGHT = 8;
/** Bytes read at once when lines are taken back in order. */
const READ_BLOCK_BYTES = 4 << 20;

/** A line handed back by LineSpool.linesInOrder(): `bytes[start, end)`. */
export interface SpooledLine {
  bytes: Buffer;
  start: number;
  end: number;
}

export class LineSpool {
  private fd: number;
  /** Byte offset and length of each numbered line in the file (length 0: no such line). */
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private limit = 0;
  /** Lines not yet written: buffer[0, used) goes at file offset `written`. */
  private buffer: Buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private written = 0;
  private scratch = Buffer.allocUnsafe(16 * 1024);
  /** Buffers being written in the background, buffers free for reuse, the first failure of one. */
  private inFlight = 0;
  private readonly spare: Buffer[] = [];
  private writeFailure: Error | null = null;
  /** Called when the last background write is done (settle() waiting, or close() deferred). */
  private onIdle: (() => void) | null = null;
  private closing = false;

  constructor(dir: string = tmpdir()) {
    const d = mkdtempSync(join(dir, 'tcpshake-'));
    const path = join(d, 'lines');
    this.fd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
    rmdirSync(d);
  }

  /** One more than the highest line number put so far. */
  get size(): number {
    return this.limit;
  }

  /** Store (or replace) line `n` (a non-negative integer). */
  put(n: number, line: string): void {
    if (this.writeFailure !== null) throw this.writeFailure;
    if (n >= this.offsets.length) this.grow(n);
    const bytes = Buffer.byteLength(line, 'utf8');
    if (this.used + bytes > BUFFER_BYTES) this.flushInBackground();
    this.offsets[n] = this.written + this.used;
    this.lengths[n] = bytes;
    if (bytes > BUFFER_BYTES) {
      this.writeAll(Buffer.from(line, 'utf8'));
    } else {
      this.buffer.write(line, this.used, 'utf8');
      this.used += bytes;
    }
    if (n >= this.limit) this.limit = n + 1;
  }

  /**
   * Waits for the background writes (the reads below need the file complete); rejects with the
   * first write's failure, if any. Call before get() and linesInOrder().
   */
  async settle(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    this.onIdle = null;
    if (this.writeFailure !== null) throw this.writeFailure;
  }

  /** Line `n`, or undefined when none was put. Only after settle() (or before the first full buffer). */
  get(n: number): string | undefined {
    this.assertSettled();
    if (n >= this.limit) return undefined;
    const len = this.lengths[n]!;
    if (len === 0) return undefined;
    const offset = this.offsets[n]!;
    if (offset >= this.written) return this.buffer.toString('utf8', offset - this.written, offset - this.written + len);
    return this.readAlone(offset, len, n).toString('utf8', 0, len);
  }

  /** Line `n` (`len` bytes at `offset` in the file) read on its own into `scratch[0, len)`. */
  private readAlone(offset: number, len: number, n: number): Buffer {
    if (len > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(len, 2 * this.scratch.length));
    this.readAt(this.scratch, len, offset, n);
    return this.scratch;
  }

  /** Fills `into[0, len)` from the file at `offset` (line `n` is named if the file is short). */
  private readAt(into: Buffer, len: number, offset: number, n: number): void {
    let got = 0;
    while (got < len) {
      const r = readSync(this.fd, into, got, len - got, offset + got);
      if (r === 0) throw new Error(`spool file ended early at line ${n}`);
      got += r;
    }
  }

  /**
   * Every line, in line-number order, as UTF-8 bytes `line.bytes[line.start, line.end)`: the same
   * object each time, its bytes valid until the next step. The file is read in large blocks rather
   * than a read per line, and nothing is decoded into strings. Lines are written in the order
   * connections end, which is nearly their number order, so the next line is almost always in the
   * block just read; a line far from it (a connection reported late, a replaced line) is read alone.
   */
  *linesInOrder(): Generator<SpooledLine, void, undefined> {
    this.assertSettled();
    this.flush();
    const line: SpooledLine = { bytes: Buffer.allocUnsafe(0), start: 0, end: 0 };
    let block = Buffer.allocUnsafe(0);
    let blockStart = 0;
    let blockEnd = 0;
    for (let n = 0; n < this.limit; n++) {
      const len = this.lengths[n]!;
      if (len === 0) continue;
      const offset = this.offsets[n]!;
      if (offset >= blockStart && offset + len <= blockEnd) {
        line.bytes = block;
        line.start = offset - blockStart;
      } else if (offset >= blockEnd && offset < blockEnd + READ_BLOCK_BYTES) {
        // Next in the file, or nearly: read on from here.
        const size = Math.min(Math.max(READ_BLOCK_BYTES, len), this.written - offset);
        if (block.length < size) block = Buffer.allocUnsafe(size);
        this.readAt(block, size, offset, n);
        blockStart = offset;
        blockEnd = offset + size;
        line.bytes = block;
        line.start = 0;
      } else {
        line.bytes = this.readAlone(offset, len, n);
        line.start = 0;
      }
      line.end = line.start + len;
      yield line;
    }
  }

  /**
   * Close the file (its space is freed: it was unlinked when opened). With background writes still
   * on their way (a run that failed part-way), the descriptor is closed after them: closed earlier,
   * its number could be reused by another file before they land.
   */
  close(): void {
    if (this.fd < 0 || this.closing) return;
    if (this.inFlight > 0) {
      this.closing = true;
      this.onIdle = () => {
        close(this.fd, () => undefined);
        this.fd = -1;
      };
      return;
    }
    closeSync(this.fd);
    this.fd = -1;
  }

  private assertSettled(): void {
    if (this.inFlight > 0) throw new Error('LineSpool: background writes still on their way (await settle() first)');
  }

  /** Writes the buffered lines now. */
  private flush(): void {
    if (this.used === 0) return;
    this.writeAll(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  /**
   * Hands the full buffer to a background write and carries on in a spare one; with
   * MAX_WRITES_IN_FLIGHT already on their way, writes it synchronously instead.
   */
  private flushInBackground(): void {
    if (this.used === 0) return;
    if (this.inFlight >= MAX_WRITES_IN_FLIGHT) {
      this.flush();
      return;
    }
    const full = this.buffer;
    const length = this.used;
    const position = this.written;
    this.written += length;
    this.used = 0;
    this.buffer = this.spare.pop() ?? Buffer.allocUnsafe(BUFFER_BYTES);
    this.inFlight++;
    const done = (e: Error | null): void => {
      this.writeFailure ??= e;
      this.spare.push(full);
      if (--this.inFlight === 0) this.onIdle?.();
    };
    // A short write (allowed, though a regular file rarely does it) is continued from where it stopped.
    const writeFrom = (at: number): void => {
      write(this.fd, full, at, length - at, position + at, (e, n) => {
        if (e !== null) done(e);
        else if (at + n < length && n > 0) writeFrom(at + n);
        else done(n === 0 && at < length ? new Error('spool file write wrote nothing') : null);
      });
    };
    writeFrom(0);
  }

  private writeAll(bytes: Buffer): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.written + done);
    this.written += bytes.length;
  }

  private grow(n: number): void {
    let size = this.offsets.length;
    while (size <= n) size *= 2;
    const offsets = new Float64Array(size);
    offsets.set(this.offsets);
    const lengths = new Uint32Array(size);
    lengths.set(this.lengths);
    this.offsets = offsets;
    this.lengths = lengths;
  }
}
